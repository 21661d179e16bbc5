import path from 'node:path';
import {
  keyIdOf,
  loadPublicKey,
  loadSigningKey,
  signerOf,
  type SigningKeyPair,
} from './signing-keys';
import { TrustError } from './trust-error';

/**
 * Where a region's key material lives: `<keysDir>/<region>/…`. The dev PKI script of infra
 * creates exactly these files; in production they come from the region's own secret store,
 * mounted in the same layout.
 */
export interface RegionKeyFiles {
  dir: string;
  /** The regional CA that issues this region's TLS certificates (its key stays offline in production). */
  caCert: string;
  caKey: string;
  /** This region's exchange TLS certificate and key, for both serving and calling partners. */
  exchangeCert: string;
  exchangeKey: string;
  /** Ed25519 signing key (PKCS#8 PEM) and its public half (SPKI PEM). */
  signingKey: string;
  signingPublicKey: string;
}

export function regionKeyFiles(keysDir: string, region: string): RegionKeyFiles {
  const dir = path.join(keysDir, region);
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    exchangeCert: path.join(dir, 'exchange.crt'),
    exchangeKey: path.join(dir, 'exchange.key'),
    signingKey: path.join(dir, 'signing.key.pem'),
    signingPublicKey: path.join(dir, 'signing.pub.pem'),
  };
}

/** The TLS identity of a region's exchange: the DNS name its certificate carries. */
export function exchangeIdentity(region: string): string {
  return `exchange.${region}.tongban.local`;
}

/** The region's signing key pair from its key folder, with its key id. */
export function loadRegionSigningKeys(keysDir: string, region: string): SigningKeyPair {
  const files = regionKeyFiles(keysDir, region);
  const signer = signerOf(loadSigningKey(files.signingKey));
  const publicKey = loadPublicKey(files.signingPublicKey);
  // A mismatched pair would publish a key that verifies nothing this region signs.
  if (keyIdOf(publicKey) !== signer.keyId) {
    throw new TrustError(
      'TRUST.BAD_KEY',
      `${files.signingPublicKey} is not the public half of ${files.signingKey}`,
    );
  }
  return { ...signer, publicKey };
}
