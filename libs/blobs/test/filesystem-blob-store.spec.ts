import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobError, FilesystemBlobStore, isBlobAddress } from '../src';

let root: string;
let store: FilesystemBlobStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tongban-blobs-'));
  store = new FilesystemBlobStore(root);
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const sha256 = (content: Uint8Array) => createHash('sha256').update(content).digest('hex');
const idCard = Buffer.from('居民身份证 正反面扫描件');

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const part of parts) {
    await Promise.resolve();
    yield Buffer.from(part);
  }
}

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts);
}

async function refusal(promise: Promise<unknown>): Promise<BlobError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BlobError);
  return error as BlobError;
}

/** Everything under the root except the (emptied) temporary folder. */
async function storedFiles(): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

describe('FilesystemBlobStore.put', () => {
  it('stores content under <aa>/<bb>/<sha256>, read-only', async () => {
    const hash = sha256(idCard);
    const stored = await store.put(idCard);
    expect(stored).toEqual({ sha256: hash, sizeBytes: idCard.length, alreadyPresent: false });
    expect(await storedFiles()).toEqual([path.join(hash.slice(0, 2), hash.slice(2, 4), hash)]);
    expect(store.pathOf(hash)).toBe(path.join(root, hash.slice(0, 2), hash.slice(2, 4), hash));
    expect((await fs.stat(store.pathOf(hash))).mode & 0o777).toBe(0o444);
    expect(await store.get(hash)).toEqual(idCard);
  });

  it('hashes a stream chunk by chunk and checks every expectation', async () => {
    const content = Buffer.from('part one|part two|part three');
    const stored = await store.put(chunks('part one|', 'part two|', 'part three'), {
      sha256: sha256(content),
      sizeBytes: content.length,
      maxBytes: 1_000,
    });
    expect(stored).toEqual({
      sha256: sha256(content),
      sizeBytes: content.length,
      alreadyPresent: false,
    });
    expect(await store.get(stored.sha256)).toEqual(content);
  });

  it('takes a Node readable stream', async () => {
    const stored = await store.put(Readable.from([Buffer.from('a'), Buffer.from('b')]));
    expect(await store.get(stored.sha256)).toEqual(Buffer.from('ab'));
  });

  it('stores the same content once and says so', async () => {
    const first = await store.put(idCard);
    const again = await store.put(chunks(idCard.toString()));
    const announced = await store.put(idCard, { sha256: first.sha256 });
    expect(first.alreadyPresent).toBe(false);
    expect(again).toEqual({ ...first, alreadyPresent: true });
    expect(announced).toEqual({ ...first, alreadyPresent: true });
    expect(await storedFiles()).toHaveLength(1);
  });

  it('lets exactly one of two concurrent puts of the same content write it', async () => {
    const results = await Promise.all([store.put(idCard), store.put(idCard), store.put(idCard)]);
    expect(results.filter((result) => !result.alreadyPresent)).toHaveLength(1);
    expect(await storedFiles()).toHaveLength(1);
  });

  it('refuses content that does not hash to the announced address, leaving nothing', async () => {
    const error = await refusal(store.put(idCard, { sha256: 'a'.repeat(64) }));
    expect(error.code).toBe('BLOB.HASH_MISMATCH');
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses wrong content announced under the address of a blob it already has', async () => {
    const stored = await store.put(idCard);
    const error = await refusal(store.put(Buffer.from('forged'), { sha256: stored.sha256 }));
    expect(error.code).toBe('BLOB.HASH_MISMATCH');
    expect(await store.get(stored.sha256)).toEqual(idCard);
  });

  it('refuses content shorter or longer than announced', async () => {
    const shorter = await refusal(store.put(chunks('abc'), { sizeBytes: 4 }));
    const longer = await refusal(store.put(chunks('ab', 'cde'), { sizeBytes: 4 }));
    expect([shorter.code, longer.code]).toEqual(['BLOB.SIZE_MISMATCH', 'BLOB.SIZE_MISMATCH']);
    expect(await storedFiles()).toEqual([]);
  });

  it('stops reading as soon as the content passes maxBytes', async () => {
    let pulled = 0;
    async function* endless(): AsyncIterable<Buffer> {
      for (;;) {
        pulled += 1;
        await Promise.resolve();
        yield Buffer.alloc(1024);
      }
    }
    const error = await refusal(store.put(endless(), { maxBytes: 4 * 1024 }));
    expect(error.code).toBe('BLOB.TOO_LARGE');
    expect(pulled).toBe(5);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses an announced size above maxBytes before reading', async () => {
    let pulled = false;
    async function* content(): AsyncIterable<Buffer> {
      pulled = true;
      await Promise.resolve();
      yield Buffer.alloc(1);
    }
    const error = await refusal(store.put(content(), { sizeBytes: 11, maxBytes: 10 }));
    expect(error.code).toBe('BLOB.TOO_LARGE');
    expect(pulled).toBe(false);
  });

  it('accepts content of exactly maxBytes, and empty content', async () => {
    await expect(store.put(Buffer.alloc(10), { maxBytes: 10 })).resolves.toMatchObject({
      sizeBytes: 10,
    });
    await expect(store.put(Buffer.alloc(0), { sizeBytes: 0 })).resolves.toMatchObject({
      sha256: sha256(Buffer.alloc(0)),
      sizeBytes: 0,
    });
  });

  it('refuses text chunks, which would hash characters instead of bytes', async () => {
    const text = Readable.from(['not', 'bytes'], { objectMode: true }) as AsyncIterable<Uint8Array>;
    await expect(store.put(text)).rejects.toThrow(TypeError);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses an announced address that is not one', async () => {
    const error = await refusal(store.put(idCard, { sha256: sha256(idCard).toUpperCase() }));
    expect(error.code).toBe('BLOB.INVALID_ADDRESS');
  });
});

describe('FilesystemBlobStore reads', () => {
  it('answers has, size, get and stream for a stored blob', async () => {
    const content = Buffer.alloc(200_000, 7);
    const { sha256: address } = await store.put(content);
    expect(await store.has(address)).toBe(true);
    expect(await store.size(address)).toBe(200_000);
    expect(await store.get(address)).toEqual(content);
    const parts: Buffer[] = [];
    for await (const part of store.stream(address, { chunkBytes: 64 * 1024 })) parts.push(part);
    expect(parts.map((part) => part.length)).toEqual([65_536, 65_536, 65_536, 3_392]);
    expect(Buffer.concat(parts)).toEqual(content);
  });

  it('answers NOT_FOUND for a blob it does not have', async () => {
    const absent = sha256(Buffer.from('absent'));
    expect(await store.has(absent)).toBe(false);
    expect((await refusal(store.get(absent))).code).toBe('BLOB.NOT_FOUND');
    expect((await refusal(store.size(absent))).code).toBe('BLOB.NOT_FOUND');
    expect((await refusal(collect(store.stream(absent)))).code).toBe('BLOB.NOT_FOUND');
  });

  it('refuses addresses that are not 64 lower-case hex characters', async () => {
    for (const address of ['', 'abc', '../'.repeat(22), 'G'.repeat(64), 'A'.repeat(64)]) {
      expect(isBlobAddress(address)).toBe(false);
      expect((await refusal(store.has(address))).code).toBe('BLOB.INVALID_ADDRESS');
      expect((await refusal(store.get(address))).code).toBe('BLOB.INVALID_ADDRESS');
    }
    expect(() => store.pathOf('../etc/passwd')).toThrow(BlobError);
  });

  it('detects a blob whose stored bytes were altered', async () => {
    const { sha256: address } = await store.put(idCard);
    const file = store.pathOf(address);
    await fs.chmod(file, 0o644);
    await fs.writeFile(file, 'tampered');
    expect((await refusal(store.get(address))).code).toBe('BLOB.HASH_MISMATCH');
    expect((await refusal(collect(store.stream(address)))).code).toBe('BLOB.HASH_MISMATCH');
  });

  it('closes the file when a reader stops early', async () => {
    const { sha256: address } = await store.put(Buffer.alloc(300_000));
    const openFiles = async () => (await fs.readdir('/proc/self/fd')).length;
    const before = await openFiles();
    for await (const part of store.stream(address, { chunkBytes: 1024 })) {
      expect(part.length).toBe(1024);
      break;
    }
    await eventuallyEqual(openFiles, before);
    expect(await store.get(address)).toHaveLength(300_000);
  });
});

async function eventuallyEqual(read: () => Promise<number>, expected: number): Promise<void> {
  for (let attempt = 0; attempt < 50 && (await read()) !== expected; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(await read()).toBe(expected);
}
