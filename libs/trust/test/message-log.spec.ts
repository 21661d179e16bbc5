import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pgExecutor, withPgTransaction, type SqlExecutor } from '@tongban/persistence';
import { createIsolatedDatabase, type IsolatedDatabase } from '@tongban/testing';
import { ReceiptStatus } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  appendLogEntry,
  computeEntryHash,
  GENESIS_HASH,
  readLog,
  sealEnvelope,
  sealReceipt,
  sha256Hex,
  TRUST_MIGRATIONS_DIR,
  TRUST_MIGRATIONS_TABLE,
  verifyLog,
  type LogEntryInput,
} from '../src';
import { acceptedReceipt, demoRegions, HENAN, HUBEI, statusEnvelope } from './support';

const MIGRATION = readdirSync(TRUST_MIGRATIONS_DIR).filter((name) => name.endsWith('.sql'));
const { keys, ring } = demoRegions();

let database: IsolatedDatabase;
let db: SqlExecutor;

beforeAll(async () => {
  // Migrated the way the exchange service migrates its database.
  database = await createIsolatedDatabase({
    purpose: 'trust_log',
    migrations: [{ dir: TRUST_MIGRATIONS_DIR, table: TRUST_MIGRATIONS_TABLE }],
  });
  db = pgExecutor(database.pool);
});
afterAll(() => database.drop());

// Every test starts from an empty log. The log refuses TRUNCATE, so its objects are recreated
// from the migration files.
beforeEach(async () => {
  await database.pool.query(`
    DROP TABLE message_log, message_log_head CASCADE;
    DROP FUNCTION message_log_extend_head, message_log_refuse_change, message_log_head_guard;`);
  for (const file of MIGRATION) {
    await database.pool.query(readFileSync(path.join(TRUST_MIGRATIONS_DIR, file), 'utf8'));
  }
});

/** 411700 receives a status report of 429005's and accepts it with a signed receipt. */
function received(sequence: number, caseId = '411700-20250301-000042'): LogEntryInput {
  const envelope = sealEnvelope(statusEnvelope({ caseId, sequence }), keys[HUBEI]!);
  const receipt = sealReceipt(
    acceptedReceipt({ messageId: `m-${sequence}`, envelopeSha256: sha256Hex(envelope.envelope) }),
    keys[HENAN]!,
  );
  return {
    direction: 'IN',
    peerRegion: HUBEI,
    messageId: `m-${sequence}`,
    caseId,
    sequence,
    status: 'ACCEPTED',
    envelope,
    receipt,
  };
}

async function appendMany(count: number): Promise<void> {
  for (let sequence = 1; sequence <= count; sequence += 1) {
    await withPgTransaction(database.pool, (tx) => appendLogEntry(tx, received(sequence)));
  }
}

/** Runs `sql` with the append-only trigger switched off, as only the table's owner can. */
async function tamper(sql: string): Promise<void> {
  await withPgTransaction(database.pool, async (tx) => {
    await tx.query('ALTER TABLE message_log DISABLE TRIGGER message_log_append_only');
    await tx.query(sql);
    await tx.query('ALTER TABLE message_log ENABLE TRIGGER message_log_append_only');
  });
}

describe('appending', () => {
  it('links the first entry to the genesis hash and every next one to its predecessor', async () => {
    const first = await withPgTransaction(database.pool, (tx) => appendLogEntry(tx, received(1)));
    const second = await withPgTransaction(database.pool, (tx) => appendLogEntry(tx, received(2)));
    expect(first.logIndex).toBe(1);
    expect(second.logIndex).toBe(2);

    const [one, two] = await readLog(db);
    expect(one!.prevHash).toBe(GENESIS_HASH);
    expect(one!.entryHash).toBe(first.entryHash);
    expect(two!.prevHash).toBe(first.entryHash);
    expect(computeEntryHash(one!.entryHash, two!)).toBe(second.entryHash);
    expect(await verifyLog(db)).toEqual({
      ok: true,
      entries: 2,
      head: { logIndex: 2, entryHash: second.entryHash },
    });
  });

  it('keeps the signed envelope and receipt byte for byte', async () => {
    const input = received(1);
    const appended = await withPgTransaction(database.pool, (tx) => appendLogEntry(tx, input));
    const [entry] = await readLog(db, { messageId: 'm-1' });
    expect(entry).toMatchObject({
      logIndex: 1,
      direction: 'IN',
      peerRegion: HUBEI,
      caseId: input.caseId,
      sequence: 1,
      status: 'ACCEPTED',
      errorCode: '',
      envelopeSha256: sha256Hex(input.envelope.envelope),
      envelope: input.envelope,
      receipt: input.receipt,
      loggedAt: appended.loggedAt,
    });
  });

  it('records an entry without a receipt, e.g. an envelope sent and not yet acknowledged', async () => {
    const input: LogEntryInput = {
      ...received(1),
      direction: 'OUT',
      status: 'PENDING',
      receipt: undefined,
    };
    await withPgTransaction(database.pool, (tx) => appendLogEntry(tx, input));
    const [entry] = await readLog(db);
    expect(entry!.receipt).toBeUndefined();
    expect((await verifyLog(db)).ok).toBe(true);
  });

  it('produces one unbroken chain from many concurrent transactions', async () => {
    const count = 40;
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        withPgTransaction(database.pool, async (tx) => {
          const appended = await appendLogEntry(tx, received(index + 1, `case-${index % 4}`));
          // Hold the transaction open a little, so other appenders really queue on the head.
          await tx.query('SELECT pg_sleep(0.005)');
          return appended;
        }),
      ),
    );
    const result = await verifyLog(db, { batchSize: 7 });
    expect(result).toMatchObject({ ok: true, entries: count });
    // More than 9 entries: the order is numeric, not the text order of the indexes.
    const entries = await readLog(db, { limit: 1000 });
    expect(entries.map((entry) => entry.logIndex)).toEqual(
      Array.from({ length: count }, (_, index) => index + 1),
    );
    // The database clock, read under the head lock, never goes back along the chain.
    const times = entries.map((entry) => entry.loggedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('leaves no gap when an append is rolled back', async () => {
    await appendMany(2);
    await expect(
      withPgTransaction(database.pool, async (tx) => {
        await appendLogEntry(tx, received(3));
        throw new Error('the business change failed after logging');
      }),
    ).rejects.toThrow('the business change failed');
    await withPgTransaction(database.pool, (tx) => appendLogEntry(tx, received(4)));

    const entries = await readLog(db);
    expect(entries.map((entry) => [entry.logIndex, entry.sequence])).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
    expect(await verifyLog(db)).toMatchObject({ ok: true, entries: 3 });
  });

  it('refuses an entry that does not extend the head (a writer that skipped the head lock)', async () => {
    await appendMany(1);
    await expect(
      database.pool.query(
        `INSERT INTO message_log (log_index, logged_at, direction, peer_region, message_id, case_id,
           sequence, status, envelope_sha256, envelope, signature, key_id, prev_hash, entry_hash)
         VALUES (5, now(), 'IN', '429005', 'm', 'c', 1, 'ACCEPTED', $1, '\\x00', '\\x00', 'k', $2, $1)`,
        ['c'.repeat(64), GENESIS_HASH],
      ),
    ).rejects.toThrow(/LOG\.NOT_AT_HEAD/);
  });
});

describe('append-only, enforced by the database', () => {
  beforeEach(() => appendMany(3));

  it('refuses UPDATE of an entry', async () => {
    await expect(
      database.pool.query(`UPDATE message_log SET status = 'REJECTED' WHERE log_index = 2`),
    ).rejects.toMatchObject({
      code: '23001',
      message: expect.stringContaining('LOG.APPEND_ONLY') as unknown,
    });
  });

  it('refuses DELETE and TRUNCATE', async () => {
    await expect(
      database.pool.query('DELETE FROM message_log WHERE log_index = 3'),
    ).rejects.toThrow(/LOG\.APPEND_ONLY/);
    await expect(database.pool.query('TRUNCATE message_log')).rejects.toThrow(/LOG\.APPEND_ONLY/);
    expect(await verifyLog(db)).toMatchObject({ ok: true, entries: 3 });
  });

  it('refuses moving the head by hand, so cut-off entries cannot be hidden', async () => {
    await expect(database.pool.query('UPDATE message_log_head SET last_index = 1')).rejects.toThrow(
      /LOG\.APPEND_ONLY/,
    );
    await expect(database.pool.query('DELETE FROM message_log_head')).rejects.toThrow(
      /LOG\.APPEND_ONLY/,
    );
  });
});

describe('tampering, found by verifyLog at the right entry', () => {
  beforeEach(() => appendMany(5));

  it('a changed field of an entry', async () => {
    await tamper(`UPDATE message_log SET case_id = 'someone-else' WHERE log_index = 3`);
    expect(await verifyLog(db)).toMatchObject({
      ok: false,
      brokenAt: 3,
      reason: 'LOG.ENTRY_HASH_MISMATCH',
    });
  });

  it('a changed entry whose hash was recomputed: the next entry no longer links to it', async () => {
    const [entry] = await readLog(db, { fromIndex: 3, limit: 1 });
    const forged = { ...entry!, status: 'REJECTED' as const };
    const rehashed = computeEntryHash(entry!.prevHash, forged);
    await tamper(
      `UPDATE message_log SET status = 'REJECTED', entry_hash = '${rehashed}' WHERE log_index = 3`,
    );
    expect(await verifyLog(db)).toMatchObject({
      ok: false,
      brokenAt: 4,
      reason: 'LOG.PREV_HASH_MISMATCH',
    });
  });

  it('swapped envelope bytes', async () => {
    await tamper(
      `UPDATE message_log SET envelope = (SELECT envelope FROM message_log WHERE log_index = 1)
        WHERE log_index = 2`,
    );
    expect(await verifyLog(db)).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: 'LOG.ENVELOPE_HASH_MISMATCH',
    });
  });

  it('a deleted entry in the middle', async () => {
    await tamper('DELETE FROM message_log WHERE log_index = 2');
    expect(await verifyLog(db)).toMatchObject({ ok: false, brokenAt: 2, reason: 'LOG.INDEX_GAP' });
  });

  it('entries cut off the end', async () => {
    await tamper('DELETE FROM message_log WHERE log_index >= 4');
    expect(await verifyLog(db)).toMatchObject({
      ok: false,
      brokenAt: 4,
      reason: 'LOG.HEAD_MISMATCH',
    });
  });

  it('a forged signature, when asked to check signatures', async () => {
    expect(await verifyLog(db, { keys: ring })).toMatchObject({ ok: true, entries: 5 });
    const [entry] = await readLog(db, { fromIndex: 5, limit: 1 });
    const forged = { ...entry!, envelope: { ...entry!.envelope, signature: Buffer.alloc(64, 1) } };
    await tamper(
      `UPDATE message_log SET signature = '\\x${'01'.repeat(64)}',
         entry_hash = '${computeEntryHash(entry!.prevHash, forged)}' WHERE log_index = 5`,
    );
    // The chain sees that the last entry is not the one the head recorded ...
    expect(await verifyLog(db)).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: 'LOG.HEAD_MISMATCH',
    });
    // ... and the signature check says what is wrong with it.
    expect(await verifyLog(db, { keys: ring })).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: 'LOG.BAD_SIGNATURE',
    });
  });
});

describe('reading', () => {
  it('filters by message, case and direction and pages by index', async () => {
    for (const [sequence, caseId] of [
      [1, 'case-a'],
      [2, 'case-b'],
      [3, 'case-a'],
    ] as const) {
      await withPgTransaction(database.pool, (tx) =>
        appendLogEntry(tx, received(sequence, caseId)),
      );
    }
    await withPgTransaction(database.pool, (tx) =>
      appendLogEntry(tx, {
        ...received(9, 'case-a'),
        direction: 'OUT',
        peerRegion: HUBEI,
        status: 'REJECTED',
        errorCode: 'EXCHANGE.ITEM_NOT_IN_AGREEMENT',
        receipt: sealReceipt(
          acceptedReceipt({
            messageId: 'm-9',
            senderRegion: HENAN,
            receiverRegion: HUBEI,
            status: ReceiptStatus.RECEIPT_STATUS_REJECTED,
            errorCode: 'EXCHANGE.ITEM_NOT_IN_AGREEMENT',
          }),
          keys[HUBEI]!,
        ),
      }),
    );

    expect((await readLog(db, { caseId: 'case-a' })).map((entry) => entry.logIndex)).toEqual([
      1, 3, 4,
    ]);
    expect((await readLog(db, { messageId: 'm-2' })).map((entry) => entry.caseId)).toEqual([
      'case-b',
    ]);
    const [out] = await readLog(db, { direction: 'OUT' });
    expect(out).toMatchObject({ status: 'REJECTED', errorCode: 'EXCHANGE.ITEM_NOT_IN_AGREEMENT' });
    expect((await readLog(db, { fromIndex: 2, limit: 2 })).map((entry) => entry.logIndex)).toEqual([
      2, 3,
    ]);
    expect(await verifyLog(db, { keys: ring })).toMatchObject({ ok: true, entries: 4 });
  });
});
