/**
 * Why a blob was refused or could not be read. Services map these to their own API codes (intake
 * to a clerk's message, exchange into a signed receipt), so a code is never renamed, only added.
 */
export type BlobErrorCode =
  /** The content does not hash to the SHA-256 it was announced with (or, read back, stored under). */
  | 'BLOB.HASH_MISMATCH'
  /** The content is not as long as announced. */
  | 'BLOB.SIZE_MISMATCH'
  /** The content is longer than the caller allows (`maxBytes`). */
  | 'BLOB.TOO_LARGE'
  /** No blob is stored under that address. */
  | 'BLOB.NOT_FOUND'
  /** Not an address: a blob is named by 64 lower-case hex characters of its SHA-256. */
  | 'BLOB.INVALID_ADDRESS';

export class BlobError extends Error {
  constructor(
    readonly code: BlobErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BlobError';
  }
}
