import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';

export interface RawMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

function kafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'tongban-test', brokers, logLevel: logLevel.NOTHING });
}

/**
 * Writes bytes to a topic as a foreign producer would, bypassing the event codec — for tests of
 * what consumers do with garbage.
 */
export async function produceRaw(
  brokers: string[],
  topic: string,
  messages: { key?: string; value: Buffer; headers?: IHeaders }[],
): Promise<void> {
  const producer = kafka(brokers).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning until `count` messages arrived (or the timeout passed, then
 * returns what it has). Uses a throwaway consumer group so it never moves anyone's offsets.
 */
export async function readTopic(
  brokers: string[],
  topic: string,
  options: { count: number; timeoutMs?: number; settleMs?: number },
): Promise<RawMessage[]> {
  const consumer = kafka(brokers).consumer({
    groupId: `tongban-test-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  const messages: RawMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      let settle: NodeJS.Timeout | undefined;
      const timer = setTimeout(resolve, options.timeoutMs ?? 20_000);
      void consumer.run({
        eachMessage: ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(message.headers ?? {})) {
            if (value !== undefined) headers[key] = String(Array.isArray(value) ? value[0] : value);
          }
          messages.push({
            key: message.key?.toString() ?? null,
            value: message.value,
            headers,
            partition,
            offset: message.offset,
          });
          if (messages.length >= options.count) {
            // Wait a little longer so extra (duplicate) messages are seen too.
            clearTimeout(settle);
            settle = setTimeout(() => {
              clearTimeout(timer);
              resolve();
            }, options.settleMs ?? 0);
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
