import { createHash, randomBytes } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BlobError } from './blob-error';
import {
  assertBlobAddress,
  type BlobContent,
  type BlobExpectation,
  type BlobStore,
  type StoredBlob,
} from './blob-store';

const DEFAULT_CHUNK_BYTES = 64 * 1024;

/**
 * Blobs as files `<root>/<aa>/<bb>/<sha256>` (the first two byte pairs of the hash spread them
 * over 65 536 folders). A put streams into `<root>/tmp/` while hashing, checks the expectation,
 * syncs, then hard-links the file to its address: a reader sees a whole, verified blob or none,
 * and of two concurrent puts of the same content exactly one reports `alreadyPresent: false`.
 * Stored files are read-only; nothing ever rewrites a blob.
 */
export class FilesystemBlobStore implements BlobStore {
  readonly root: string;
  private readonly temporaryDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.temporaryDir = path.join(this.root, 'tmp');
  }

  /** Where the blob with this address lives (whether or not it is stored). */
  pathOf(sha256: string): string {
    assertBlobAddress(sha256);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(content: BlobContent, expected: BlobExpectation = {}): Promise<StoredBlob> {
    checkExpectation(expected);
    // Known content (a retried transfer, the same ID card scanned twice) is only hashed: the
    // caller's bytes must still prove they are what they claim, but nothing is written.
    if (expected.sha256 !== undefined && (await this.has(expected.sha256))) {
      const measured = await measure(content, expected, undefined);
      return { ...measured, alreadyPresent: true };
    }
    await fs.mkdir(this.temporaryDir, { recursive: true });
    const temporary = path.join(
      this.temporaryDir,
      `${String(process.pid)}-${randomBytes(8).toString('hex')}.part`,
    );
    // The mode applies to later opens only: this handle may write, nobody may rewrite the blob.
    const handle = await fs.open(temporary, 'wx', 0o444);
    let open = true;
    try {
      const measured = await measure(content, expected, handle);
      await handle.sync();
      await handle.close();
      open = false;
      const target = this.pathOf(measured.sha256);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const alreadyPresent = await publish(temporary, target);
      if (!alreadyPresent) await syncDirectory(path.dirname(target));
      return { ...measured, alreadyPresent };
    } finally {
      if (open) await handle.close().catch(() => undefined);
      await fs.rm(temporary, { force: true });
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await fs.stat(this.pathOf(sha256))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async get(sha256: string): Promise<Buffer> {
    let content: Buffer;
    try {
      content = await fs.readFile(this.pathOf(sha256));
    } catch (error) {
      throw isMissing(error) ? notFound(sha256, error) : error;
    }
    verifyStored(sha256, createHash('sha256').update(content).digest('hex'));
    return content;
  }

  async *stream(sha256: string, options: { chunkBytes?: number } = {}): AsyncIterable<Buffer> {
    let handle: FileHandle;
    try {
      handle = await fs.open(this.pathOf(sha256), 'r');
    } catch (error) {
      throw isMissing(error) ? notFound(sha256, error) : error;
    }
    const hash = createHash('sha256');
    const reader = handle.createReadStream({
      highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    });
    try {
      for await (const chunk of reader as AsyncIterable<Buffer>) {
        hash.update(chunk);
        yield chunk;
      }
    } finally {
      // Also when the consumer stops early: the stream closes the file handle with it.
      reader.destroy();
    }
    verifyStored(sha256, hash.digest('hex'));
  }

  async size(sha256: string): Promise<number> {
    try {
      return (await fs.stat(this.pathOf(sha256))).size;
    } catch (error) {
      throw isMissing(error) ? notFound(sha256, error) : error;
    }
  }
}

function checkExpectation(expected: BlobExpectation): void {
  if (expected.sha256 !== undefined) assertBlobAddress(expected.sha256);
  for (const key of ['sizeBytes', 'maxBytes'] as const) {
    const value = expected[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new RangeError(`${key} must be a non-negative integer, not ${String(value)}`);
    }
  }
  const { sizeBytes, maxBytes } = expected;
  if (sizeBytes !== undefined && maxBytes !== undefined && sizeBytes > maxBytes) {
    // Announced too large: refuse before reading a single byte.
    throw tooLarge(sizeBytes, maxBytes);
  }
}

/** Hashes and counts the content (writing it to `sink` when given), checking `expected`. */
async function measure(
  content: BlobContent,
  expected: BlobExpectation,
  sink: FileHandle | undefined,
): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of chunksOf(content)) {
    sizeBytes += chunk.length;
    if (expected.maxBytes !== undefined && sizeBytes > expected.maxBytes) {
      throw tooLarge(sizeBytes, expected.maxBytes);
    }
    if (expected.sizeBytes !== undefined && sizeBytes > expected.sizeBytes) {
      throw sizeMismatch(expected.sizeBytes, `more than ${String(expected.sizeBytes)}`);
    }
    hash.update(chunk);
    if (sink) await writeAll(sink, chunk);
  }
  if (expected.sizeBytes !== undefined && sizeBytes !== expected.sizeBytes) {
    throw sizeMismatch(expected.sizeBytes, String(sizeBytes));
  }
  const sha256 = hash.digest('hex');
  if (expected.sha256 !== undefined && sha256 !== expected.sha256) {
    throw new BlobError(
      'BLOB.HASH_MISMATCH',
      `Content hashes to ${sha256}, not to the announced ${expected.sha256}`,
    );
  }
  return { sha256, sizeBytes };
}

async function* chunksOf(content: BlobContent): AsyncIterable<Uint8Array> {
  if (content instanceof Uint8Array) {
    yield content;
    return;
  }
  for await (const chunk of content) {
    // A stream in text mode would hash characters, not bytes: refuse rather than guess.
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError('Blob content must be bytes (Uint8Array chunks), not text');
    }
    yield chunk;
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** Makes the complete temporary file visible at its address; true when it was there already. */
async function publish(temporary: string, target: string): Promise<boolean> {
  try {
    // link() fails when the target exists, so the first writer wins and nothing is overwritten.
    await fs.link(temporary, target);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return true;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
  }
  // File systems without hard links: rename is still atomic; a concurrent identical put may
  // replace the file with the same bytes, which no reader can tell apart.
  try {
    await fs.access(target);
    return true;
  } catch {
    await fs.rename(temporary, target);
    return false;
  }
}

/** Persists the new directory entry, so a blob reported stored survives a power cut. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the file itself is synced already.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function verifyStored(sha256: string, actual: string): void {
  if (actual !== sha256) {
    throw new BlobError(
      'BLOB.HASH_MISMATCH',
      `Stored blob ${sha256} is corrupt: its content hashes to ${actual}`,
    );
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function notFound(sha256: string, cause: unknown): BlobError {
  return new BlobError('BLOB.NOT_FOUND', `No blob ${sha256} in this store`, { cause });
}

function tooLarge(sizeBytes: number, maxBytes: number): BlobError {
  return new BlobError(
    'BLOB.TOO_LARGE',
    `Content of ${String(sizeBytes)} bytes or more exceeds the limit of ${String(maxBytes)} bytes`,
  );
}

function sizeMismatch(expected: number, actual: string): BlobError {
  return new BlobError(
    'BLOB.SIZE_MISMATCH',
    `Content is ${actual} bytes long, not the announced ${String(expected)}`,
  );
}
