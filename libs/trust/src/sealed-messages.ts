import type { KeyObject } from 'node:crypto';
import {
  Envelope,
  Receipt,
  ReceiptStatus,
  type SignedEnvelope,
  type SignedReceipt,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { PublicKeyDirectory } from './public-key-ring';
import { sha256Hex, sign, verify, type Signer } from './signing-keys';
import { TrustError } from './trust-error';

export interface OpenedEnvelope {
  envelope: Envelope;
  /** Lower-case hex SHA-256 of the envelope bytes exactly as received (Receipt.envelope_sha256). */
  sha256: string;
  /** The key that verified the signature. */
  keyId: string;
}

export interface OpenedReceipt {
  receipt: Receipt;
  /** Lower-case hex SHA-256 of the receipt bytes exactly as received. */
  sha256: string;
  keyId: string;
}

export interface OpenOptions {
  /**
   * The region opening the message (this region). When given, a correctly signed message meant
   * for another region is refused with EXCHANGE.WRONG_RECIPIENT: otherwise a partner could replay
   * to us what a third region signed for it.
   */
  addressedTo?: string;
}

/**
 * Serializes the envelope once and signs exactly those bytes. The bytes are the canonical form:
 * they are what travels, what the receiver verifies, hashes and logs, and nobody re-encodes them
 * (protobuf encoding is not canonical across implementations, so re-encoding could change them).
 */
export function sealEnvelope(envelope: Envelope, signer: Signer): SignedEnvelope {
  const problem = envelopeProblem(envelope);
  if (problem) throw new TrustError('EXCHANGE.MALFORMED', `cannot seal the envelope: ${problem}`);
  const bytes = toBuffer(Envelope.encode(envelope).finish());
  return { envelope: bytes, signature: sign(bytes, signer.privateKey), keyId: signer.keyId };
}

/**
 * Checks a signed envelope and returns its content, or throws a {@link TrustError} whose code
 * says what is wrong, checked in this order: EXCHANGE.MALFORMED, EXCHANGE.UNKNOWN_SENDER,
 * EXCHANGE.UNKNOWN_KEY, EXCHANGE.BAD_SIGNATURE (then EXCHANGE.WRONG_RECIPIENT if asked).
 *
 * The bytes are decoded before the signature is checked, because the signer's region (which
 * selects the key) is inside them. That is safe: decoding is bounded, side-effect-free parsing,
 * and until the signature verifies only `sender_region` and the unsigned `key_id` hint are looked
 * at, and only to choose a key. A forged sender or key id just selects a key that will not verify
 * these bytes; nothing decoded is returned or acted on before it does.
 */
export function openEnvelope(
  signed: SignedEnvelope,
  keys: PublicKeyDirectory,
  options: OpenOptions = {},
): OpenedEnvelope {
  const envelope = decodeOrRefuse('envelope', signed.envelope, (bytes) => Envelope.decode(bytes));
  const problem = envelopeProblem(envelope);
  if (problem) throw new TrustError('EXCHANGE.MALFORMED', `envelope refused: ${problem}`);
  checkSignature(
    `envelope ${envelope.messageId}`,
    envelope.senderRegion,
    signed.envelope,
    signed.signature,
    signed.keyId,
    keys,
  );
  if (options.addressedTo !== undefined && envelope.recipientRegion !== options.addressedTo) {
    throw new TrustError(
      'EXCHANGE.WRONG_RECIPIENT',
      `envelope ${envelope.messageId} is addressed to region ${envelope.recipientRegion}, not ${options.addressedTo}`,
    );
  }
  return { envelope, sha256: sha256Hex(signed.envelope), keyId: signed.keyId };
}

/** Like {@link sealEnvelope}: the receipt is encoded once and those bytes are signed. */
export function sealReceipt(receipt: Receipt, signer: Signer): SignedReceipt {
  const problem = receiptProblem(receipt);
  if (problem) throw new TrustError('EXCHANGE.MALFORMED', `cannot seal the receipt: ${problem}`);
  const bytes = toBuffer(Receipt.encode(receipt).finish());
  return { receipt: bytes, signature: sign(bytes, signer.privateKey), keyId: signer.keyId };
}

/**
 * Like {@link openEnvelope}, for a receipt: its signer is `receiver_region` (the region that
 * received the envelope), and `addressedTo` is compared with `sender_region` (the region whose
 * envelope it acknowledges). Matching the receipt to the envelope (message id, envelope hash) is
 * the caller's business.
 */
export function openReceipt(
  signed: SignedReceipt,
  keys: PublicKeyDirectory,
  options: OpenOptions = {},
): OpenedReceipt {
  const receipt = decodeOrRefuse('receipt', signed.receipt, (bytes) => Receipt.decode(bytes));
  const problem = receiptProblem(receipt);
  if (problem) throw new TrustError('EXCHANGE.MALFORMED', `receipt refused: ${problem}`);
  checkSignature(
    `receipt for ${receipt.messageId}`,
    receipt.receiverRegion,
    signed.receipt,
    signed.signature,
    signed.keyId,
    keys,
  );
  if (options.addressedTo !== undefined && receipt.senderRegion !== options.addressedTo) {
    throw new TrustError(
      'EXCHANGE.WRONG_RECIPIENT',
      `receipt for ${receipt.messageId} acknowledges an envelope of region ${receipt.senderRegion}, not ${options.addressedTo}`,
    );
  }
  return { receipt, sha256: sha256Hex(signed.receipt), keyId: signed.keyId };
}

function checkSignature(
  what: string,
  signerRegion: string,
  bytes: Uint8Array,
  signature: Uint8Array,
  keyId: string,
  keys: PublicKeyDirectory,
): void {
  const regionKeys = keys.keysOf(signerRegion);
  if (!regionKeys) {
    throw new TrustError(
      'EXCHANGE.UNKNOWN_SENDER',
      `${what}: region ${signerRegion} is not a known partner`,
    );
  }
  const key: KeyObject | undefined = regionKeys.get(keyId);
  if (!key) {
    throw new TrustError(
      'EXCHANGE.UNKNOWN_KEY',
      `${what}: region ${signerRegion} has no published key "${keyId}"`,
    );
  }
  if (!verify(bytes, signature, key)) {
    throw new TrustError(
      'EXCHANGE.BAD_SIGNATURE',
      `${what}: the signature does not verify with key ${keyId} of region ${signerRegion}`,
    );
  }
}

function decodeOrRefuse<T>(what: string, bytes: Uint8Array, decode: (bytes: Uint8Array) => T): T {
  if (bytes.length === 0) throw new TrustError('EXCHANGE.MALFORMED', `the ${what} is empty`);
  try {
    return decode(bytes);
  } catch (error) {
    throw new TrustError('EXCHANGE.MALFORMED', `the ${what} bytes are not a protobuf ${what}`, {
      cause: error,
    });
  }
}

function envelopeProblem(envelope: Envelope): string | undefined {
  const missing = [
    ['message_id', envelope.messageId],
    ['sender_region', envelope.senderRegion],
    ['recipient_region', envelope.recipientRegion],
    ['case_id', envelope.caseId],
  ].filter(([, value]) => value === '');
  if (missing.length > 0) return `missing ${missing.map(([name]) => name).join(', ')}`;
  // Sequences start at 1; 0 is protobuf's "not set".
  if (!Number.isSafeInteger(envelope.sequence) || envelope.sequence < 1) {
    return `sequence must be a positive integer, got ${envelope.sequence}`;
  }
  return undefined;
}

function receiptProblem(receipt: Receipt): string | undefined {
  const missing = [
    ['message_id', receipt.messageId],
    ['sender_region', receipt.senderRegion],
    ['receiver_region', receipt.receiverRegion],
  ].filter(([, value]) => value === '');
  if (missing.length > 0) return `missing ${missing.map(([name]) => name).join(', ')}`;
  // Only "unset" is refused: a status added to the contract later must still open here.
  if (receipt.status === ReceiptStatus.RECEIPT_STATUS_UNSPECIFIED) return 'missing status';
  return undefined;
}

/** The generated types declare `Buffer`; the encoder returns a plain Uint8Array (no copy here). */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
