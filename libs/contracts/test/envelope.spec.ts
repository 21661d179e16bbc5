import { describe, expect, it } from 'vitest';
import { Any, EventEnvelope, ProbeSent, type ProtoMessageType } from '../src';

describe('generated contracts', () => {
  it('round-trips an event envelope with a typed payload through protobuf bytes', () => {
    const probe = ProbeSent.fromPartial({ label: 'smoke', sequence: 7 });
    const envelope = EventEnvelope.fromPartial({
      eventId: '3a6f1d1c-5b1e-4f57-9a4f-0d0e6d1a2b3c',
      occurredAt: new Date('2026-11-22T08:30:00.000Z'),
      caseId: '411700-20261122-000001',
      correlationId: 'corr-1',
      causationId: 'cause-1',
      sourceRegion: '411700',
      sourceService: 'intake',
      payload: Any.fromPartial({
        typeUrl: `type.googleapis.com/${ProbeSent.$type}`,
        value: Buffer.from(ProbeSent.encode(probe).finish()),
      }),
    });

    const decoded = EventEnvelope.decode(EventEnvelope.encode(envelope).finish());

    expect(decoded.occurredAt?.toISOString()).toBe('2026-11-22T08:30:00.000Z');
    expect(decoded.caseId).toBe('411700-20261122-000001');
    expect(decoded.payload?.typeUrl).toBe('type.googleapis.com/tongban.ops.v1.ProbeSent');
    expect(ProbeSent.decode(decoded.payload!.value)).toEqual(probe);
  });

  it('exposes each message type by its fully qualified protobuf name', () => {
    const name = <T>(type: ProtoMessageType<T>): string => type.$type;
    expect([name(EventEnvelope), name(ProbeSent)]).toEqual([
      'tongban.events.v1.EventEnvelope',
      'tongban.ops.v1.ProbeSent',
    ]);
  });

  it('rejects bytes that are not a valid envelope', () => {
    expect(() => EventEnvelope.decode(Uint8Array.from([0x0a, 0xff, 0xff, 0xff]))).toThrow();
  });
});
