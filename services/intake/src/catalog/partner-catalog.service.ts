import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DirectoryServiceService } from '@tongban/contracts/tongban/exchange/v1/directory';
import type {
  CatalogItem,
  GetCatalogResponse,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import {
  GrpcCallError,
  grpcClient,
  ServiceContext,
  type PromiseClient,
} from '@tongban/service-kit';
import { IntakeError } from '../cases/intake-error';
import { IntakeSettings } from '../intake-settings';

const DIRECTORY_DEADLINE_MS = 5_000;

interface CachedCatalog {
  readonly catalog: GetCatalogResponse;
  readonly fetchedAt: number;
}

/**
 * Partner catalogs as this region may use them (only the items in the agreement), from the
 * region's exchange over gRPC, cached for a short while: a window submits many cases a minute,
 * while a partner changes its list rarely. When neither a fresh copy nor the exchange is at hand
 * the submit is refused (UNAVAILABLE) rather than accepted against a list nobody can vouch for.
 */
@Injectable()
export class PartnerCatalogService implements OnModuleDestroy {
  private readonly directory: PromiseClient<typeof DirectoryServiceService>;
  private readonly cache = new Map<string, CachedCatalog>();
  // Concurrent submits for one partner share one fetch.
  private readonly fetching = new Map<string, Promise<GetCatalogResponse>>();

  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(IntakeSettings) private readonly settings: IntakeSettings,
  ) {
    this.directory = grpcClient(DirectoryServiceService, settings.directoryAddress);
  }

  /** The partner's item, or INTAKE.ITEM_NOT_OFFERED when its catalog for us does not list it. */
  async item(region: string, partnerName: string, itemCode: string): Promise<CatalogItem> {
    const catalog = await this.catalogOf(region, partnerName);
    const item = catalog.items.find((candidate) => candidate.code === itemCode);
    if (!item) {
      // The catalog holds only what the agreement allows us: an unknown code and an item outside
      // the agreement look the same from here, and the clerk's remedy is the same.
      throw new IntakeError(
        'INTAKE.ITEM_NOT_OFFERED',
        `${partnerName}向本地区开放的跨省通办事项中没有“${itemCode.slice(0, 64)}”：事项编码有误，或该事项不在两地合作协议范围内。请按公布的事项清单选择。`,
      );
    }
    return item;
  }

  async catalogOf(region: string, partnerName: string): Promise<GetCatalogResponse> {
    const cached = this.cache.get(region);
    if (cached && Date.now() - cached.fetchedAt < this.settings.catalogTtlMs) {
      return cached.catalog;
    }
    let fetching = this.fetching.get(region);
    if (!fetching) {
      fetching = this.fetch(region, partnerName).finally(() => this.fetching.delete(region));
      this.fetching.set(region, fetching);
    }
    return fetching;
  }

  onModuleDestroy(): void {
    this.directory.close();
  }

  private async fetch(region: string, partnerName: string): Promise<GetCatalogResponse> {
    let catalog: GetCatalogResponse | undefined;
    try {
      const response = await this.directory.getPartnerCatalog(
        { region },
        { deadlineMs: DIRECTORY_DEADLINE_MS },
      );
      catalog = response.catalog;
    } catch (error) {
      this.context.logger.warn(
        {
          err: error,
          partner: region,
          grpcCode: error instanceof GrpcCallError ? error.grpcCode : undefined,
          errorCode: error instanceof GrpcCallError ? error.errorCode : undefined,
        },
        'partner catalog unavailable',
      );
      throw unavailable(partnerName);
    }
    if (catalog?.region !== region) {
      this.context.logger.error(
        { partner: region, answeredFor: catalog?.region },
        'directory answered with the catalog of another region',
      );
      throw unavailable(partnerName);
    }
    this.cache.set(region, { catalog, fetchedAt: Date.now() });
    return catalog;
  }
}

function unavailable(partnerName: string): IntakeError {
  return new IntakeError(
    'INTAKE.CATALOG_UNAVAILABLE',
    `暂时无法取得${partnerName}的跨省通办事项清单，办件未受理。请稍后重试；如持续出现，请联系运维人员检查本地区交换服务。`,
  );
}
