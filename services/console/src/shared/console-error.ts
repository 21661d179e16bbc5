import type { ApiProblem } from '../api/console-api';

/** A refusal of the console itself (not of a service it calls), with its HTTP status. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: ApiProblem[],
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

export const notSignedIn = (): ConsoleError =>
  new ConsoleError(401, 'AUTH.REQUIRED', '请先登录。登录已过期时请重新登录。');

export const invalidRequest = (message: string, problems?: ApiProblem[]): ConsoleError =>
  new ConsoleError(400, 'REQUEST.INVALID', message, problems);
