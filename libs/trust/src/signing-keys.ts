import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as signWithKey,
  verify as verifyWithKey,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TrustError } from './trust-error';

/** What seals envelopes, receipts and certificates: a region's Ed25519 private key and its id. */
export interface Signer {
  keyId: string;
  privateKey: KeyObject;
}

export interface SigningKeyPair extends Signer {
  publicKey: KeyObject;
}

const RAW_KEY_BYTES = 32;
const KEY_ID_HEX_CHARS = 16;

/** A fresh Ed25519 key pair with its key id. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** An Ed25519 private key from a PKCS#8 PEM file (`signing.key.pem`). */
export function loadSigningKey(pemPath: string): KeyObject {
  const key = readKeyFile(pemPath, (pem) => createPrivateKey(pem));
  return assertEd25519(key, 'private', pemPath);
}

/** An Ed25519 public key from an SPKI PEM file (`signing.pub.pem`). */
export function loadPublicKey(pemPath: string): KeyObject {
  const key = readKeyFile(pemPath, (pem) => createPublicKey(pem));
  return assertEd25519(key, 'public', pemPath);
}

/** The signer of a private key: its key id is derived from the public half, never configured. */
export function signerOf(privateKey: KeyObject): Signer {
  assertEd25519(privateKey, 'private', 'signer');
  return { keyId: keyIdOf(createPublicKey(privateKey)), privateKey };
}

/**
 * The id under which a key is published (GetPublicKeys) and named in every SignedEnvelope: the
 * first 16 hex characters of the SHA-256 of the raw key. Derived from the key alone, so both sides
 * compute the same id without coordination. 64 bits are plenty: the id only selects a key, the
 * signature still has to verify with it, so a collision could at worst cause a refusal.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(rawPublicKey(publicKey)).slice(0, KEY_ID_HEX_CHARS);
}

/** The raw 32-byte Ed25519 public key, as `PublicKey.ed25519` carries it. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  assertEd25519(publicKey, 'public', 'raw export');
  const { x } = publicKey.export({ format: 'jwk' });
  if (x === undefined) throw new TrustError('TRUST.BAD_KEY', 'Ed25519 key without a public part');
  return Buffer.from(x, 'base64url');
}

/** A public key from the raw 32 bytes a partner publishes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== RAW_KEY_BYTES) {
    throw new TrustError(
      'TRUST.BAD_KEY',
      `an Ed25519 public key has ${RAW_KEY_BYTES} bytes, got ${raw.length}`,
    );
  }
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** Ed25519 signature (64 bytes) over `bytes`. */
export function sign(bytes: Uint8Array, privateKey: KeyObject): Buffer {
  assertEd25519(privateKey, 'private', 'signing');
  // Ed25519 hashes internally; Node takes `null` as the digest for it.
  return signWithKey(null, bytes, privateKey);
}

/** Whether `signature` is a valid Ed25519 signature of `publicKey` over exactly `bytes`. */
export function verify(bytes: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  assertEd25519(publicKey, 'public', 'verification');
  try {
    return verifyWithKey(null, bytes, publicKey, signature);
  } catch {
    // A malformed signature (wrong length) is just a signature that does not verify.
    return false;
  }
}

/** Lower-case hex SHA-256, the form every hash takes in envelopes, receipts and the log. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function readKeyFile(pemPath: string, parse: (pem: string) => KeyObject): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(pemPath, 'utf8');
  } catch (error) {
    throw new TrustError('TRUST.BAD_KEY', `cannot read key file ${pemPath}`, { cause: error });
  }
  try {
    return parse(pem);
  } catch (error) {
    throw new TrustError('TRUST.BAD_KEY', `${pemPath} does not hold a PEM key`, { cause: error });
  }
}

function assertEd25519(key: KeyObject, type: 'private' | 'public', what: string): KeyObject {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new TrustError(
      'TRUST.BAD_KEY',
      `${what}: expected an Ed25519 ${type} key, got a ${key.asymmetricKeyType ?? 'symmetric'} ${key.type} key`,
    );
  }
  return key;
}
