import { createHash } from 'node:crypto';
import type {
  SignedEnvelope,
  SignedReceipt,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { SqlExecutor } from '@tongban/persistence';
import type { PublicKeyDirectory } from './public-key-ring';
import { openEnvelope, openReceipt } from './sealed-messages';
import { sha256Hex } from './signing-keys';
import { TrustError } from './trust-error';

export type LogDirection = 'IN' | 'OUT';
/**
 * PENDING: sent, no receipt yet. ACCEPTED / REJECTED: the receipt's verdict. DUPLICATE: received
 * again and answered with the original receipt. FAILED: the retry budget ran out.
 */
export type LogStatus = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'DUPLICATE' | 'FAILED';

export interface LogEntryInput {
  direction: LogDirection;
  /** The other region: the recipient of an OUT entry, the sender of an IN entry. */
  peerRegion: string;
  /** Empty when the envelope could not be decoded. */
  messageId: string;
  caseId: string;
  /** 0 when unknown (an undecodable envelope). */
  sequence: number;
  status: LogStatus;
  /** Stable code of a refusal or failure, e.g. EXCHANGE.BAD_SIGNATURE. */
  errorCode?: string;
  /** As it travelled; its hash is computed here from the bytes, never taken from the caller. */
  envelope: SignedEnvelope;
  receipt?: SignedReceipt;
}

export interface LogEntry {
  logIndex: number;
  loggedAt: Date;
  direction: LogDirection;
  peerRegion: string;
  messageId: string;
  caseId: string;
  sequence: number;
  status: LogStatus;
  errorCode: string;
  envelopeSha256: string;
  envelope: SignedEnvelope;
  receipt: SignedReceipt | undefined;
  prevHash: string;
  entryHash: string;
}

export interface AppendedLogEntry {
  logIndex: number;
  entryHash: string;
  loggedAt: Date;
}

export type LogVerification =
  | { ok: true; entries: number; head: { logIndex: number; entryHash: string } }
  | { ok: false; brokenAt: number; reason: LogBreak; detail: string };

/** Why a chain does not verify; `brokenAt` is the log index where the problem shows. */
export type LogBreak =
  /** The entry at `brokenAt` is missing: the indexes jump over it. */
  | 'LOG.INDEX_GAP'
  /** The entry does not name the previous entry's hash: something before it was changed. */
  | 'LOG.PREV_HASH_MISMATCH'
  /** The entry's content no longer hashes to its entry_hash: it was changed. */
  | 'LOG.ENTRY_HASH_MISMATCH'
  /** The stored envelope_sha256 is not the hash of the stored envelope bytes. */
  | 'LOG.ENVELOPE_HASH_MISMATCH'
  /** The head row disagrees with the last entry: entries were cut off the end (or added past it). */
  | 'LOG.HEAD_MISMATCH'
  /** An envelope or receipt signature does not verify (only with `keys`). */
  | 'LOG.BAD_SIGNATURE';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** First field of every hashed entry: names the encoding, so a future v2 cannot be confused with it. */
export const LOG_HASH_VERSION = 'tongban.message-log.v1';

/** What the entry hash covers: every column except entry_hash itself. */
export type HashedLogFields = Omit<LogEntry, 'entryHash' | 'prevHash'>;

/** Length prefix meaning SQL NULL: no real field is 4 GiB long (bytea stops at 1 GiB). */
const ABSENT = 0xffffffff;

/**
 * entry_hash = lower-case hex SHA-256( prev_hash as 32 raw bytes ‖ F(f1) ‖ F(f2) ‖ … ), where
 * F(x) = 4-byte big-endian length of x ‖ x, and absent (NULL) fields are the 4 bytes FF FF FF FF
 * with nothing after them. Text is UTF-8; integers are decimal ASCII without leading zeros. The
 * fields, in this order:
 *
 *   "tongban.message-log.v1", log_index, logged_at (milliseconds since the Unix epoch),
 *   direction, peer_region, message_id, case_id, sequence, status, error_code,
 *   envelope_sha256 (hex text), envelope (bytes), signature (bytes), key_id,
 *   receipt (bytes or absent), receipt_signature (bytes or absent), receipt_key_id (or absent)
 *
 * Every field is length-prefixed, so no two different entries encode to the same bytes (no
 * "ab"+"c" = "a"+"bc"), and the encoding needs nothing but SHA-256 to reproduce in any language.
 */
export function computeEntryHash(prevHash: string, entry: HashedLogFields): string {
  if (!/^[0-9a-f]{64}$/.test(prevHash)) {
    throw new RangeError(`prev_hash must be 64 lower-case hex digits, got "${prevHash}"`);
  }
  const hash = createHash('sha256').update(Buffer.from(prevHash, 'hex'));
  const field = (value: string | Uint8Array | undefined): void => {
    const length = Buffer.alloc(4);
    if (value === undefined) {
      length.writeUInt32BE(ABSENT);
      hash.update(length);
      return;
    }
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  field(LOG_HASH_VERSION);
  field(String(entry.logIndex));
  field(String(entry.loggedAt.getTime()));
  field(entry.direction);
  field(entry.peerRegion);
  field(entry.messageId);
  field(entry.caseId);
  field(String(entry.sequence));
  field(entry.status);
  field(entry.errorCode);
  field(entry.envelopeSha256);
  field(entry.envelope.envelope);
  field(entry.envelope.signature);
  field(entry.envelope.keyId);
  field(entry.receipt?.receipt);
  field(entry.receipt?.signature);
  field(entry.receipt?.keyId);
  return hash.digest('hex');
}

/**
 * Appends one entry in the caller's transaction (so the entry commits, or not, with the effect it
 * records) and returns its index and hash, which go into the receipt.
 *
 * The head row is locked FOR UPDATE first: concurrent appenders queue there, so each one links to
 * the entry committed before it, and a transaction that rolls back releases the head unchanged —
 * no gap, no fork. Under READ COMMITTED (the default) a waiter then sees the new head; under
 * REPEATABLE READ or SERIALIZABLE PostgreSQL reports a serialization failure instead, and the
 * transaction must be retried. logged_at is the database clock, read under the same lock, so it
 * never goes backwards along the chain on one clock.
 */
export async function appendLogEntry(
  tx: SqlExecutor,
  input: LogEntryInput,
): Promise<AppendedLogEntry> {
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 0) {
    throw new RangeError(`sequence must be a non-negative integer, got ${input.sequence}`);
  }
  const { rows } = await tx.query<{ last_index: string; last_hash: string; now_ms: string }>(
    `SELECT last_index::text AS last_index, last_hash,
            floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS now_ms
       FROM message_log_head FOR UPDATE`,
  );
  const head = rows[0];
  if (!head) throw new Error('message_log_head has no row: the message-log DDL was not applied');
  const entry: HashedLogFields = {
    logIndex: Number(head.last_index) + 1,
    loggedAt: new Date(Number(head.now_ms)),
    direction: input.direction,
    peerRegion: input.peerRegion,
    messageId: input.messageId,
    caseId: input.caseId,
    sequence: input.sequence,
    status: input.status,
    errorCode: input.errorCode ?? '',
    envelopeSha256: sha256Hex(input.envelope.envelope),
    envelope: input.envelope,
    receipt: input.receipt,
  };
  const entryHash = computeEntryHash(head.last_hash, entry);
  await tx.query(
    `INSERT INTO message_log (log_index, logged_at, direction, peer_region, message_id, case_id,
       sequence, status, error_code, envelope_sha256, envelope, signature, key_id, receipt,
       receipt_signature, receipt_key_id, prev_hash, entry_hash)
     VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      entry.logIndex,
      entry.loggedAt.toISOString(),
      entry.direction,
      entry.peerRegion,
      entry.messageId,
      entry.caseId,
      entry.sequence,
      entry.status,
      entry.errorCode,
      entry.envelopeSha256,
      entry.envelope.envelope,
      entry.envelope.signature,
      entry.envelope.keyId,
      entry.receipt?.receipt ?? null,
      entry.receipt?.signature ?? null,
      entry.receipt?.keyId ?? null,
      head.last_hash,
      entryHash,
    ],
  );
  return { logIndex: entry.logIndex, entryHash, loggedAt: entry.loggedAt };
}

export interface ReadLogOptions {
  /** First log index to return (inclusive); 1 by default. */
  fromIndex?: number;
  /** At most this many entries; 1000 by default. */
  limit?: number;
  messageId?: string;
  caseId?: string;
  direction?: LogDirection;
}

/** Entries in log order, optionally of one message or case. */
export async function readLog(
  executor: SqlExecutor,
  options: ReadLogOptions = {},
): Promise<LogEntry[]> {
  const conditions = ['log_index >= $1'];
  const params: unknown[] = [options.fromIndex ?? 1];
  const filter = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
  };
  filter('message_id', options.messageId);
  filter('case_id', options.caseId);
  filter('direction', options.direction);
  params.push(options.limit ?? 1000);
  const { rows } = await executor.query<LogRow>(
    `${SELECT_ENTRIES} WHERE ${conditions.join(' AND ')} ORDER BY message_log.log_index LIMIT $${params.length}`,
    params,
  );
  return rows.map(toEntry);
}

export interface VerifyLogOptions {
  /**
   * Also verify signatures: every envelope not REJECTED (a rejected one may be a forgery, logged
   * as evidence) and every receipt. Must know the own region's keys as well as the partners', and
   * retired keys too, for old entries.
   */
  keys?: PublicKeyDirectory;
  /** Entries read per query; the log is streamed, never loaded whole. */
  batchSize?: number;
}

/**
 * Walks the whole chain from genesis and checks, for every entry: the index follows the previous
 * one, prev_hash is the previous entry_hash, the stored envelope hash matches the bytes, the
 * entry hash recomputes; then that the head row names the last entry. Returns the first break.
 */
export async function verifyLog(
  executor: SqlExecutor,
  options: VerifyLogOptions = {},
): Promise<LogVerification> {
  const batchSize = options.batchSize ?? 500;
  let expectedIndex = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const { rows } = await executor.query<LogRow>(
      `${SELECT_ENTRIES} WHERE log_index >= $1 ORDER BY message_log.log_index LIMIT $2`,
      [expectedIndex, batchSize],
    );
    for (const row of rows) {
      const entry = toEntry(row);
      const broken = checkEntry(entry, expectedIndex, prevHash, options.keys);
      if (broken) return broken;
      prevHash = entry.entryHash;
      expectedIndex += 1;
    }
    if (rows.length < batchSize) break;
  }
  const entries = expectedIndex - 1;
  const { rows } = await executor.query<{ last_index: string; last_hash: string }>(
    'SELECT last_index::text AS last_index, last_hash FROM message_log_head',
  );
  const headIndex = Number(rows[0]?.last_index ?? -1);
  const headHash = rows[0]?.last_hash;
  if (headIndex !== entries || headHash !== prevHash) {
    return {
      ok: false,
      // Entries missing after the last one; entries past the head; or the last entry changed.
      brokenAt: headIndex > entries ? entries + 1 : headIndex < entries ? headIndex + 1 : entries,
      reason: 'LOG.HEAD_MISMATCH',
      detail: `the head names entry ${headIndex} (${String(headHash)}), the chain ends at entry ${entries} (${prevHash})`,
    };
  }
  return { ok: true, entries, head: { logIndex: entries, entryHash: prevHash } };
}

function checkEntry(
  entry: LogEntry,
  expectedIndex: number,
  prevHash: string,
  keys: PublicKeyDirectory | undefined,
): Extract<LogVerification, { ok: false }> | undefined {
  const broken = (reason: LogBreak, detail: string, at = entry.logIndex) => ({
    ok: false as const,
    brokenAt: at,
    reason,
    detail,
  });
  if (entry.logIndex !== expectedIndex) {
    return broken(
      'LOG.INDEX_GAP',
      `entry ${expectedIndex} is missing (next is ${entry.logIndex})`,
      expectedIndex,
    );
  }
  if (entry.prevHash !== prevHash) {
    return broken(
      'LOG.PREV_HASH_MISMATCH',
      `entry ${entry.logIndex} names ${entry.prevHash} as its predecessor, the previous entry hashes to ${prevHash}`,
    );
  }
  if (sha256Hex(entry.envelope.envelope) !== entry.envelopeSha256) {
    return broken(
      'LOG.ENVELOPE_HASH_MISMATCH',
      `entry ${entry.logIndex}: the envelope bytes do not hash to the stored envelope_sha256`,
    );
  }
  const recomputed = computeEntryHash(prevHash, entry);
  if (recomputed !== entry.entryHash) {
    return broken(
      'LOG.ENTRY_HASH_MISMATCH',
      `entry ${entry.logIndex} hashes to ${recomputed}, stored ${entry.entryHash}`,
    );
  }
  if (keys) {
    try {
      if (entry.status !== 'REJECTED') openEnvelope(entry.envelope, keys);
      if (entry.receipt) openReceipt(entry.receipt, keys);
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      return broken('LOG.BAD_SIGNATURE', `entry ${entry.logIndex}: ${error.code} ${error.message}`);
    }
  }
  return undefined;
}

// Integers and times are cast in SQL so a pg client and Prisma's raw queries (which return
// bigint and Date differently) give the same strings. The casts shadow the column names in
// ORDER BY, hence the qualified `message_log.log_index` there (text sorts 1, 10, 2).
const SELECT_ENTRIES = `
  SELECT log_index::text AS log_index,
         round(extract(epoch FROM logged_at) * 1000)::bigint::text AS logged_at_ms,
         direction, peer_region, message_id, case_id, sequence::text AS sequence, status,
         error_code, envelope_sha256, envelope, signature, key_id, receipt, receipt_signature,
         receipt_key_id, prev_hash, entry_hash
    FROM message_log`;

type LogRow = {
  log_index: string;
  logged_at_ms: string;
  direction: LogDirection;
  peer_region: string;
  message_id: string;
  case_id: string;
  sequence: string;
  status: LogStatus;
  error_code: string;
  envelope_sha256: string;
  envelope: Uint8Array;
  signature: Uint8Array;
  key_id: string;
  receipt: Uint8Array | null;
  receipt_signature: Uint8Array | null;
  receipt_key_id: string | null;
  prev_hash: string;
  entry_hash: string;
};

function toEntry(row: LogRow): LogEntry {
  return {
    logIndex: Number(row.log_index),
    loggedAt: new Date(Number(row.logged_at_ms)),
    direction: row.direction,
    peerRegion: row.peer_region,
    messageId: row.message_id,
    caseId: row.case_id,
    sequence: Number(row.sequence),
    status: row.status,
    errorCode: row.error_code,
    envelopeSha256: row.envelope_sha256,
    envelope: {
      envelope: Buffer.from(row.envelope),
      signature: Buffer.from(row.signature),
      keyId: row.key_id,
    },
    receipt:
      row.receipt === null
        ? undefined
        : {
            receipt: Buffer.from(row.receipt),
            signature: Buffer.from(row.receipt_signature ?? []),
            keyId: row.receipt_key_id ?? '',
          },
    prevHash: row.prev_hash,
    entryHash: row.entry_hash,
  };
}
