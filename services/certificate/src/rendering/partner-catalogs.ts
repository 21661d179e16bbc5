import { status } from '@grpc/grpc-js';
import type { OnApplicationShutdown } from '@nestjs/common';
import { DirectoryServiceService } from '@tongban/contracts/tongban/exchange/v1/directory';
import type { CatalogItem } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { GrpcCallError, grpcClient, type PromiseClient } from '@tongban/service-kit';
import type { Logger } from '@tongban/telemetry';

/** GrpcCallError carries the status as a plain number. */
const GRPC_NOT_FOUND: number = status.NOT_FOUND;

/**
 * Where a partner's catalog comes from, for printing its certificates with the labels of its own
 * application form. Only a nicety: undefined means "print the field names as they are".
 */
export interface PartnerCatalogs {
  itemOf(region: string, itemCode: string): Promise<CatalogItem | undefined>;
}

/** Nest token of the {@link PartnerCatalogs}. */
export const PARTNER_CATALOGS = Symbol('PartnerCatalogs');

interface CachedCatalog {
  items: ReadonlyMap<string, CatalogItem>;
  expiresAt: number;
}

/**
 * Partner catalogs from this region's exchange (DirectoryService.GetPartnerCatalog), cached for
 * a few minutes. Never fails a rendering: an exchange that does not answer only costs the labels.
 */
export class ExchangePartnerCatalogs implements PartnerCatalogs, OnApplicationShutdown {
  private readonly client: PromiseClient<typeof DirectoryServiceService>;
  private readonly cache = new Map<string, CachedCatalog>();

  constructor(
    address: string,
    private readonly logger: Logger,
    private readonly options: { ttlMs: number; deadlineMs: number } = {
      ttlMs: 5 * 60_000,
      deadlineMs: 3_000,
    },
  ) {
    this.client = grpcClient(DirectoryServiceService, address);
  }

  async itemOf(region: string, itemCode: string): Promise<CatalogItem | undefined> {
    const cached = this.cache.get(region);
    if (cached && Date.now() < cached.expiresAt) return cached.items.get(itemCode);
    try {
      const response = await this.client.getPartnerCatalog(
        { region },
        { deadlineMs: this.options.deadlineMs },
      );
      const catalog = response.catalog;
      // Never label one region's certificate with another region's form.
      const items =
        catalog?.region === region
          ? new Map(catalog.items.map((item) => [item.code, item]))
          : new Map<string, CatalogItem>();
      this.cache.set(region, { items, expiresAt: Date.now() + this.options.ttlMs });
      return items.get(itemCode);
    } catch (error) {
      if (error instanceof GrpcCallError && error.grpcCode === GRPC_NOT_FOUND) {
        this.cache.set(region, { items: new Map(), expiresAt: Date.now() + this.options.ttlMs });
        return undefined;
      }
      this.logger.warn(
        { err: error, partner: region },
        'partner catalog unavailable; printing its certificate with field names instead of labels',
      );
      return cached?.items.get(itemCode);
    }
  }

  /** Nest calls this at shutdown: the channel to the exchange is closed. */
  onApplicationShutdown(): void {
    this.client.close();
  }
}
