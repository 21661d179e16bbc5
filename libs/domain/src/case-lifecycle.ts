import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { DomainError } from './domain-error';

const S = CaseStatus;

/**
 * The case lifecycle as the origin window sees it (ARCHITECTURE §4). Every status change, local
 * or reported back by the handling region, goes through this table; what it does not list is
 * refused, never silently applied.
 */
const NEXT: ReadonlyMap<CaseStatus, readonly CaseStatus[]> = new Map([
  [S.CASE_STATUS_SUBMITTED, [S.CASE_STATUS_FORWARDED]],
  [S.CASE_STATUS_FORWARDED, [S.CASE_STATUS_RECEIVED]],
  [S.CASE_STATUS_RECEIVED, [S.CASE_STATUS_UNDER_REVIEW]],
  [
    S.CASE_STATUS_UNDER_REVIEW,
    [
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_PRE_REVIEWED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_REJECTED,
    ],
  ],
  // Pre-review (or a TWO_LEVEL item's initial review) passed: the decision follows, possibly
  // after another supplement or a survey asked for at the higher level.
  [
    S.CASE_STATUS_PRE_REVIEWED,
    [
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_REJECTED,
    ],
  ],
  // Rejection while waiting for the applicant: the supplement period ran out without the
  // materials (行政许可法 第三十二条 — the application is then not accepted).
  [S.CASE_STATUS_SUPPLEMENT_REQUESTED, [S.CASE_STATUS_SUPPLEMENTED, S.CASE_STATUS_REJECTED]],
  // After a supplement the reviewer may ask again (补正 can take several rounds), order a survey,
  // pass the pre-review or decide.
  [
    S.CASE_STATUS_SUPPLEMENTED,
    [
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_PRE_REVIEWED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_REJECTED,
    ],
  ],
  // As with supplements: the applicant never provided the site photos or video.
  [S.CASE_STATUS_SURVEY_REQUIRED, [S.CASE_STATUS_SURVEYED, S.CASE_STATUS_REJECTED]],
  // The survey evidence arrived. The reviewer accepts it (no site visit) and goes on, or asks
  // for another round when a checkpoint is not visible.
  [
    S.CASE_STATUS_SURVEYED,
    [
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_PRE_REVIEWED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_REJECTED,
    ],
  ],
  [S.CASE_STATUS_APPROVED, [S.CASE_STATUS_CERTIFICATE_ISSUED]],
  // An electronic result needs no delivery: the case is complete once the certificate exists.
  [S.CASE_STATUS_CERTIFICATE_ISSUED, [S.CASE_STATUS_DISPATCHED, S.CASE_STATUS_COMPLETED]],
  [S.CASE_STATUS_DISPATCHED, [S.CASE_STATUS_DELIVERED]],
  [S.CASE_STATUS_DELIVERED, [S.CASE_STATUS_COMPLETED]],
]);

const TERMINAL: ReadonlySet<CaseStatus> = new Set([
  S.CASE_STATUS_COMPLETED,
  S.CASE_STATUS_REJECTED,
  S.CASE_STATUS_WITHDRAWN,
]);

const LABELS: ReadonlyMap<CaseStatus, string> = new Map([
  [S.CASE_STATUS_SUBMITTED, '已受理'],
  [S.CASE_STATUS_FORWARDED, '已转递'],
  [S.CASE_STATUS_RECEIVED, '办理地已接收'],
  [S.CASE_STATUS_UNDER_REVIEW, '审查中'],
  [S.CASE_STATUS_SUPPLEMENT_REQUESTED, '待补正'],
  [S.CASE_STATUS_SUPPLEMENTED, '已补正'],
  [S.CASE_STATUS_SURVEY_REQUIRED, '待踏勘'],
  [S.CASE_STATUS_SURVEYED, '已踏勘'],
  [S.CASE_STATUS_PRE_REVIEWED, '预审通过'],
  [S.CASE_STATUS_APPROVED, '审批通过'],
  [S.CASE_STATUS_REJECTED, '不予批准'],
  [S.CASE_STATUS_CERTIFICATE_ISSUED, '已出证'],
  [S.CASE_STATUS_DISPATCHED, '已寄出'],
  [S.CASE_STATUS_DELIVERED, '已送达'],
  [S.CASE_STATUS_COMPLETED, '已办结'],
  [S.CASE_STATUS_WITHDRAWN, '已撤回'],
]);

/** Whether the case has reached an end: 已办结, 不予批准 or 已撤回. */
export function isTerminal(status: CaseStatus): boolean {
  return TERMINAL.has(status);
}

/** The statuses a case may move to from `from`, in lifecycle order. */
export function nextStatuses(from: CaseStatus): readonly CaseStatus[] {
  const forward = NEXT.get(from);
  if (forward === undefined) return [];
  // The applicant may withdraw while the case is still open, at any step.
  return [...forward, S.CASE_STATUS_WITHDRAWN];
}

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return nextStatuses(from).includes(to);
}

/** Throws `CASE.ILLEGAL_TRANSITION` unless the lifecycle allows `from` → `to`. */
export function assertTransition(from: CaseStatus, to: CaseStatus): void {
  if (canTransition(from, to)) return;
  const allowed = nextStatuses(from).map(statusLabel);
  const hint = isTerminal(from)
    ? `办件已终结（${statusLabel(from)}），不能再变更状态；如需继续办理，请重新受理新的办件。`
    : allowed.length === 0
      ? '当前状态未知，请联系运维人员。'
      : `当前只能变更为：${allowed.join('、')}。`;
  throw new DomainError(
    'CASE.ILLEGAL_TRANSITION',
    `办件状态不能从“${statusLabel(from)}”变更为“${statusLabel(to)}”：${hint}`,
  );
}

/** The Chinese label shown on the window desk and the applicant's timeline. */
export function statusLabel(status: CaseStatus): string {
  return LABELS.get(status) ?? '未知状态';
}
