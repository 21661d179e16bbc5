import { status } from '@grpc/grpc-js';
import type { OnApplicationShutdown } from '@nestjs/common';
import {
  DirectoryServiceService,
  type GetPartnerKeysResponse,
} from '@tongban/contracts/tongban/exchange/v1/directory';
import { GrpcCallError, grpcClient, type PromiseClient } from '@tongban/service-kit';
import type { Logger } from '@tongban/telemetry';
import { keyIdOf, publicKeyFromRaw } from '@tongban/trust';
import { CertificateError } from '../certificates/certificate-error';
import type { IssuerKey, IssuerKeys, PartnerKeyDirectory } from './partner-key-directory';

/** GrpcCallError carries the status as a plain number. */
const GRPC_NOT_FOUND: number = status.NOT_FOUND;

export interface ExchangePartnerKeysOptions {
  /** How long fetched keys are used without asking again; 5 minutes by default. */
  ttlMs?: number;
  /** How long "not a partner" is remembered; 1 minute by default. */
  unknownTtlMs?: number;
  /**
   * A refresh (for an unknown key id) is skipped when the keys are younger than this, so a stream
   * of certificates with made-up key ids cannot flood the exchange; 30 seconds by default.
   */
  minRefreshIntervalMs?: number;
  /** While the exchange is unreachable, keys up to this old are still used; 1 hour by default. */
  maxStaleMs?: number;
  deadlineMs?: number;
  now?: () => number;
}

interface CacheEntry {
  keys: IssuerKeys | undefined;
  fetchedAt: number;
  expiresAt: number;
}

/**
 * Partner keys from this region's exchange (DirectoryService.GetPartnerKeys, in-region gRPC),
 * cached for a few minutes. The exchange answering NOT_FOUND, or publishing no key, means the
 * region is not a partner. Key ids are recomputed from the key bytes, never taken from the answer,
 * so a key cannot be filed under another key's id.
 */
export class ExchangePartnerKeys implements PartnerKeyDirectory, OnApplicationShutdown {
  private readonly client: PromiseClient<typeof DirectoryServiceService>;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<IssuerKeys | undefined>>();
  private readonly ttlMs: number;
  private readonly unknownTtlMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly maxStaleMs: number;
  private readonly deadlineMs: number;
  private readonly now: () => number;

  constructor(
    address: string,
    private readonly logger: Logger,
    options: ExchangePartnerKeysOptions = {},
  ) {
    this.client = grpcClient(DirectoryServiceService, address);
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.unknownTtlMs = options.unknownTtlMs ?? 60_000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 30_000;
    this.maxStaleMs = options.maxStaleMs ?? 60 * 60_000;
    this.deadlineMs = options.deadlineMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async keysOf(
    region: string,
    options: { refresh?: boolean } = {},
  ): Promise<IssuerKeys | undefined> {
    const cached = this.cache.get(region);
    const now = this.now();
    if (cached) {
      const useCached = options.refresh
        ? now - cached.fetchedAt < this.minRefreshIntervalMs
        : now < cached.expiresAt;
      if (useCached) return cached.keys;
    }
    // Verifications of the same partner at the same moment share one call.
    let pending = this.inFlight.get(region);
    if (!pending) {
      pending = this.fetch(region, cached).finally(() => this.inFlight.delete(region));
      this.inFlight.set(region, pending);
    }
    return pending;
  }

  /** Nest calls this at shutdown: the channel to the exchange is closed. */
  onApplicationShutdown(): void {
    this.client.close();
  }

  private async fetch(
    region: string,
    stale: CacheEntry | undefined,
  ): Promise<IssuerKeys | undefined> {
    let response: GetPartnerKeysResponse;
    try {
      response = await this.client.getPartnerKeys({ region }, { deadlineMs: this.deadlineMs });
    } catch (error) {
      if (error instanceof GrpcCallError && error.grpcCode === GRPC_NOT_FOUND) {
        return this.remember(region, undefined);
      }
      if (stale && this.now() - stale.fetchedAt < this.maxStaleMs) {
        this.logger.warn(
          { err: error, partner: region },
          'exchange directory unreachable; verifying with the partner keys fetched before',
        );
        return stale.keys;
      }
      this.logger.error({ err: error, partner: region }, 'exchange directory unreachable');
      throw new CertificateError(
        'CERTIFICATE.ISSUER_KEYS_UNAVAILABLE',
        `暂时无法取得签发地 ${region} 的公钥（本地区数据交换服务无响应），请稍后重试核验。`,
      );
    }
    const published = response.keys;
    if (published && published.region !== '' && published.region !== region) {
      // The directory answered for another region: never verify one region with another's keys.
      this.logger.error(
        { partner: region, answeredFor: published.region },
        'exchange directory answered with the keys of another region; treating as unknown',
      );
      return this.remember(region, undefined);
    }
    const keys = new Map<string, IssuerKey>();
    for (const key of published?.keys ?? []) {
      try {
        const publicKey = publicKeyFromRaw(key.ed25519);
        const keyId = keyIdOf(publicKey);
        keys.set(keyId, { keyId, publicKey, validUntil: key.validUntil });
      } catch (error) {
        this.logger.warn({ err: error, partner: region }, 'partner published an unusable key');
      }
    }
    return this.remember(region, keys.size > 0 ? keys : undefined);
  }

  private remember(region: string, keys: IssuerKeys | undefined): IssuerKeys | undefined {
    const now = this.now();
    this.cache.set(region, {
      keys,
      fetchedAt: now,
      expiresAt: now + (keys ? this.ttlMs : this.unknownTtlMs),
    });
    return keys;
  }
}
