import { describe, expect, it } from 'vitest';
import { EventEnvelope, ProbeSent } from '@tongban/contracts';
import {
  decodeEnvelope,
  decodePayload,
  encodeEvent,
  newEventMetadata,
  PoisonMessageError,
} from '../src';

const metadata = () =>
  newEventMetadata({ caseId: '411700-20261122-000001', region: '411700', service: 'intake' });

function poisonCode(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof PoisonMessageError) return error.code;
    throw error;
  }
  throw new Error('expected a PoisonMessageError');
}

describe('event codec', () => {
  it('round-trips metadata and a typed payload', () => {
    const event = { metadata: metadata(), type: ProbeSent, payload: { label: 'a', sequence: 3 } };
    const decoded = decodeEnvelope(encodeEvent(event));
    expect(decoded.metadata).toEqual(event.metadata);
    expect(decoded.typeName).toBe('tongban.ops.v1.ProbeSent');
    expect(decodePayload(ProbeSent, decoded)).toEqual({ label: 'a', sequence: 3 });
  });

  it('starts a correlation with the first event and carries it to the events it causes', () => {
    const first = metadata();
    const next = newEventMetadata({
      caseId: first.caseId,
      region: '429005',
      service: 'review',
      causedBy: first,
    });
    expect(first.correlationId).toBe(first.eventId);
    expect(next.correlationId).toBe(first.correlationId);
    expect(next.causationId).toBe(first.eventId);
    expect(next.eventId).not.toBe(first.eventId);
  });

  it('refuses to encode an event without a case id', () => {
    const event = {
      metadata: { ...metadata(), caseId: '' },
      type: ProbeSent,
      payload: { label: 'a', sequence: 1 },
    };
    expect(poisonCode(() => encodeEvent(event))).toBe('EVENT.INVALID_ENVELOPE');
  });

  it('reports bytes that are no envelope as undecodable', () => {
    expect(poisonCode(() => decodeEnvelope(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff])))).toBe(
      'EVENT.UNDECODABLE',
    );
    expect(poisonCode(() => decodeEnvelope(null))).toBe('EVENT.UNDECODABLE');
  });

  it('reports an envelope without payload or with a bad event id as invalid', () => {
    const noPayload = EventEnvelope.encode(EventEnvelope.fromPartial({ ...metadata() })).finish();
    expect(poisonCode(() => decodeEnvelope(noPayload))).toBe('EVENT.INVALID_ENVELOPE');
    const badId = encodeEvent({
      metadata: metadata(),
      type: ProbeSent,
      payload: { label: 'x', sequence: 1 },
    });
    const tampered = EventEnvelope.decode(badId);
    tampered.eventId = 'not-a-uuid';
    expect(poisonCode(() => decodeEnvelope(EventEnvelope.encode(tampered).finish()))).toBe(
      'EVENT.INVALID_ENVELOPE',
    );
  });

  it('refuses to decode a payload as a different event type', () => {
    const decoded = decodeEnvelope(
      encodeEvent({ metadata: metadata(), type: ProbeSent, payload: { label: 'a', sequence: 1 } }),
    );
    expect(poisonCode(() => decodePayload(EventEnvelope, decoded))).toBe('EVENT.INVALID_PAYLOAD');
  });
});
