import type { RegionItem } from './region.schema';

/** The lists of seed 002 a region publishes, in that order. */
export const SERVICE_LISTS = ['ZERO_VISIT', 'ON_THE_SPOT', 'SIMPLE_APPROVAL'] as const;
export type ServiceListName = (typeof SERVICE_LISTS)[number];

/**
 * Which of seed 002's lists an item is on, derived from its catalog entry so that the lists can
 * never disagree with how the item is actually handled:
 *
 * - 五星级零跑动 (ZERO_VISIT): nobody has to come in — the result is electronic or mailed, any
 *   originals are collected by mail and any survey is remote; only an item that needs the
 *   applicant in person (`inPersonRequired`) is off the list;
 * - 当场办结 (ON_THE_SPOT): decided at once, by rules or with a time limit of zero days;
 * - 简易审批 (SIMPLE_APPROVAL): no survey and no second level of approval.
 */
export function serviceLists(item: RegionItem): ServiceListName[] {
  const lists: ServiceListName[] = [];
  const remoteResult = item.delivery.some((method) => method === 'ELECTRONIC' || method === 'MAIL');
  if (!item.inPersonRequired && remoteResult) lists.push('ZERO_VISIT');
  if (item.mode === 'INSTANT' || item.timeLimitWorkingDays === 0) lists.push('ON_THE_SPOT');
  if (!item.surveyRequired && item.mode !== 'TWO_LEVEL') lists.push('SIMPLE_APPROVAL');
  return lists;
}
