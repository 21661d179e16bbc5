import type { KeyObject } from 'node:crypto';
import type { PublicKey } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { keyIdOf, publicKeyFromRaw } from './signing-keys';

/**
 * Where the verifier finds a signer's keys. Two levels on purpose: "this region is not a partner"
 * (EXCHANGE.UNKNOWN_SENDER) and "this partner has no such key" (EXCHANGE.UNKNOWN_KEY, e.g. it
 * rotated and its GetPublicKeys should be fetched again) call for different reactions.
 */
export interface PublicKeyDirectory {
  /** The region's keys by key id, or `undefined` when the region is unknown here. */
  keysOf(region: string): ReadonlyMap<string, KeyObject> | undefined;
}

/** An in-memory {@link PublicKeyDirectory}: the own region's keys plus each partner's. */
export class PublicKeyRing implements PublicKeyDirectory {
  private readonly regions = new Map<string, Map<string, KeyObject>>();

  /** Trusts `publicKey` for `region`; returns its key id. */
  add(region: string, publicKey: KeyObject): string {
    const keyId = keyIdOf(publicKey);
    let keys = this.regions.get(region);
    if (!keys) {
      keys = new Map();
      this.regions.set(region, keys);
    }
    keys.set(keyId, publicKey);
    return keyId;
  }

  /**
   * Trusts the keys a partner published (GetPublicKeysResponse). The id is recomputed from the
   * key bytes rather than taken from `key_id`, so a partner cannot file a key under another id.
   */
  addPublished(region: string, keys: readonly PublicKey[]): string[] {
    return keys.map((key) => this.add(region, publicKeyFromRaw(key.ed25519)));
  }

  /** Forgets a region altogether (a partner that left). */
  remove(region: string): void {
    this.regions.delete(region);
  }

  keysOf(region: string): ReadonlyMap<string, KeyObject> | undefined {
    return this.regions.get(region);
  }
}
