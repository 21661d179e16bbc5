import type { Region, RegionItem } from './region.schema';

/** The item of this region with the given code, or undefined. */
export function findItem(region: Region, itemCode: string): RegionItem | undefined {
  return region.items.find((item) => item.code === itemCode);
}

/** Whether the agreement lets `partnerCode` send cases for this region's item `itemCode`. */
export function partnerMayRequest(region: Region, partnerCode: string, itemCode: string): boolean {
  if (!region.partners.some((partner) => partner.code === partnerCode)) return false;
  return region.agreements.some(
    (agreement) => agreement.partner === partnerCode && agreement.items.includes(itemCode),
  );
}

/** The items a partner may send, in catalog order: what GetCatalog publishes to that partner. */
export function itemsForPartner(region: Region, partnerCode: string): RegionItem[] {
  return region.items.filter((item) => partnerMayRequest(region, partnerCode, item.code));
}
