import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';

const PREFIX = 'CASE_STATUS_';

/** `CaseStatus.CASE_STATUS_APPROVED` → `APPROVED`, the form kept in the database. */
export function statusName(status: CaseStatus): string {
  const name = CaseStatus[status] as string | undefined;
  return name === undefined ? String(status) : name.replace(PREFIX, '');
}

/** `APPROVED` → `CaseStatus.CASE_STATUS_APPROVED`; UNSPECIFIED for anything unknown. */
export function statusFromName(name: string): CaseStatus {
  const value = (CaseStatus as unknown as Record<string, CaseStatus | undefined>)[PREFIX + name];
  return value ?? CaseStatus.CASE_STATUS_UNSPECIFIED;
}
