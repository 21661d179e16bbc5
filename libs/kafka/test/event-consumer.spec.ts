import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeSent } from '@tongban/contracts';
import { eventually, produceRaw, readTopic } from '@tongban/testing';
import {
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
    const events = [1, 2, 3, 4, 5].map((sequence) => probe('411700-20261122-000010', 'order', sequence));
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
    // Same key, so the garbage sits in the same partition right before the good event.
    await produceRaw(brokers, naming.events('intake'), [
      { key: caseId, value: Buffer.from('this is not protobuf \u0000\u00ff\u00fe') },
    ]);
    await producer.publish(naming.events('intake'), [probe(caseId, 'after-poison', 1)]);

    await eventually(() => {
      expect(received).toEqual([1]);
    });
    const dead = await readTopic(brokers, naming.deadLetters('review'), { count: 1 });
    const letter = dead.find((message) => message.headers[DLQ_HEADERS.consumerGroup]?.endsWith('.poison'));
    expect(letter).toBeDefined();
    expect(letter?.key).toBe(caseId);
    expect(letter?.value?.toString()).toBe('this is not protobuf \u0000\u00ff\u00fe');
    expect(letter?.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.UNDECODABLE');
    expect(letter?.headers[DLQ_HEADERS.error]).toMatch(/not a protobuf EventEnvelope/);
    expect(letter?.headers[DLQ_HEADERS.sourceTopic]).toBe(naming.events('intake'));
    expect(letter?.headers[DLQ_HEADERS.attempts]).toBe('1');
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
    const dead = await readTopic(brokers, naming.deadLetters('review'), { count: 2, timeoutMs: 5_000 });
    const letters = dead.filter((message) => message.headers[DLQ_HEADERS.consumerGroup]?.endsWith('.failing'));
    expect(letters).toHaveLength(1);
    expect(letters[0]?.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.HANDLER_FAILED');
    expect(letters[0]?.headers[DLQ_HEADERS.error]).toBe('Error: registry unavailable for 1');
    expect(letters[0]?.headers[DLQ_HEADERS.attempts]).toBe('3');
  });

  it('dead-letters an event its handler rejects as poison without retrying it', async () => {
    let calls = 0;
    await startConsumer('rejecting', (event) => {
      if (event.payload.label !== 'rejected') return Promise.resolve();
      calls += 1;
      return Promise.reject(new PoisonMessageError('EVENT.REJECTED', 'item 9999 is not in the catalog'));
    });
    await producer.publish(naming.events('intake'), [probe('411700-20261122-000040', 'rejected', 1)]);

    const letter = await eventually(async () => {
      const dead = await readTopic(brokers, naming.deadLetters('review'), { count: 3, timeoutMs: 2_000 });
      const found = dead.find((message) => message.headers[DLQ_HEADERS.consumerGroup]?.endsWith('.rejecting'));
      expect(found).toBeDefined();
      return found;
    });
    expect(calls).toBe(1);
    expect(letter?.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.REJECTED');
  });
});
