import type { Pool } from 'pg';
import { PgNotificationListener } from '@tongban/persistence';
import type { Logger } from '@tongban/telemetry';
import type { EventProducer } from '../event-producer';
import { OUTBOX_CHANNEL } from './outbox';

export interface OutboxRelayOptions {
  /** The service's own database, where its outbox table lives. */
  pool: Pool;
  producer: EventProducer;
  /** Rows published per Kafka batch and database transaction. */
  batchSize?: number;
  /** Safety net when a notification is missed (listener reconnecting); normally NOTIFY wakes us. */
  pollIntervalMs?: number;
  /** Longest pause between attempts while Kafka or the database keeps failing. */
  maxBackoffMs?: number;
  logger?: Logger;
  /**
   * Runs after Kafka acknowledged a batch and before its rows are marked published. Fault tests
   * kill the process here to prove a republished row is applied once by the consumers' inbox.
   */
  afterPublish?: (eventIds: string[]) => Promise<void>;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/** Only one relay of a service publishes at a time, so a case's events keep their order. */
const RELAY_LOCK = 'tongban.outbox.relay';

/**
 * Publishes committed outbox rows to Kafka and marks them published.
 *
 * Each pass selects *every* unpublished row in id order — never "rows after the highest id seen":
 * ids are taken when a transaction inserts but become visible when it commits, so a row with a
 * lower id can appear after a higher one was published, and a cursor would skip it for good.
 *
 * A row is marked only after Kafka acknowledged it. If the relay dies in between, the row is sent
 * again on restart; consumers' inboxes drop the duplicate by event id (at-least-once delivery,
 * effectively-once effects).
 *
 * When a batch fails, the relay retries row by row: a row Kafka refuses for good (too large, ...)
 * is parked with its error instead of blocking every case behind it; while Kafka is merely
 * unavailable, nothing is parked and the relay backs off.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private listener: PgNotificationListener | undefined;
  private wakeRequested = false;
  private wake: (() => void) | undefined;
  private isolate = false;
  private published = 0;
  private failures = 0;
  private parked = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /** Counts since start, for health and dashboards. */
  get stats(): { published: number; failures: number; parked: number } {
    return { published: this.published, failures: this.failures, parked: this.parked };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.listener = new PgNotificationListener({
      connection: this.options.pool.options,
      channel: OUTBOX_CHANNEL,
      name: 'outbox listener',
      logger: this.options.logger,
      // Also called once listening (again): rows may have committed while nobody listened.
      onNotification: () => {
        this.notify();
      },
    });
    await this.listener.start();
    this.loop = this.run();
  }

  /** Stops the loop, then publishes what is left (bounded), so a graceful stop leaves no backlog. */
  async stop(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // No reconnecting while draining; the listener's connection is closed at the end.
    const listener = this.listener;
    this.listener = undefined;
    const listenerStopped = listener?.stop();
    this.wake?.();
    await this.loop;
    const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
    try {
      while (Date.now() < deadline && (await this.publishBatch()) > 0) {
        // keep draining
      }
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'outbox not fully drained at shutdown');
    }
    await listenerStopped;
  }

  /** Publishes one batch now; returns how many rows it published. */
  async publishBatch(limit = this.batchSize): Promise<number> {
    const client = await this.options.pool.connect();
    let rows: OutboxRow[] = [];
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [RELAY_LOCK],
      );
      if (!lock.rows[0]?.locked) {
        await client.query('ROLLBACK');
        return 0;
      }
      rows = (
        await client.query<OutboxRow>(
          `SELECT id, event_id, topic, message_key, payload, headers FROM outbox
            WHERE published_at IS NULL AND parked_at IS NULL ORDER BY id LIMIT $1`,
          [limit],
        )
      ).rows;
      if (rows.length > 0) {
        await this.options.producer.sendBatch(
          rows.map((row) => ({
            topic: row.topic,
            record: { key: row.message_key, value: row.payload, headers: row.headers },
          })),
        );
        await this.options.afterPublish?.(rows.map((row) => row.event_id));
        await client.query(
          `UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
            WHERE id = ANY($1::bigint[])`,
          [rows.map((row) => row.id)],
        );
      }
      await client.query('COMMIT');
      this.published += rows.length;
      return rows.length;
    } catch (error) {
      this.failures += 1;
      await client.query('ROLLBACK').catch(() => undefined);
      const ids = rows.map((row) => row.id);
      if (ids.length > 0) {
        // A single row Kafka refuses for good is parked; otherwise the failure is only recorded
        // on the rows, so operators see stuck events and why.
        const park = ids.length === 1 && refusedForGood(error);
        await this.options.pool
          .query(
            `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                    parked_at = CASE WHEN $3 THEN now() ELSE parked_at END
              WHERE id = ANY($1::bigint[])`,
            [ids, String(error).slice(0, 2_000), park],
          )
          .catch(() => undefined);
        if (park) {
          this.parked += 1;
          this.options.logger?.error(
            { err: error, eventId: rows[0]?.event_id, topic: rows[0]?.topic },
            'outbox row refused by Kafka for good; parked for an operator',
          );
          return 0;
        }
      }
      throw error;
    } finally {
      client.release();
    }
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      this.wakeRequested = false;
      try {
        const count = await this.publishBatch(this.isolate ? 1 : this.batchSize);
        backoff = 0;
        // Back to whole batches once the row that broke one is through (or parked).
        this.isolate = false;
        if (count > 0) continue;
      } catch (error) {
        if (!this.isolate) {
          // Find out whether one row is to blame: go row by row before backing off.
          this.isolate = true;
          continue;
        }
        backoff = Math.min(Math.max(100, backoff * 2), this.maxBackoffMs);
        this.options.logger?.error({ err: error, retryInMs: backoff }, 'outbox publish failed');
        // New commits must not cut the backoff short while Kafka is failing.
        await this.sleep(backoff, { wakeOnNotify: false });
        continue;
      }
      if (!this.notifiedDuringPass()) await this.sleep(this.pollIntervalMs, { wakeOnNotify: true });
    }
  }

  /** Whether a commit notification (or stop) arrived while the last pass was running. */
  private notifiedDuringPass(): boolean {
    return this.wakeRequested;
  }

  private notify(): void {
    this.wakeRequested = true;
    if (this.wakeOnNotify) this.wake?.();
  }

  private wakeOnNotify = true;

  /** Sleeps `ms`; stop() always ends the sleep, a commit notification only when asked to. */
  private sleep(ms: number, options: { wakeOnNotify: boolean }): Promise<void> {
    this.wakeOnNotify = options.wakeOnNotify;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
      this.wakeOnNotify = true;
    });
  }
}

/**
 * Whether Kafka refused a message for a reason retrying cannot fix (too large, invalid record),
 * as opposed to being unreachable or busy. kafkajs marks protocol errors `retriable` and wraps
 * them once its own retries are exhausted.
 */
function refusedForGood(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    const candidate = current as { name?: string; retriable?: boolean; type?: string };
    if (candidate.name === 'KafkaJSProtocolError' && candidate.retriable === false) return true;
    current =
      (current as { originalError?: unknown }).originalError ??
      (current as { cause?: unknown }).cause;
  }
  return false;
}
