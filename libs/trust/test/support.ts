import { randomUUID } from 'node:crypto';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { Envelope, Receipt, ReceiptStatus } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { generateSigningKeyPair, PublicKeyRing, type SigningKeyPair } from '../src';

/** The demo regions of the seeds, each with a signing key of its own. */
export const HENAN = '411700';
export const HUBEI = '429005';
export const HUNAN = '430600';

export interface Regions {
  keys: Record<string, SigningKeyPair>;
  /** What the receiving side trusts: every demo region's current key. */
  ring: PublicKeyRing;
}

export function demoRegions(): Regions {
  const keys = {
    [HENAN]: generateSigningKeyPair(),
    [HUBEI]: generateSigningKeyPair(),
    [HUNAN]: generateSigningKeyPair(),
  };
  const ring = new PublicKeyRing();
  for (const [region, pair] of Object.entries(keys)) ring.add(region, pair.publicKey);
  return { keys, ring };
}

/** A status report of the handler (429005) to the origin (411700) unless told otherwise. */
export function statusEnvelope(overrides: Partial<Envelope> = {}): Envelope {
  return Envelope.fromPartial({
    messageId: randomUUID(),
    senderRegion: HUBEI,
    recipientRegion: HENAN,
    caseId: '411700-20250301-000042',
    sequence: 3,
    createdAt: new Date('2025-03-01T08:30:00.123Z'),
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    statusReport: {
      status: CaseStatus.CASE_STATUS_APPROVED,
      at: new Date('2025-03-01T08:29:59Z'),
      note: '材料齐全，准予提取',
    },
    ...overrides,
  });
}

/** 411700's acknowledgement of an envelope that 429005 sent it. */
export function acceptedReceipt(overrides: Partial<Receipt> = {}): Receipt {
  return Receipt.fromPartial({
    messageId: randomUUID(),
    senderRegion: HUBEI,
    receiverRegion: HENAN,
    status: ReceiptStatus.RECEIPT_STATUS_ACCEPTED,
    envelopeSha256: 'a'.repeat(64),
    receivedAt: new Date('2025-03-01T08:30:01Z'),
    logIndex: 7,
    logHash: 'b'.repeat(64),
    ...overrides,
  });
}
