import type {
  CatalogItem,
  GetCatalogResponse,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import {
  itemsForPartner,
  toDeliveryMethod,
  toHandlingMode,
  type Region,
  type RegionItem,
} from '@tongban/domain';

/** What GetCatalog publishes to one partner: only the items its agreement lets it send. */
export function publishedCatalog(
  region: Region,
  partner: string,
  publishedAt: Date,
): GetCatalogResponse {
  return {
    region: region.code,
    regionName: region.name,
    items: itemsForPartner(region, partner).map(catalogItem),
    publishedAt,
  };
}

function catalogItem(item: RegionItem): CatalogItem {
  return {
    code: item.code,
    name: item.name,
    department: item.department,
    mode: toHandlingMode(item.mode),
    materials: item.materials.map((material) => ({
      code: material.code,
      name: material.name,
      mandatory: material.mandatory,
    })),
    timeLimitWorkingDays: item.timeLimitWorkingDays,
    certificateType: item.certificateType,
    deliveryMethods: item.delivery.map(toDeliveryMethod),
  };
}
