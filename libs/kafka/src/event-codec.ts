import { randomUUID } from 'node:crypto';
import { Any, EventEnvelope, type ProtoMessageType } from '@tongban/contracts';
import { PoisonMessageError } from './event-errors';

const TYPE_URL_PREFIX = 'type.googleapis.com/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ID_LENGTH = 128;

/** The envelope fields of ARCHITECTURE §5 that travel with every event. */
export interface EventMetadata {
  eventId: string;
  occurredAt: Date;
  caseId: string;
  correlationId: string;
  causationId: string;
  sourceRegion: string;
  sourceService: string;
}

/** An event about to be published: its metadata, its protobuf type and the payload. */
export interface OutgoingEvent<T = unknown> {
  metadata: EventMetadata;
  type: ProtoMessageType<T>;
  payload: T;
}

/** An envelope whose metadata has been checked; the payload is still bytes. */
export interface DecodedEnvelope {
  metadata: EventMetadata;
  /** Fully qualified protobuf name of the payload, e.g. `tongban.intake.v1.CaseSubmitted`. */
  typeName: string;
  payload: Uint8Array;
}

/**
 * Metadata for a new event. An event caused by another keeps its correlation id and names it as
 * the cause; a first event (caused by a request) starts a new correlation unless one is given.
 */
export function newEventMetadata(input: {
  caseId: string;
  region: string;
  service: string;
  causedBy?: Pick<EventMetadata, 'eventId' | 'correlationId'>;
  correlationId?: string;
  causationId?: string;
  occurredAt?: Date;
}): EventMetadata {
  const eventId = randomUUID();
  const correlationId = input.causedBy?.correlationId ?? input.correlationId ?? eventId;
  return {
    eventId,
    occurredAt: input.occurredAt ?? new Date(),
    caseId: input.caseId,
    correlationId,
    causationId: input.causedBy?.eventId ?? input.causationId ?? correlationId,
    sourceRegion: input.region,
    sourceService: input.service,
  };
}

export function eventTypeName(type: ProtoMessageType<unknown>): string {
  return type.$type;
}

export function encodeEvent<T>(event: OutgoingEvent<T>): Buffer {
  assertValidMetadata(event.metadata);
  const envelope = EventEnvelope.fromPartial({
    ...event.metadata,
    payload: Any.fromPartial({
      typeUrl: TYPE_URL_PREFIX + event.type.$type,
      value: Buffer.from(event.type.encode(event.payload).finish()),
    }),
  });
  return Buffer.from(EventEnvelope.encode(envelope).finish());
}

/** Decodes and checks an envelope; throws PoisonMessageError when it can never be processed. */
export function decodeEnvelope(bytes: Uint8Array | null): DecodedEnvelope {
  if (!bytes || bytes.length === 0) {
    throw new PoisonMessageError('EVENT.UNDECODABLE', 'Message has no value');
  }
  let envelope: EventEnvelope;
  try {
    envelope = EventEnvelope.decode(bytes);
  } catch (error) {
    throw new PoisonMessageError(
      'EVENT.UNDECODABLE',
      `Message is not a protobuf EventEnvelope: ${String(error)}`,
      { cause: error },
    );
  }
  const { payload, occurredAt } = envelope;
  if (!payload?.typeUrl.startsWith(TYPE_URL_PREFIX)) {
    throw new PoisonMessageError('EVENT.INVALID_ENVELOPE', 'Envelope has no typed payload');
  }
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) {
    throw new PoisonMessageError('EVENT.INVALID_ENVELOPE', 'Envelope has no occurred_at');
  }
  const metadata: EventMetadata = {
    eventId: envelope.eventId,
    occurredAt,
    caseId: envelope.caseId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    sourceRegion: envelope.sourceRegion,
    sourceService: envelope.sourceService,
  };
  assertValidMetadata(metadata);
  return {
    metadata,
    typeName: payload.typeUrl.slice(TYPE_URL_PREFIX.length),
    payload: payload.value,
  };
}

export function decodePayload<T>(type: ProtoMessageType<T>, envelope: DecodedEnvelope): T {
  if (envelope.typeName !== type.$type) {
    throw new PoisonMessageError(
      'EVENT.INVALID_PAYLOAD',
      `Expected ${type.$type} but the envelope carries ${envelope.typeName}`,
    );
  }
  try {
    return type.decode(envelope.payload);
  } catch (error) {
    throw new PoisonMessageError(
      'EVENT.INVALID_PAYLOAD',
      `Payload is not a valid ${type.$type}: ${String(error)}`,
      { cause: error },
    );
  }
}

function assertValidMetadata(metadata: EventMetadata): void {
  const problems: string[] = [];
  if (!UUID.test(metadata.eventId)) problems.push('event_id must be a UUID');
  for (const field of ['caseId', 'correlationId', 'causationId', 'sourceService'] as const) {
    const value = metadata[field];
    if (value.length === 0 || value.length > MAX_ID_LENGTH) {
      problems.push(`${field} must be 1..${MAX_ID_LENGTH} characters`);
    }
  }
  if (!/^\d{6}$/.test(metadata.sourceRegion)) problems.push('source_region must be 6 digits');
  if (problems.length > 0) {
    throw new PoisonMessageError(
      'EVENT.INVALID_ENVELOPE',
      `Invalid envelope: ${problems.join('; ')}`,
    );
  }
}
