import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { ProtoMessageType } from '@tongban/contracts';
import { CASE_ID_ATTRIBUTE, type Logger } from '@tongban/telemetry';
import {
  decodeEnvelope,
  decodePayload,
  type DecodedEnvelope,
  type EventMetadata,
} from './event-codec';
import { PoisonMessageError } from './event-errors';
import type { EventProducer, KafkaRecord } from './event-producer';
import type { KafkaClient } from './kafka-client';
import { contextFromHeaders, type KafkaHeaders } from './trace-headers';

/** A consumed event whose envelope and payload passed validation. */
export interface ConsumedEvent<T> {
  metadata: EventMetadata;
  typeName: string;
  payload: T;
}

/** Where a message came from, for handlers that log or need the raw headers. */
export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  headers: KafkaHeaders;
  /** 1 on the first delivery to the handler, then 2, 3, ... on in-process retries. */
  attempt: number;
}

export type EventHandler<T> = (event: ConsumedEvent<T>, context: MessageContext) => Promise<void>;

export interface EventRoute {
  readonly typeName: string;
  handle(envelope: DecodedEnvelope, context: MessageContext): Promise<void>;
}

/** Routes one event type to its handler; the payload is decoded and typed before the call. */
export function on<T>(type: ProtoMessageType<T>, handler: EventHandler<T>): EventRoute {
  return {
    typeName: type.$type,
    handle: (envelope, context) =>
      handler(
        {
          metadata: envelope.metadata,
          typeName: envelope.typeName,
          payload: decodePayload(type, envelope),
        },
        context,
      ),
  };
}

/** Headers a dead-lettered message carries besides its original ones. */
export const DLQ_HEADERS = {
  errorCode: 'tongban-dlq-error-code',
  error: 'tongban-dlq-error',
  sourceTopic: 'tongban-dlq-source-topic',
  sourcePartition: 'tongban-dlq-source-partition',
  sourceOffset: 'tongban-dlq-source-offset',
  consumerGroup: 'tongban-dlq-consumer-group',
  attempts: 'tongban-dlq-attempts',
  failedAt: 'tongban-dlq-failed-at',
} as const;

export interface EventConsumerOptions {
  groupId: string;
  topics: string[];
  routes: EventRoute[];
  /** Messages that cannot be processed go here, with the error in their headers. */
  deadLetterTopic: string;
  /** Publishes dead letters. */
  producer: EventProducer;
  /** Handler attempts before a message is dead-lettered; poison messages get one. */
  maxAttempts?: number;
  /** First retry delay, doubled on each further attempt. */
  retryBackoffMs?: number;
  /**
   * How long a fetch waits on the broker for new messages. kafkajs waits 5 s by default, which
   * would add up to seconds to every hop of a case; a short wait costs only idle polls.
   */
  maxWaitTimeMs?: number;
  partitionsConsumedConcurrently?: number;
  /** Longest a handler (with its retries) may take before the group evicts this member. */
  sessionTimeoutMs?: number;
  logger?: Logger;
}

const tracer = trace.getTracer('@tongban/kafka');

/**
 * Consumes events of a consumer group: decodes and validates every message before a handler
 * sees it, retries a failing handler with backoff, then parks the message on the dead-letter
 * topic with its error and moves on. Per-partition (so per-case) order is kept: a message is
 * only committed after its handler succeeded or it was dead-lettered.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly routes: Map<string, EventRoute>;
  private readonly maxAttempts: number;
  private readonly retryBackoffMs: number;
  private running = false;
  private failure: Error | undefined;

  constructor(
    client: KafkaClient,
    private readonly options: EventConsumerOptions,
  ) {
    this.routes = new Map(options.routes.map((route) => [route.typeName, route]));
    if (this.routes.size !== options.routes.length) {
      throw new Error(`Consumer ${options.groupId} has two handlers for one event type`);
    }
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.retryBackoffMs = options.retryBackoffMs ?? 200;
    this.consumer = client.kafka.consumer({
      groupId: options.groupId,
      // kafkajs heartbeats only between messages: the session must outlast the slowest handler
      // plus its retries, or the member is evicted mid-message and the partition churns.
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
      minBytes: 1,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, retries: 10 },
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.options.logger?.error({ err: error, restart }, 'event consumer crashed');
      // kafkajs restarts after retriable failures; after any other the consumer is dead and
      // readiness must say so instead of silently consuming nothing.
      if (!restart) this.failure = error;
    });
  }

  /** Undefined while consuming; the error that stopped the consumer for good otherwise. */
  get fatalError(): Error | undefined {
    return this.failure;
  }

  /** Joins the group and resolves once partitions are assigned, so nothing published is missed. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.failure = undefined;
    const removers: (() => void)[] = [];
    const joined = new Promise<void>((resolve, reject) => {
      removers.push(
        this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
          resolve();
        }),
      );
      removers.push(
        this.consumer.on(this.consumer.events.CRASH, (event) => {
          if (!event.payload.restart) reject(event.payload.error);
        }),
      );
    });
    try {
      await this.consumer.connect();
      // A new group starts at the beginning: events published before it first ran still count.
      await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
      await this.consumer.run({
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachMessage: async (payload) => {
          await this.process(payload.topic, payload.partition, payload.message, () =>
            payload.heartbeat(),
          );
        },
      });
      await joined;
    } catch (error) {
      this.running = false;
      await this.consumer.disconnect().catch(() => undefined);
      throw error;
    } finally {
      for (const remove of removers) remove();
    }
  }

  /** Stops fetching, lets the message in hand finish, commits and leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.disconnect();
  }

  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const headers: KafkaHeaders = message.headers ?? {};
    const span = tracer.startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.consumer.group.name': this.options.groupId,
          'messaging.kafka.offset': message.offset,
        },
      },
      contextFromHeaders(headers),
    );
    const context = { topic, partition, offset: message.offset, headers, attempt: 0 };
    try {
      await otelContext.with(trace.setSpan(otelContext.active(), span), async () => {
        let envelope: DecodedEnvelope;
        try {
          envelope = decodeEnvelope(message.value);
        } catch (error) {
          throw new DeadLetter(error, 1);
        }
        span.setAttribute(CASE_ID_ATTRIBUTE, envelope.metadata.caseId);
        span.setAttribute('tongban.event.type', envelope.typeName);
        span.setAttribute('messaging.message.id', envelope.metadata.eventId);
        const route = this.routes.get(envelope.typeName);
        // Topics carry several event types; a consumer handles the ones it subscribed to.
        if (!route) return;
        for (let attempt = 1; ; attempt += 1) {
          try {
            await route.handle(envelope, { ...context, attempt });
            return;
          } catch (error) {
            if (error instanceof PoisonMessageError || attempt >= this.maxAttempts) {
              throw new DeadLetter(error, attempt);
            }
            if (!this.running) {
              // Shutting down: leave the message uncommitted; the next owner of the partition
              // gets it again instead of it being parked for a failure a restart may cure.
              throw new Error(
                `consumer stopping; ${topic}/${partition}@${message.offset} not done`,
                {
                  cause: error,
                },
              );
            }
            this.options.logger?.warn(
              { err: error, topic, partition, offset: message.offset, attempt },
              'event handler failed; retrying',
            );
          }
          await sleep(this.retryBackoffMs * 2 ** (attempt - 1));
          // A rebalance surfaces here as an error: it must reach kafkajs (which rejoins and
          // redelivers), not the dead-letter topic.
          await heartbeat();
        }
      });
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      if (!(error instanceof DeadLetter)) throw error;
      await this.deadLetter(topic, partition, message, error.cause, error.attempts);
    } finally {
      span.end();
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const code = error instanceof PoisonMessageError ? error.code : 'EVENT.HANDLER_FAILED';
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(message.headers ?? {})) {
      if (value !== undefined) headers[key] = String(Array.isArray(value) ? value[0] : value);
    }
    Object.assign(headers, {
      [DLQ_HEADERS.errorCode]: code,
      [DLQ_HEADERS.error]: errorText(error),
      [DLQ_HEADERS.sourceTopic]: topic,
      [DLQ_HEADERS.sourcePartition]: String(partition),
      [DLQ_HEADERS.sourceOffset]: message.offset,
      [DLQ_HEADERS.consumerGroup]: this.options.groupId,
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    });
    const record: KafkaRecord = {
      key: message.key ? message.key.toString() : null,
      value: message.value ?? Buffer.alloc(0),
      headers,
    };
    this.options.logger?.error(
      { err: error, code, topic, partition, offset: message.offset, attempts },
      'event dead-lettered',
    );
    // If this send fails the error propagates: kafkajs does not commit the offset and the
    // message is delivered again, so nothing is lost.
    await this.options.producer.send(this.options.deadLetterTopic, [record]);
  }
}

/** A message this consumer gives up on: it goes to the dead-letter topic with its cause. */
class DeadLetter extends Error {
  constructor(
    override readonly cause: unknown,
    readonly attempts: number,
  ) {
    super('dead letter', { cause });
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
