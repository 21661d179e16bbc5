/**
 * A message that can never be processed, however often it is retried: bytes that are not an
 * event envelope, an envelope missing its metadata, a payload that fails validation. The consumer
 * sends it to the dead-letter topic at once instead of retrying.
 */
export class PoisonMessageError extends Error {
  constructor(
    readonly code: PoisonMessageCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

export type PoisonMessageCode =
  'EVENT.UNDECODABLE' | 'EVENT.INVALID_ENVELOPE' | 'EVENT.INVALID_PAYLOAD' | 'EVENT.REJECTED';
