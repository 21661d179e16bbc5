import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { CompressionTypes, type Producer } from 'kafkajs';
import { CASE_ID_ATTRIBUTE } from '@tongban/telemetry';
import { encodeEvent, type OutgoingEvent } from './event-codec';
import type { KafkaClient } from './kafka-client';
import { contextFromHeaders, traceHeaders } from './trace-headers';

/** Header names Tongban sets on every event besides the W3C trace context. */
export const EVENT_TYPE_HEADER = 'tongban-event-type';
export const EVENT_ID_HEADER = 'tongban-event-id';

/** A message ready for Kafka: bytes plus string headers (as stored in an outbox row). */
export interface KafkaRecord {
  // The case id; null only for foreign bytes forwarded to a dead-letter topic.
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

const tracer = trace.getTracer('@tongban/kafka');

/**
 * Publishes to Kafka with acks from all in-sync replicas and the idempotent producer, so a
 * retried send never duplicates or reorders a message within a partition.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(private readonly client: KafkaClient) {
    this.producer = client.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Encodes events and sends them now, in order, traced from the active context. */
  async publish(topic: string, events: OutgoingEvent[]): Promise<void> {
    await this.send(
      topic,
      events.map((event) => toRecord(event, traceHeaders())),
    );
  }

  /**
   * Sends records in order as one batch. Each record gets a producer span whose parent is the
   * trace context in its own headers (the request that wrote it), not whatever is active here.
   */
  async send(topic: string, records: KafkaRecord[]): Promise<void> {
    await this.sendBatch(records.map((record) => ({ topic, record })));
  }

  /** Like `send`, for records bound for several topics (an outbox relay batch). */
  async sendBatch(items: { topic: string; record: KafkaRecord }[]): Promise<void> {
    if (items.length === 0) return;
    const spans: Span[] = [];
    const byTopic = new Map<string, KafkaRecord[]>();
    for (const { topic, record } of items) {
      const span = startProducerSpan(topic, record, contextFromHeaders(record.headers));
      spans.push(span);
      const headers = { ...record.headers, ...traceHeaders(trace.setSpan(context.active(), span)) };
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers });
      byTopic.set(topic, messages);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      for (const span of spans) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      }
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }
}

export function toRecord(event: OutgoingEvent, headers: Record<string, string>): KafkaRecord {
  return {
    key: event.metadata.caseId,
    value: encodeEvent(event),
    headers: {
      ...headers,
      [EVENT_TYPE_HEADER]: event.type.$type,
      [EVENT_ID_HEADER]: event.metadata.eventId,
    },
  };
}

function startProducerSpan(topic: string, record: KafkaRecord, parent: Context): Span {
  return tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.message.id': record.headers[EVENT_ID_HEADER] ?? '',
        [CASE_ID_ATTRIBUTE]: record.key ?? '',
        'tongban.event.type': record.headers[EVENT_TYPE_HEADER] ?? '',
      },
    },
    parent,
  );
}
