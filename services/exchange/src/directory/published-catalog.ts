import { ServiceList } from '@tongban/contracts/tongban/case/v1/case';
import type {
  CatalogItem,
  GetCatalogResponse,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import {
  itemsForPartner,
  serviceLists,
  toDeliveryMethod,
  toHandlingMode,
  type Region,
  type RegionItem,
  type ServiceListName,
} from '@tongban/domain';

/** Seed 002's lists as the wire names them. */
const SERVICE_LISTS: Readonly<Record<ServiceListName, ServiceList>> = {
  ZERO_VISIT: ServiceList.SERVICE_LIST_ZERO_VISIT,
  ON_THE_SPOT: ServiceList.SERVICE_LIST_ON_THE_SPOT,
  SIMPLE_APPROVAL: ServiceList.SERVICE_LIST_SIMPLE_APPROVAL,
};

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

/**
 * The region's whole catalog, for its own windows' notice boards and the operator console: every
 * item, whoever may send it (items no partner may send are still handled for local applicants).
 */
export function ownCatalog(region: Region, publishedAt: Date): GetCatalogResponse {
  return {
    region: region.code,
    regionName: region.name,
    items: region.items.map(catalogItem),
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
    // Without a separate promise, pre-review is done within the time limit itself.
    preReviewWorkingDays: item.preReviewWorkingDays ?? item.timeLimitWorkingDays,
    surveyRequired: item.surveyRequired,
    originalsRequired: item.originalsRequired,
    // Derived from the entry itself, so a list can never promise what the handling does not do.
    lists: serviceLists(item).map((list) => SERVICE_LISTS[list]),
    approvalDepartment: item.approvalDepartment ?? '',
    fields: item.fields.map((field) => ({
      name: field.name,
      label: field.label,
      required: field.required,
      values: (field.values ?? []).map((value) => ({ value: value.value, label: value.label })),
    })),
  };
}
