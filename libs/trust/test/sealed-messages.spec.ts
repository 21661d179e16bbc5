import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  DeliverRequest,
  Envelope,
  Receipt,
  ReceiptStatus,
  type SignedEnvelope,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair,
  openEnvelope,
  openReceipt,
  PublicKeyRing,
  rawPublicKey,
  sealEnvelope,
  sealReceipt,
  sha256Hex,
  sign,
  type TrustErrorCode,
} from '../src';
import { acceptedReceipt, demoRegions, HENAN, HUBEI, HUNAN, statusEnvelope } from './support';

const { keys, ring } = demoRegions();
const hubei = keys[HUBEI]!;
const henan = keys[HENAN]!;
const hunan = keys[HUNAN]!;

/** Matches the TrustError with this code (toThrow compares the listed properties). */
function refusal(code: TrustErrorCode): Error {
  return expect.objectContaining({ name: 'TrustError', code }) as Error;
}

/** Signs arbitrary bytes as if they were an envelope (what an attacker or a buggy peer can send). */
function signedBytes(bytes: Uint8Array, signer = hubei): SignedEnvelope {
  const buffer = Buffer.from(bytes);
  return { envelope: buffer, signature: sign(buffer, signer.privateKey), keyId: signer.keyId };
}

describe('a sealed envelope', () => {
  it('opens with the sender’s published key and gives back the envelope and its hash', () => {
    const envelope = statusEnvelope();
    const signed = sealEnvelope(envelope, hubei);
    const opened = openEnvelope(signed, ring, { addressedTo: HENAN });
    expect(opened.envelope).toEqual(envelope);
    expect(opened.keyId).toBe(hubei.keyId);
    expect(opened.sha256).toBe(sha256Hex(signed.envelope));
    expect(opened.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the bytes of Envelope.encode, so what travels is what was signed', () => {
    const envelope = statusEnvelope();
    const signed = sealEnvelope(envelope, hubei);
    expect(signed.envelope).toEqual(Buffer.from(Envelope.encode(envelope).finish()));
  });

  it('still opens after travelling inside a DeliverRequest', () => {
    const signed = sealEnvelope(statusEnvelope(), hubei);
    const wire = DeliverRequest.encode({ envelope: signed }).finish();
    const received = DeliverRequest.decode(wire).envelope!;
    expect(openEnvelope(received, ring).envelope.senderRegion).toBe(HUBEI);
  });

  it('opens with its exact bytes even when this side would encode them differently', () => {
    // A newer partner may send a field this version does not know. Decoding drops it, so a
    // receiver that re-encoded before verifying would break a valid signature.
    const known = Envelope.encode(statusEnvelope()).finish();
    const unknownField = new BinaryWriter()
      .uint32((99 << 3) | 2)
      .string('added later')
      .finish();
    const bytes = Buffer.concat([known, unknownField]);
    const signed = signedBytes(bytes);
    expect(Buffer.from(Envelope.encode(Envelope.decode(bytes)).finish())).not.toEqual(bytes);
    expect(openEnvelope(signed, ring).sha256).toBe(sha256Hex(bytes));
  });

  it('is refused with BAD_SIGNATURE when one byte of the envelope was changed', () => {
    const signed = sealEnvelope(statusEnvelope({ caseId: '411700-20250301-000042' }), hubei);
    const tampered = Buffer.from(
      signed.envelope.toString('latin1').replace('000042', '000043'),
      'latin1',
    );
    expect(tampered).not.toEqual(signed.envelope);
    expect(() => openEnvelope({ ...signed, envelope: tampered }, ring)).toThrow(
      refusal('EXCHANGE.BAD_SIGNATURE'),
    );
  });

  it('is refused with BAD_SIGNATURE when the signature was forged', () => {
    const signed = sealEnvelope(statusEnvelope(), hubei);
    const forged = Buffer.from(signed.signature);
    forged[10] = (forged[10] ?? 0) ^ 0xff;
    expect(() => openEnvelope({ ...signed, signature: forged }, ring)).toThrow(
      refusal('EXCHANGE.BAD_SIGNATURE'),
    );
    expect(() => openEnvelope({ ...signed, signature: Buffer.alloc(0) }, ring)).toThrow(
      refusal('EXCHANGE.BAD_SIGNATURE'),
    );
  });

  it('is refused with BAD_SIGNATURE when a partner names another partner’s key', () => {
    // 430600 signs an envelope that claims to come from 429005 and names 429005's key.
    const impostor = sealEnvelope(statusEnvelope({ senderRegion: HUBEI }), {
      keyId: hubei.keyId,
      privateKey: hunan.privateKey,
    });
    expect(() => openEnvelope(impostor, ring)).toThrow(refusal('EXCHANGE.BAD_SIGNATURE'));
  });

  it('is refused with UNKNOWN_KEY when a partner signs as another partner with its own key', () => {
    const impostor = sealEnvelope(statusEnvelope({ senderRegion: HUBEI }), hunan);
    expect(() => openEnvelope(impostor, ring)).toThrow(refusal('EXCHANGE.UNKNOWN_KEY'));
  });

  it('is refused with UNKNOWN_KEY when the partner signed with a key not published yet', () => {
    const rotated = generateSigningKeyPair();
    const signed = sealEnvelope(statusEnvelope(), rotated);
    expect(() => openEnvelope(signed, ring)).toThrow(refusal('EXCHANGE.UNKNOWN_KEY'));

    // Once the partner's GetPublicKeys lists it, the same envelope opens.
    const refreshed = new PublicKeyRing();
    refreshed.addPublished(HUBEI, [
      {
        keyId: 'whatever the partner claims',
        ed25519: rawPublicKey(rotated.publicKey),
        validFrom: new Date(),
        validUntil: undefined,
      },
    ]);
    expect(refreshed.keysOf(HUBEI)?.has(rotated.keyId)).toBe(true);
    expect(openEnvelope(signed, refreshed).keyId).toBe(rotated.keyId);
  });

  it('is refused with UNKNOWN_SENDER when the sender region is not a partner', () => {
    const stranger = generateSigningKeyPair();
    const signed = sealEnvelope(statusEnvelope({ senderRegion: '110000' }), stranger);
    expect(() => openEnvelope(signed, ring)).toThrow(refusal('EXCHANGE.UNKNOWN_SENDER'));
  });

  it('reports an unknown sender before a bad signature', () => {
    const signed = sealEnvelope(statusEnvelope({ senderRegion: '110000' }), hubei);
    expect(() => openEnvelope({ ...signed, signature: Buffer.alloc(64) }, ring)).toThrow(
      refusal('EXCHANGE.UNKNOWN_SENDER'),
    );
  });

  it('is refused with MALFORMED when the bytes are no envelope', () => {
    for (const bytes of [Buffer.from([0xff, 0xff, 0xff]), Buffer.from('hello'), Buffer.alloc(0)]) {
      expect(() => openEnvelope(signedBytes(bytes), ring)).toThrow(refusal('EXCHANGE.MALFORMED'));
    }
  });

  it('is refused with MALFORMED when an id is missing, before the sender is even looked up', () => {
    for (const missing of [
      { messageId: '' },
      { senderRegion: '' },
      { recipientRegion: '' },
      { caseId: '' },
      { sequence: 0 },
    ]) {
      const bytes = Envelope.encode(statusEnvelope(missing)).finish();
      expect(() => openEnvelope(signedBytes(bytes), ring), JSON.stringify(missing)).toThrow(
        refusal('EXCHANGE.MALFORMED'),
      );
    }
  });

  it('is refused with WRONG_RECIPIENT when correctly signed for another region', () => {
    // 429005 signed it for 430600; 430600 must not be able to replay it to 411700.
    const signed = sealEnvelope(statusEnvelope({ recipientRegion: HUNAN }), hubei);
    expect(openEnvelope(signed, ring, { addressedTo: HUNAN }).envelope.recipientRegion).toBe(HUNAN);
    expect(() => openEnvelope(signed, ring, { addressedTo: HENAN })).toThrow(
      refusal('EXCHANGE.WRONG_RECIPIENT'),
    );
  });

  it('reports a bad signature before a wrong recipient (nothing unsigned is believed)', () => {
    const signed = sealEnvelope(statusEnvelope({ recipientRegion: HUNAN }), hubei);
    expect(() =>
      openEnvelope({ ...signed, signature: Buffer.alloc(64) }, ring, { addressedTo: HENAN }),
    ).toThrow(refusal('EXCHANGE.BAD_SIGNATURE'));
  });

  it('cannot be sealed without its ids', () => {
    expect(() => sealEnvelope(statusEnvelope({ caseId: '' }), hubei)).toThrow(
      refusal('EXCHANGE.MALFORMED'),
    );
  });
});

describe('a sealed receipt', () => {
  it('opens with the receiving region’s key and gives back the receipt', () => {
    const receipt = acceptedReceipt();
    const signed = sealReceipt(receipt, henan);
    const opened = openReceipt(signed, ring, { addressedTo: HUBEI });
    expect(opened.receipt).toEqual(receipt);
    expect(opened.sha256).toBe(sha256Hex(signed.receipt));
  });

  it('carries a refusal with its stable code', () => {
    const signed = sealReceipt(
      acceptedReceipt({
        status: ReceiptStatus.RECEIPT_STATUS_REJECTED,
        errorCode: 'EXCHANGE.BAD_SIGNATURE',
        errorMessage: 'the signature does not verify',
      }),
      henan,
    );
    expect(openReceipt(signed, ring).receipt.errorCode).toBe('EXCHANGE.BAD_SIGNATURE');
  });

  it('is refused with BAD_SIGNATURE when signed by anyone but the receiving region', () => {
    const forged = sealReceipt(acceptedReceipt(), {
      keyId: henan.keyId,
      privateKey: hubei.privateKey,
    });
    expect(() => openReceipt(forged, ring)).toThrow(refusal('EXCHANGE.BAD_SIGNATURE'));
  });

  it('is refused with BAD_SIGNATURE when its verdict was changed', () => {
    const signed = sealReceipt(acceptedReceipt({ logIndex: 7 }), henan);
    // log_index 7 is encoded as tag 0x48 (field 9, varint) then 0x07; only log_hash follows it.
    const at = signed.receipt.lastIndexOf(Buffer.from([0x48, 7]));
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(signed.receipt);
    tampered[at + 1] = 8;
    expect(() => openReceipt({ ...signed, receipt: tampered }, ring)).toThrow(
      refusal('EXCHANGE.BAD_SIGNATURE'),
    );
  });

  it('is refused with UNKNOWN_SENDER / UNKNOWN_KEY / MALFORMED like an envelope', () => {
    const stranger = generateSigningKeyPair();
    expect(() =>
      openReceipt(sealReceipt(acceptedReceipt({ receiverRegion: '110000' }), stranger), ring),
    ).toThrow(refusal('EXCHANGE.UNKNOWN_SENDER'));
    expect(() => openReceipt(sealReceipt(acceptedReceipt(), stranger), ring)).toThrow(
      refusal('EXCHANGE.UNKNOWN_KEY'),
    );
    const noStatus = Buffer.from(
      Receipt.encode(
        acceptedReceipt({ status: ReceiptStatus.RECEIPT_STATUS_UNSPECIFIED }),
      ).finish(),
    );
    expect(() =>
      openReceipt(
        { receipt: noStatus, signature: sign(noStatus, henan.privateKey), keyId: henan.keyId },
        ring,
      ),
    ).toThrow(refusal('EXCHANGE.MALFORMED'));
  });

  it('is refused with WRONG_RECIPIENT when it acknowledges another region’s envelope', () => {
    const signed = sealReceipt(acceptedReceipt({ senderRegion: HUNAN }), henan);
    expect(() => openReceipt(signed, ring, { addressedTo: HUBEI })).toThrow(
      refusal('EXCHANGE.WRONG_RECIPIENT'),
    );
  });
});
