import type { KeyObject } from 'node:crypto';

/** One Ed25519 public key of an issuer, as its region published it. */
export interface IssuerKey {
  keyId: string;
  publicKey: KeyObject;
  /** Set once the issuer retired the key: nothing it signs after this instant is trusted. */
  validUntil?: Date;
}

/** An issuer's keys by key id. */
export type IssuerKeys = ReadonlyMap<string, IssuerKey>;

/**
 * Where the published signing keys of partner regions come from: in production the region's
 * exchange (DirectoryService.GetPartnerKeys), which fetched them from the partner.
 */
export interface PartnerKeyDirectory {
  /**
   * The partner's keys, or undefined when the region is not a partner (UNKNOWN_ISSUER). With
   * `refresh`, asks again even if cached (a key id we do not know may be a fresh rotation).
   */
  keysOf(region: string, options?: { refresh?: boolean }): Promise<IssuerKeys | undefined>;
}

/** Nest token of the {@link PartnerKeyDirectory}. */
export const PARTNER_KEY_DIRECTORY = Symbol('PartnerKeyDirectory');
