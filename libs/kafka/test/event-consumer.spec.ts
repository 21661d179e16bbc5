import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeSent } from '@tongban/contracts';
import { eventually, produceRaw, readTopic, type RawMessage } from '@tongban/testing';
import {
  decodeEnvelope,
  DLQ_HEADERS,
  EventConsumer,
  EventProducer,
  newEventMetadata,
  on,
  PoisonMessageError,
  type ConsumedEvent,
  type KafkaClient,
  type TopicNaming,
} from '../src';
import { isolatedRegion } from './support';

type Probe = ConsumedEvent<ProbeSent>;

let client: KafkaClient;
let naming: TopicNaming;
let brokers: string[];
let producer: EventProducer;
const consumers: EventConsumer[] = [];

beforeAll(async () => {
  ({ client, naming, brokers } = await isolatedRegion());
  producer = new EventProducer(client);
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.stop()));
  await producer.disconnect();
});

/**
 * The dead letter one test's consumer group wrote for one case. Every group of this file reads
 * the same topic, so letters are told apart by group and key.
 */
async function deadLetterOf(groupSuffix: string, caseId: string): Promise<RawMessage> {
  return eventually(async () => {
    const dead = await readTopic(brokers, naming.deadLetters('review'), {
      count: 100,
      timeoutMs: 1_500,
    });
    const letters = dead.filter(
      (message) =>
        message.key === caseId && message.headers[DLQ_HEADERS.consumerGroup]?.endsWith(groupSuffix),
    );
    expect(letters).toHaveLength(1);
    return letters[0]!;
  });
}

function probe(caseId: string, label: string, sequence: number) {
  return {
    metadata: newEventMetadata({ caseId, region: '411700', service: 'intake' }),
    type: ProbeSent,
    payload: { label, sequence },
  };
}

async function startConsumer(
  group: string,
  handle: (event: Probe) => Promise<void>,
  options: { maxAttempts?: number } = {},
): Promise<EventConsumer> {
  const consumer = new EventConsumer(client, {
    groupId: `${naming.consumerGroup('review')}.${group}`,
    topics: [naming.events('intake')],
    routes: [on(ProbeSent, handle)],
    deadLetterTopic: naming.deadLetters('review'),
    producer,
    retryBackoffMs: 20,
    ...options,
  });
  consumers.push(consumer);
  await consumer.start();
  return consumer;
}

describe('EventConsumer against the real broker', () => {
  it('delivers published events to the handler in per-case order with their metadata', async () => {
    const received: Probe[] = [];
    await startConsumer('order', (event) => {
      if (event.payload.label === 'order') received.push(event);
      return Promise.resolve();
    });
    const events = [1, 2, 3, 4, 5].map((sequence) =>
      probe('411700-20261122-000010', 'order', sequence),
    );
    await producer.publish(naming.events('intake'), events);

    await eventually(() => {
      expect(received.map((event) => event.payload.sequence)).toEqual([1, 2, 3, 4, 5]);
    });
    expect(received[0]?.metadata).toEqual(events[0]?.metadata);
    expect(received[0]?.typeName).toBe('tongban.ops.v1.ProbeSent');
  });

  it('dead-letters undecodable bytes with the error and keeps consuming the next messages', async () => {
    const received: number[] = [];
    await startConsumer('poison', (event) => {
      if (event.payload.label === 'after-poison') received.push(event.payload.sequence);
      return Promise.resolve();
    });
    const caseId = '411700-20261122-000020';
    // A length-delimited field that claims 16 bytes and has 3: no protobuf decoder accepts it.
    // Same key, so the garbage sits in the same partition right before the good event.
    const garbage = Buffer.from([0x0a, 0x10, 0x61, 0x62, 0x63]);
    await produceRaw(brokers, naming.events('intake'), [{ key: caseId, value: garbage }]);
    await producer.publish(naming.events('intake'), [probe(caseId, 'after-poison', 1)]);

    await eventually(() => {
      expect(received).toEqual([1]);
    });
    const letter = await deadLetterOf('.poison', caseId);
    expect(letter.value).toEqual(garbage);
    expect(letter.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.UNDECODABLE');
    expect(letter.headers[DLQ_HEADERS.error]).toMatch(/not a protobuf EventEnvelope/);
    expect(letter.headers[DLQ_HEADERS.sourceTopic]).toBe(naming.events('intake'));
    expect(letter.headers[DLQ_HEADERS.attempts]).toBe('1');
  });

  it('retries a failing handler with backoff, then dead-letters the event and moves on', async () => {
    const attempts = new Map<number, number>();
    const applied: number[] = [];
    await startConsumer(
      'failing',
      (event) => {
        if (event.payload.label !== 'failing') return Promise.resolve();
        const sequence = event.payload.sequence;
        attempts.set(sequence, (attempts.get(sequence) ?? 0) + 1);
        // Sequence 1 always fails, sequence 2 fails once then succeeds, sequence 3 is fine.
        if (sequence === 1 || (sequence === 2 && attempts.get(2) === 1)) {
          return Promise.reject(new Error(`registry unavailable for ${sequence}`));
        }
        applied.push(sequence);
        return Promise.resolve();
      },
      { maxAttempts: 3 },
    );
    await producer.publish(
      naming.events('intake'),
      [1, 2, 3].map((sequence) => probe('411700-20261122-000030', 'failing', sequence)),
    );

    await eventually(() => {
      expect(applied).toEqual([2, 3]);
    });
    expect(attempts.get(1)).toBe(3);
    expect(attempts.get(2)).toBe(2);
    const letter = await deadLetterOf('.failing', '411700-20261122-000030');
    expect(letter.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.HANDLER_FAILED');
    expect(letter.headers[DLQ_HEADERS.error]).toBe('Error: registry unavailable for 1');
    expect(letter.headers[DLQ_HEADERS.attempts]).toBe('3');
    expect(decodeEnvelope(letter.value).metadata.caseId).toBe('411700-20261122-000030');
  });

  it('dead-letters an event its handler rejects as poison without retrying it', async () => {
    let calls = 0;
    await startConsumer('rejecting', (event) => {
      if (event.payload.label !== 'rejected') return Promise.resolve();
      calls += 1;
      return Promise.reject(
        new PoisonMessageError('EVENT.REJECTED', 'item 9999 is not in the catalog'),
      );
    });
    await producer.publish(naming.events('intake'), [
      probe('411700-20261122-000040', 'rejected', 1),
    ]);

    const letter = await deadLetterOf('.rejecting', '411700-20261122-000040');
    expect(calls).toBe(1);
    expect(letter.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.REJECTED');
    expect(letter.headers[DLQ_HEADERS.error]).toMatch(/item 9999 is not in the catalog/);
  });

  it('leaves a failing message to the next consumer when stopped mid-retry, instead of dead-lettering it', async () => {
    const caseId = '411700-20261122-000050';
    let failures = 0;
    const firstFailure = new Promise<void>((resolve) => {
      void startConsumer(
        'handover',
        (event) => {
          if (event.payload.label !== 'handover') return Promise.resolve();
          failures += 1;
          resolve();
          return Promise.reject(new Error('database restarting'));
        },
        { maxAttempts: 50 },
      );
    });
    await producer.publish(naming.events('intake'), [probe(caseId, 'handover', 1)]);
    await firstFailure;
    const stopping = consumers[consumers.length - 1]!;
    await stopping.stop();

    // The same group, after a restart: the event is delivered again and applied.
    const applied: number[] = [];
    await startConsumer('handover', (event) => {
      if (event.payload.label === 'handover') applied.push(event.payload.sequence);
      return Promise.resolve();
    });
    await eventually(() => {
      expect(applied).toEqual([1]);
    });
    expect(failures).toBeGreaterThanOrEqual(1);
    const dead = await readTopic(brokers, naming.deadLetters('review'), {
      count: 100,
      timeoutMs: 1_500,
    });
    expect(dead.filter((message) => message.key === caseId)).toEqual([]);
  });
});
