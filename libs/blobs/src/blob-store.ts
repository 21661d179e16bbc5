import { BlobError } from './blob-error';

/** What the caller knows about content before it arrives; every given value is checked. */
export interface BlobExpectation {
  /** Lower-case hex SHA-256 the content must hash to (`BLOB.HASH_MISMATCH` otherwise). */
  readonly sha256?: string;
  /** Exact length in bytes (`BLOB.SIZE_MISMATCH` otherwise). */
  readonly sizeBytes?: number;
  /** Upper bound in bytes; reading stops as soon as it is passed (`BLOB.TOO_LARGE`). */
  readonly maxBytes?: number;
}

export interface StoredBlob {
  /** The blob's address: lower-case hex SHA-256 of its content. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /** The same content was stored before; nothing new was written. */
  readonly alreadyPresent: boolean;
}

/** Content as it arrives: whole, or in chunks (a Node stream, a gRPC client stream). */
export type BlobContent = Uint8Array | AsyncIterable<Uint8Array>;

/**
 * Content-addressed storage of immutable blobs (materials, survey evidence): a blob is named by
 * the SHA-256 of its bytes, so storing the same content twice stores it once and a name can never
 * point at other bytes. A file system implements it for development and single-node regions; an
 * object store (S3, OSS, MinIO) can implement the same five calls.
 */
export interface BlobStore {
  /**
   * Stores content, checking it against `expected` while it streams in. Nothing is visible under
   * the address until the whole content arrived and passed every check; a refused put leaves
   * nothing behind.
   */
  put(content: BlobContent, expected?: BlobExpectation): Promise<StoredBlob>;
  has(sha256: string): Promise<boolean>;
  /** The whole content, verified against its address (`BLOB.HASH_MISMATCH` if it rotted). */
  get(sha256: string): Promise<Buffer>;
  /**
   * The content in chunks, for sending on. Fails on the first iteration with `BLOB.NOT_FOUND`,
   * and after the last chunk with `BLOB.HASH_MISMATCH` if the stored bytes no longer match.
   */
  stream(sha256: string, options?: { chunkBytes?: number }): AsyncIterable<Buffer>;
  /** Length in bytes (`BLOB.NOT_FOUND` when absent). */
  size(sha256: string): Promise<number>;
}

const ADDRESS = /^[0-9a-f]{64}$/;

export function isBlobAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/** Throws `BLOB.INVALID_ADDRESS` unless `value` is 64 lower-case hex characters. */
export function assertBlobAddress(value: string): void {
  if (!isBlobAddress(value)) {
    throw new BlobError(
      'BLOB.INVALID_ADDRESS',
      `"${value.slice(0, 80)}" is not a blob address (64 lower-case hex characters of a SHA-256)`,
    );
  }
}
