// The one place the web app talks HTTP. Every call sends the session cookie, every failure
// becomes an `ApiFailure` carrying the server's `ApiError` (Chinese message + problems), and a
// 401 anywhere but the sign-in itself sends the browser back to the sign-in page.
import type { ApiError, ApiProblem } from '../../../src/api/console-api';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
    this.name = 'ApiFailure';
  }

  get code(): string {
    return this.error.code;
  }

  get problems(): ApiProblem[] {
    return this.error.problems ?? [];
  }
}

/** Anything thrown while talking to the server, as an ApiFailure the screen can show. */
export function asApiFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, {
    code: 'CONSOLE.UNEXPECTED',
    message: `操作未完成：${error instanceof Error ? error.message : String(error)}。请重试；如仍失败，请联系运维人员。`,
  });
}

let unauthorizedListener: (() => void) | undefined;

/** Registers what happens when the session has expired (the app goes to the sign-in page). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListener = listener;
  return () => {
    if (unauthorizedListener === listener) unauthorizedListener = undefined;
  };
}

type Body = { json: unknown } | { form: FormData };

async function request<T>(method: string, path: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined && 'json' in body) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body.json);
  } else if (body !== undefined) {
    // The browser writes the multipart boundary into the content type itself.
    init.body = body.form;
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiFailure(0, {
      code: 'CONSOLE.UNREACHABLE',
      message: '无法连接通办控制台服务，请检查网络连接后重试。',
    });
  }
  if (!response.ok) {
    const failure = new ApiFailure(response.status, await errorBody(response));
    // Wrong credentials at sign-in are a message for the form, not an expired session.
    const signingIn = method === 'POST' && path === '/api/session';
    if (response.status === 401 && !signingIn) unauthorizedListener?.();
    throw failure;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorBody(response: Response): Promise<ApiError> {
  const fallback: ApiError = {
    code: `HTTP.${response.status}`,
    message: `服务暂时无法完成请求（HTTP ${response.status}），请稍后重试；如仍失败，请联系运维人员。`,
  };
  try {
    const body = (await response.json()) as Partial<ApiError> | null;
    if (body !== null && typeof body.message === 'string' && typeof body.code === 'string') {
      return { code: body.code, message: body.message, problems: body.problems ?? [] };
    }
  } catch {
    // Not JSON (a proxy's error page): the generic message below is all there is.
  }
  return fallback;
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, json: unknown = {}): Promise<T> => request<T>('POST', path, { json }),
  postForm: <T>(path: string, form: FormData): Promise<T> => request<T>('POST', path, { form }),
  delete: (path: string): Promise<undefined> => request<undefined>('DELETE', path),
};

/** `/api/regions/<region>/<route>`, with the region code escaped. */
export function regionApi(region: string, route: string): string {
  return `/api/regions/${encodeURIComponent(region)}/${route}`;
}

/** Escapes one path segment (a case number, task id, hash). */
export const segment = encodeURIComponent;

/** A query string from the non-empty entries, with the leading "?" (or "" when none). */
export function queryString(parameters: Record<string, string>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== '') search.set(name, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
