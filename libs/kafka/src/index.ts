export { TopicNaming } from './topic-naming';
export { createKafkaClient, ensureTopics } from './kafka-client';
export { topicDepths } from './topic-depth';
export type { KafkaClient, KafkaClientOptions } from './kafka-client';
export {
  decodeEnvelope,
  decodePayload,
  encodeEvent,
  eventTypeName,
  newEventMetadata,
} from './event-codec';
export type { DecodedEnvelope, EventMetadata, OutgoingEvent } from './event-codec';
export { PoisonMessageError } from './event-errors';
export type { PoisonMessageCode } from './event-errors';
export { EventProducer, EVENT_ID_HEADER, EVENT_TYPE_HEADER } from './event-producer';
export type { KafkaRecord } from './event-producer';
export { EventConsumer, DLQ_HEADERS, on } from './event-consumer';
export type {
  ConsumedEvent,
  EventConsumerOptions,
  EventHandler,
  EventRoute,
  MessageContext,
} from './event-consumer';
export { contextFromHeaders, traceHeaders } from './trace-headers';
export { enqueueEvents, OUTBOX_CHANNEL } from './outbox/outbox';
export { OutboxRelay } from './outbox/outbox-relay';
export type { OutboxRelayOptions } from './outbox/outbox-relay';
export { claimEvent, idempotent } from './inbox/inbox';
export type { TransactionRunner } from './inbox/inbox';
export { KAFKA_MIGRATIONS_DIR, KAFKA_MIGRATIONS_TABLE } from './migrations';
