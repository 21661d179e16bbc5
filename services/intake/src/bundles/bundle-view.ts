import {
  BundleStatus,
  type Bundle as ProtoBundle,
} from '@tongban/contracts/tongban/intake/v1/intake';
import type { CaseStatus, Prisma } from '../../prisma/generated/client';
import { timelineEntryToProto, toCaseProto, WITH_HISTORY } from '../cases/case-view';

/** What every read of a bundle loads: its cases in case-number order, each with its history. */
export const WITH_CASES = {
  cases: { orderBy: { id: 'asc' }, include: WITH_HISTORY },
} as const satisfies Prisma.BundleInclude;

export type BundleWithCases = Prisma.BundleGetPayload<{ include: typeof WITH_CASES }>;

const ENDED: ReadonlySet<CaseStatus> = new Set(['COMPLETED', 'REJECTED', 'WITHDRAWN']);

/** Where the bundle stands, from its cases: the applicant's one thing is done when all are. */
export function bundleStatus(statuses: readonly CaseStatus[]): BundleStatus {
  if (statuses.every((status) => status === 'COMPLETED')) {
    return BundleStatus.BUNDLE_STATUS_COMPLETED;
  }
  if (statuses.every((status) => ENDED.has(status))) {
    return BundleStatus.BUNDLE_STATUS_CLOSED_INCOMPLETE;
  }
  return BundleStatus.BUNDLE_STATUS_OPEN;
}

/** The bundle as the window sees it: every case, and one timeline of all of them in time order. */
export function toBundleProto(row: BundleWithCases): ProtoBundle {
  const entries = row.cases
    .flatMap((found) => found.timeline)
    // Time order; entries of one moment stay in case and then applied order.
    .sort(
      (a, b) =>
        a.at.getTime() - b.at.getTime() ||
        (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  return {
    bundleId: row.id,
    bundleCode: row.code,
    name: row.name,
    status: bundleStatus(row.cases.map((found) => found.status)),
    cases: row.cases.map(toCaseProto),
    timeline: entries.map(timelineEntryToProto),
    submittedAt: row.submittedAt,
  };
}
