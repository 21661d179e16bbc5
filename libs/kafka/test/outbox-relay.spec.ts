import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeSent } from '@tongban/contracts';
import { pgExecutor, withPgTransaction, type PgTransaction } from '@tongban/persistence';
import { eventually, readTopic, spawnTsProcess, type IsolatedDatabase } from '@tongban/testing';
import {
  createKafkaClient,
  decodeEnvelope,
  enqueueEvents,
  EventConsumer,
  EventProducer,
  idempotent,
  newEventMetadata,
  on,
  OutboxRelay,
  type KafkaClient,
  type OutgoingEvent,
  type TopicNaming,
} from '../src';
import { isolatedRegion, outboxDatabase } from './support';

let client: KafkaClient;
let naming: TopicNaming;
let brokers: string[];
let producer: EventProducer;
let database: IsolatedDatabase;

beforeAll(async () => {
  ({ client, naming, brokers } = await isolatedRegion());
  producer = new EventProducer(client);
  await producer.connect();
  database = await outboxDatabase();
});

afterAll(async () => {
  await producer.disconnect();
  await database.drop();
});

function probe(caseId: string, label: string, sequence = 1): OutgoingEvent<ProbeSent> {
  return {
    metadata: newEventMetadata({ caseId, region: '411700', service: 'intake' }),
    type: ProbeSent,
    payload: { label, sequence },
  };
}

async function enqueueCommitted(topic: string, events: OutgoingEvent[]): Promise<void> {
  await withPgTransaction(database.pool, (tx) => enqueueEvents(tx, topic, events));
}

async function eventIdsOn(topic: string, count: number, timeoutMs = 10_000): Promise<string[]> {
  const messages = await readTopic(brokers, topic, { count, timeoutMs, settleMs: 500 });
  return messages.map((message) => decodeEnvelope(message.value).metadata.eventId);
}

async function unpublishedCount(): Promise<number> {
  const result = await database.pool.query<{ count: string }>(
    'SELECT count(*) FROM outbox WHERE published_at IS NULL',
  );
  return Number(result.rows[0]?.count);
}

describe('OutboxRelay against the real broker and database', () => {
  it('publishes committed rows as soon as they commit and marks them published', async () => {
    const topic = naming.events('intake');
    const relay = new OutboxRelay({ pool: database.pool, producer, pollIntervalMs: 60_000 });
    await relay.start();
    try {
      const events = [
        probe('411700-20261122-000101', 'live', 1),
        probe('411700-20261122-000101', 'live', 2),
      ];
      await enqueueCommitted(topic, events);
      // The poll interval is a minute: only the commit notification can make this pass quickly.
      await eventually(
        async () => {
          expect(await unpublishedCount()).toBe(0);
        },
        { timeoutMs: 15_000 },
      );
      expect(await eventIdsOn(topic, 2)).toEqual(events.map((event) => event.metadata.eventId));
    } finally {
      await relay.stop();
    }
  });

  it('publishes a row that commits after a row with a higher id was already published', async () => {
    const topic = naming.events('review');
    const relay = new OutboxRelay({ pool: database.pool, producer });
    const early = probe('411700-20261122-000201', 'slow-transaction');
    const late = probe('411700-20261122-000202', 'fast-transaction');

    const slow = await database.pool.connect();
    try {
      await slow.query('BEGIN');
      await enqueueEvents(pgExecutor(slow), topic, [early]); // takes the lower id, not committed
      await enqueueCommitted(topic, [late]); // takes the higher id, committed first
      const ids = await database.pool.query<{ event_id: string; id: string }>(
        'SELECT event_id, id FROM outbox WHERE topic = $1',
        [topic],
      );
      expect(ids.rows).toHaveLength(1); // the slow row is not visible yet

      expect(await relay.publishBatch()).toBe(1);
      await slow.query('COMMIT');
      expect(await relay.publishBatch()).toBe(1);
    } finally {
      slow.release();
    }
    const rows = await database.pool.query<{ event_id: string; id: string }>(
      'SELECT event_id, id FROM outbox WHERE topic = $1 ORDER BY id',
      [topic],
    );
    expect(rows.rows.map((row) => row.event_id)).toEqual([
      early.metadata.eventId,
      late.metadata.eventId,
    ]);
    // Both published, each once (the two cases sit in different partitions, so no order between them).
    const published = await eventIdsOn(topic, 2);
    expect(published).toHaveLength(2);
    expect(new Set(published)).toEqual(new Set([early.metadata.eventId, late.metadata.eventId]));
  });

  it('applies an event once when the relay dies between publishing and marking it', async () => {
    const topic = naming.events('intake');
    const event = probe('411700-20261122-000301', 'crash-window', 42);
    await enqueueCommitted(topic, [event]);

    const crashing = spawnTsProcess(
      new URL('fixtures/relay-killed-after-publish.ts', `file://${__filename}`).href,
      {
        env: { DATABASE_URL: database.url, KAFKA_BROKERS: brokers.join(',') },
      },
    );
    await crashing.waitForLine(new RegExp(`published .*${event.metadata.eventId}`));
    expect(await crashing.exited).toBe('SIGKILL');
    expect(await unpublishedCount()).toBe(1); // Kafka has it, the row does not say so

    // A fresh relay publishes the row again: the topic now holds the event twice.
    // Until PostgreSQL notices the dead connection, the killed relay's transaction still holds the
    // relay lock and a new relay politely publishes nothing.
    const relay = new OutboxRelay({ pool: database.pool, producer });
    await eventually(async () => {
      expect(await relay.publishBatch()).toBe(1);
    });
    expect(await unpublishedCount()).toBe(0);
    await eventually(async () => {
      const ids = await eventIdsOn(topic, 1_000, 1_000);
      expect(ids.filter((id) => id === event.metadata.eventId)).toHaveLength(2);
    });

    // The consumer's inbox turns the two deliveries into one effect.
    const duplicates: string[] = [];
    const group = `${naming.consumerGroup('review')}.crash`;
    const consumer = new EventConsumer(client, {
      groupId: group,
      topics: [topic],
      deadLetterTopic: naming.deadLetters('review'),
      producer,
      routes: [
        on(
          ProbeSent,
          idempotent<ProbeSent, PgTransaction>(
            {
              consumerGroup: group,
              transaction: (work) => withPgTransaction(database.pool, work),
              executor: (tx) => tx,
              onDuplicate: (duplicate) => duplicates.push(duplicate.metadata.eventId),
            },
            async (consumed, tx) => {
              await tx.query(
                'INSERT INTO probe_effects (event_id, case_id, label, sequence) VALUES ($1, $2, $3, $4)',
                [
                  consumed.metadata.eventId,
                  consumed.metadata.caseId,
                  consumed.payload.label,
                  consumed.payload.sequence,
                ],
              );
            },
          ),
        ),
      ],
    });
    await consumer.start();
    try {
      await eventually(() => {
        expect(duplicates).toEqual([event.metadata.eventId]);
      });
    } finally {
      await consumer.stop();
    }
    const effects = await database.pool.query('SELECT * FROM probe_effects WHERE event_id = $1', [
      event.metadata.eventId,
    ]);
    expect(effects.rows).toHaveLength(1);
    expect(effects.rows[0]).toMatchObject({ label: 'crash-window', sequence: '42' });
  });

  it('lets only one of two relays of a service publish at a time, so nothing is sent twice', async () => {
    const topic = naming.events('certificate');
    const events = Array.from({ length: 50 }, (_, index) =>
      probe('411700-20261122-000401', 'pair', index),
    );
    const backlog = await unpublishedCount();
    await enqueueCommitted(topic, events);
    const first = new OutboxRelay({ pool: database.pool, producer, batchSize: 10 });
    const second = new OutboxRelay({ pool: database.pool, producer, batchSize: 10 });
    let published = 0;
    while ((await unpublishedCount()) > 0) {
      const counts = await Promise.all([first.publishBatch(), second.publishBatch()]);
      published += counts[0] + counts[1];
    }
    expect(published).toBe(backlog + 50);
    const ids = await eventIdsOn(topic, 50);
    expect(ids).toEqual(events.map((event) => event.metadata.eventId));
  });

  it('records the error on the rows and keeps them for the next attempt when Kafka refuses', async () => {
    const missingTopic = `${naming.prefix}411700.nowhere.events.v1`;
    await enqueueCommitted(missingTopic, [probe('411700-20261122-000501', 'refused')]);
    // A client that gives up quickly, so the test does not wait out the default retries.
    const impatient = new EventProducer(
      createKafkaClient({ brokers, clientId: 'impatient', retries: 1 }),
    );
    await impatient.connect();
    const relay = new OutboxRelay({ pool: database.pool, producer: impatient });
    await expect(relay.publishBatch()).rejects.toThrow();
    await impatient.disconnect();
    const row = await database.pool.query<{
      attempts: number;
      last_error: string | null;
      published_at: Date | null;
    }>('SELECT attempts, last_error, published_at FROM outbox WHERE topic = $1', [missingTopic]);
    expect(row.rows[0]?.published_at).toBeNull();
    expect(row.rows[0]?.attempts).toBe(1);
    expect(row.rows[0]?.last_error).toBeTruthy();
    await database.pool.query('DELETE FROM outbox WHERE topic = $1', [missingTopic]);
  });

  it('parks a row Kafka refuses for good and keeps publishing the rows behind it', async () => {
    const topic = naming.events('certificate');
    const before = probe('411700-20261122-000601', 'before-oversized');
    // Over the broker's 1 MB message limit: no retry can ever publish it.
    const oversized = probe('411700-20261122-000602', 'x'.repeat(1_200_000));
    const after = probe('411700-20261122-000603', 'after-oversized');
    await enqueueCommitted(topic, [before, oversized, after]);
    const relay = new OutboxRelay({ pool: database.pool, producer });
    await relay.start();
    try {
      await eventually(
        async () => {
          expect(await unpublishedCount()).toBe(1);
          const parked = await database.pool.query<{ event_id: string; last_error: string }>(
            'SELECT event_id, last_error FROM outbox WHERE parked_at IS NOT NULL',
          );
          expect(parked.rows.map((row) => row.event_id)).toEqual([oversized.metadata.eventId]);
          expect(parked.rows[0]?.last_error).toMatch(/larger than the max message size/);
        },
        { timeoutMs: 20_000 },
      );
      expect(relay.stats.parked).toBe(1);
    } finally {
      await relay.stop();
    }
    const published = await eventIdsOn(topic, 1_000, 2_000);
    expect(published).toEqual(
      expect.arrayContaining([before.metadata.eventId, after.metadata.eventId]),
    );
    expect(published).not.toContain(oversized.metadata.eventId);
  });
});
