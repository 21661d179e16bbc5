import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair,
  keyIdOf,
  loadPublicKey,
  loadRegionSigningKeys,
  loadSigningKey,
  publicKeyFromRaw,
  rawPublicKey,
  sha256Hex,
  sign,
  signerOf,
  verify,
} from '../src';

const dir = mkdtempSync(path.join(tmpdir(), 'tongban-trust-keys-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writePemPair(name: string): { privatePath: string; publicPath: string } {
  const pair = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privatePath = path.join(dir, `${name}.key.pem`);
  const publicPath = path.join(dir, `${name}.pub.pem`);
  writeFileSync(privatePath, pair.privateKey, { mode: 0o600 });
  writeFileSync(publicPath, pair.publicKey);
  return { privatePath, publicPath };
}

describe('key ids', () => {
  it('are 16 hex characters derived from the raw key, the same on both sides of the wire', () => {
    const pair = generateSigningKeyPair();
    expect(pair.keyId).toMatch(/^[0-9a-f]{16}$/);
    const raw = rawPublicKey(pair.publicKey);
    expect(raw).toHaveLength(32);
    expect(pair.keyId).toBe(sha256Hex(raw).slice(0, 16));
    // What a partner rebuilds from GetPublicKeys has the same id.
    expect(keyIdOf(publicKeyFromRaw(raw))).toBe(pair.keyId);
    // The private key's public half, too.
    expect(rawPublicKey(pair.privateKey)).toEqual(raw);
  });

  it('differ between keys', () => {
    expect(generateSigningKeyPair().keyId).not.toBe(generateSigningKeyPair().keyId);
  });

  it('refuses raw keys that are not 32 bytes', () => {
    expect(() => publicKeyFromRaw(Buffer.alloc(31))).toThrow(
      expect.objectContaining({ code: 'TRUST.BAD_KEY' }),
    );
  });
});

describe('PEM files', () => {
  it('load as the private and public halves of one key pair', () => {
    const { privatePath, publicPath } = writePemPair('region');
    const privateKey = loadSigningKey(privatePath);
    const publicKey = loadPublicKey(publicPath);
    expect(signerOf(privateKey).keyId).toBe(keyIdOf(publicKey));
  });

  it('load as a region’s signing keys from the key folder layout', () => {
    const regionDir = path.join(dir, 'keys', '411700');
    const pair = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    mkdirSync(regionDir, { recursive: true });
    writeFileSync(path.join(regionDir, 'signing.key.pem'), pair.privateKey);
    writeFileSync(path.join(regionDir, 'signing.pub.pem'), pair.publicKey);
    const keys = loadRegionSigningKeys(path.join(dir, 'keys'), '411700');
    expect(keys.keyId).toBe(keyIdOf(keys.publicKey));

    // A public key that is not the private key's half would publish a key that verifies nothing.
    writeFileSync(
      path.join(regionDir, 'signing.pub.pem'),
      readFileSync(writePemPair('x').publicPath),
    );
    expect(() => loadRegionSigningKeys(path.join(dir, 'keys'), '411700')).toThrow(
      expect.objectContaining({ code: 'TRUST.BAD_KEY' }),
    );
  });

  it('refuse a missing file, a file that is no key, and a key that is not Ed25519', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const ecPath = path.join(dir, 'ec.key.pem');
    writeFileSync(ecPath, ec.privateKey);
    const junkPath = path.join(dir, 'junk.pem');
    writeFileSync(junkPath, 'not a key');
    const { publicPath } = writePemPair('other');

    for (const file of [path.join(dir, 'missing.pem'), junkPath, ecPath, publicPath]) {
      expect(() => loadSigningKey(file), file).toThrow(
        expect.objectContaining({ code: 'TRUST.BAD_KEY' }),
      );
    }
  });
});

describe('signatures', () => {
  const { privateKey, publicKey } = generateSigningKeyPair();
  const bytes = Buffer.from('一件跨省通办的案件');

  it('verify over exactly the signed bytes with the signer’s key', () => {
    const signature = sign(bytes, privateKey);
    expect(signature).toHaveLength(64);
    expect(verify(bytes, signature, publicKey)).toBe(true);
  });

  it('do not verify when one byte changed, with another key, or truncated', () => {
    const signature = sign(bytes, privateKey);
    const changed = Buffer.from(bytes);
    changed[0] = (changed[0] ?? 0) ^ 1;
    expect(verify(changed, signature, publicKey)).toBe(false);
    expect(verify(bytes, signature, generateSigningKeyPair().publicKey)).toBe(false);
    expect(verify(bytes, signature.subarray(0, 63), publicKey)).toBe(false);
    expect(verify(bytes, Buffer.alloc(0), publicKey)).toBe(false);
  });

  it('refuse to sign with a public key or verify with a private one', () => {
    expect(() => sign(bytes, publicKey)).toThrow(
      expect.objectContaining({ code: 'TRUST.BAD_KEY' }),
    );
    expect(() => verify(bytes, Buffer.alloc(64), privateKey)).toThrow(
      expect.objectContaining({ code: 'TRUST.BAD_KEY' }),
    );
  });
});
