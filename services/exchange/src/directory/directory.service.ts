import { Inject, Injectable } from '@nestjs/common';
import type {
  GetCatalogResponse,
  GetPublicKeysResponse,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { ServiceContext } from '@tongban/service-kit';
import { TrustError } from '@tongban/trust';
import { ExchangeSettings } from '../config/exchange-settings';
import { ExchangeError } from '../exchange-error';
import { PartnerCallError } from '../partners/partner-call-error';
import { PartnerClients } from '../partners/partner-clients';
import { ExchangeTrust } from '../trust/exchange-trust';
import { ownCatalog, publishedCatalog } from './published-catalog';

interface Cached<T> {
  value: T;
  fetchedAt: number;
}

const FETCH_DEADLINE_MS = 5_000;
/** An unknown key id makes us ask the partner at most this often (a forger cannot make us hammer it). */
const KEY_REFRESH_INTERVAL_MS = 30_000;

/**
 * Partners' catalogs and signing keys for this region's services (intake checks a partner's
 * catalog before accepting a case; certificate verifies partners' certificates), fetched from
 * the partner over mutual TLS and cached. When a partner cannot be reached, a cached answer is
 * served even if old (a window keeps working through a partner's outage); with nothing cached the
 * call fails with EXCHANGE.PARTNER_UNAVAILABLE.
 *
 * Also this region's own catalog, as published to partners (their agreement's items) and to the
 * region's own services (every item). The region file is read once at start, so the catalog is
 * published as of then.
 */
@Injectable()
export class DirectoryService {
  private readonly catalogs = new Map<string, Cached<GetCatalogResponse>>();
  private readonly keys = new Map<string, Cached<GetPublicKeysResponse>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly lastKeyRefresh = new Map<string, number>();
  private readonly publishedAt = new Date();

  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ExchangeSettings) private readonly settings: ExchangeSettings,
    @Inject(ExchangeTrust) private readonly trust: ExchangeTrust,
    @Inject(PartnerClients) private readonly clients: PartnerClients,
  ) {}

  /** What GetCatalog answers `partner`: the items of its agreement with us. */
  catalogForPartner(partner: string): GetCatalogResponse {
    return publishedCatalog(this.context.region, partner, this.publishedAt);
  }

  /** Every item of this region, with seed 002's lists. */
  ownCatalog(): GetCatalogResponse {
    return ownCatalog(this.context.region, this.publishedAt);
  }

  catalogOf(region: string): Promise<GetCatalogResponse> {
    return this.cached('catalog', region, this.catalogs, (partner) =>
      this.clients.getCatalog(partner, FETCH_DEADLINE_MS),
    );
  }

  keysOf(region: string): Promise<GetPublicKeysResponse> {
    return this.cached('keys', region, this.keys, async (partner) => {
      const published = await this.clients.getPublicKeys(partner, FETCH_DEADLINE_MS);
      // Fetched over mutual TLS from the partner itself: its new keys verify its envelopes too.
      try {
        this.trust.ring.addPublished(partner, published.keys);
      } catch (error) {
        if (!(error instanceof TrustError)) throw error;
        this.context.logger.warn({ err: error, partner }, 'partner published an unusable key');
      }
      return published;
    });
  }

  /**
   * Fetches a partner's published keys now, bypassing the cache: an envelope or receipt names a
   * key id we do not know (the partner rotated its key). Rate-limited per partner; false when it
   * was not tried or the partner could not be reached.
   */
  async refreshKeys(region: string): Promise<boolean> {
    if (!this.trust.partner(region)) return false;
    const last = this.lastKeyRefresh.get(region) ?? 0;
    if (Date.now() - last < KEY_REFRESH_INTERVAL_MS) return false;
    this.lastKeyRefresh.set(region, Date.now());
    this.keys.delete(region);
    try {
      await this.keysOf(region);
      return true;
    } catch (error) {
      this.context.logger.warn(
        { err: error, partner: region },
        'partner keys could not be refreshed',
      );
      return false;
    }
  }

  private async cached<T>(
    what: string,
    region: string,
    cache: Map<string, Cached<T>>,
    fetch: (partner: string) => Promise<T>,
  ): Promise<T> {
    const partner = this.trust.partner(region);
    if (!partner) {
      throw new ExchangeError(
        'EXCHANGE.UNKNOWN_PARTNER',
        `${region || '（空）'} 不是 ${this.context.regionCode} 的合作地区。`,
      );
    }
    const hit = cache.get(region);
    if (hit && Date.now() - hit.fetchedAt < this.settings.directoryTtlMs) return hit.value;
    const key = `${what}/${region}`;
    // Concurrent callers share one fetch.
    let pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = fetch(region).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    try {
      const value = await pending;
      cache.set(region, { value, fetchedAt: Date.now() });
      return value;
    } catch (error) {
      if (!(error instanceof PartnerCallError)) throw error;
      if (hit) {
        this.context.logger.warn(
          { partner: region, what, ageMs: Date.now() - hit.fetchedAt, err: error },
          'partner unreachable; serving the cached answer',
        );
        return hit.value;
      }
      throw new ExchangeError(
        'EXCHANGE.PARTNER_UNAVAILABLE',
        `暂时无法连接合作地区 ${partner.name}（${region}），且没有缓存的数据，请稍后重试。`,
        { cause: error },
      );
    }
  }
}
