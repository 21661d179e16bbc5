import { CaseStatus as ProtoCaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { isTerminal } from '@tongban/domain';
import type { CaseStatus } from '../../prisma/generated/client';

const TO_PROTO: Record<CaseStatus, ProtoCaseStatus> = {
  SUBMITTED: ProtoCaseStatus.CASE_STATUS_SUBMITTED,
  FORWARDED: ProtoCaseStatus.CASE_STATUS_FORWARDED,
  RECEIVED: ProtoCaseStatus.CASE_STATUS_RECEIVED,
  UNDER_REVIEW: ProtoCaseStatus.CASE_STATUS_UNDER_REVIEW,
  PRE_REVIEWED: ProtoCaseStatus.CASE_STATUS_PRE_REVIEWED,
  SUPPLEMENT_REQUESTED: ProtoCaseStatus.CASE_STATUS_SUPPLEMENT_REQUESTED,
  SUPPLEMENTED: ProtoCaseStatus.CASE_STATUS_SUPPLEMENTED,
  SURVEY_REQUIRED: ProtoCaseStatus.CASE_STATUS_SURVEY_REQUIRED,
  SURVEYED: ProtoCaseStatus.CASE_STATUS_SURVEYED,
  APPROVED: ProtoCaseStatus.CASE_STATUS_APPROVED,
  REJECTED: ProtoCaseStatus.CASE_STATUS_REJECTED,
  CERTIFICATE_ISSUED: ProtoCaseStatus.CASE_STATUS_CERTIFICATE_ISSUED,
  DISPATCHED: ProtoCaseStatus.CASE_STATUS_DISPATCHED,
  DELIVERED: ProtoCaseStatus.CASE_STATUS_DELIVERED,
  COMPLETED: ProtoCaseStatus.CASE_STATUS_COMPLETED,
  WITHDRAWN: ProtoCaseStatus.CASE_STATUS_WITHDRAWN,
};

const FROM_PROTO = new Map(
  Object.entries(TO_PROTO).map(([status, proto]) => [proto, status as CaseStatus]),
);

export function statusToProto(status: CaseStatus): ProtoCaseStatus {
  return TO_PROTO[status];
}

/** The stored status of a proto one; undefined for UNSPECIFIED and unknown values. */
export function statusFromProto(status: ProtoCaseStatus): CaseStatus | undefined {
  return FROM_PROTO.get(status);
}

/** The stored statuses in which a case has ended (completed, rejected, withdrawn). */
export const ENDED_STATUSES: readonly CaseStatus[] = (Object.keys(TO_PROTO) as CaseStatus[]).filter(
  (status) => isTerminal(TO_PROTO[status]),
);
