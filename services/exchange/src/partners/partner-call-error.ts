/** A call to a partner that did not produce an answer: unreachable, refused, timed out. */
export class PartnerCallError extends Error {
  constructor(
    readonly partner: string,
    readonly grpcCode: number,
    readonly errorCode: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'PartnerCallError';
  }
}
