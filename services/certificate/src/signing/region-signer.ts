import { createPublicKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { ServiceConfigError, type ServiceContext } from '@tongban/service-kit';
import { loadSigningKey, sign, signerOf, type Signer } from '@tongban/trust';
import type { IssuerKeys } from '../verification/partner-key-directory';

/**
 * The region's Ed25519 signing key — the same key its exchange seals envelopes with, so partners
 * verify our certificates with the keys we already publish (GetPublicKeys). The file is the
 * region file's `exchange.signingKey`, relative to the keys directory.
 */
export class RegionSigner {
  private constructor(
    private readonly signer: Signer,
    private readonly publicKey: KeyObject,
  ) {}

  /** Loads the key at start-up, so a missing or wrong key stops the service with a clear message. */
  static load(context: ServiceContext): RegionSigner {
    const { config, region } = context;
    const file = path.join(config.keysDir, region.exchange.signingKey);
    try {
      const signer = signerOf(loadSigningKey(file));
      return new RegionSigner(signer, createPublicKey(signer.privateKey));
    } catch (error) {
      throw new ServiceConfigError(config.service, [
        `exchange.signingKey of region ${region.code} (${file}): ${error instanceof Error ? error.message : String(error)}; ` +
          'set TONGBAN_KEYS_DIR to the folder made by the dev PKI script (or the mounted key secret)',
      ]);
    }
  }

  get keyId(): string {
    return this.signer.keyId;
  }

  /** Ed25519 signature (64 bytes) over exactly `bytes`. */
  sign(bytes: Uint8Array): Buffer<ArrayBuffer> {
    return Buffer.from(sign(bytes, this.signer.privateKey));
  }

  /** The keys our own certificates verify with. */
  ownKeys(): IssuerKeys {
    return new Map([[this.signer.keyId, { keyId: this.signer.keyId, publicKey: this.publicKey }]]);
  }
}
