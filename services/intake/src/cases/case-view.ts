import {
  CaseStatus as ProtoCaseStatus,
  SupplementRequest,
  SurveyRequest,
  TimelineKind as ProtoTimelineKind,
  type TimelineEntry as ProtoTimelineEntry,
} from '@tongban/contracts/tongban/case/v1/case';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import type { Case } from '@tongban/contracts/tongban/intake/v1/intake';
import type { Prisma, TimelineEntry, TimelineKind } from '../../prisma/generated/client';
import { statusToProto } from './case-status';

/** What every read of a case loads: materials in hand-in order, the timeline in applied order. */
export const WITH_HISTORY = {
  materials: { orderBy: { position: 'asc' } },
  timeline: { orderBy: { id: 'asc' } },
} as const satisfies Prisma.IntakeCaseInclude;

export type CaseWithHistory = Prisma.IntakeCaseGetPayload<{ include: typeof WITH_HISTORY }>;

const KIND_TO_PROTO: Record<TimelineKind, ProtoTimelineKind> = {
  STATUS: ProtoTimelineKind.TIMELINE_KIND_UNSPECIFIED,
  TRACKING: ProtoTimelineKind.TIMELINE_KIND_TRACKING,
  MAIL_EXCEPTION: ProtoTimelineKind.TIMELINE_KIND_MAIL_EXCEPTION,
  MAIL_EXCEPTION_RESOLVED: ProtoTimelineKind.TIMELINE_KIND_MAIL_EXCEPTION_RESOLVED,
  DEADLINE_APPROACHING: ProtoTimelineKind.TIMELINE_KIND_DEADLINE_APPROACHING,
  OVERDUE: ProtoTimelineKind.TIMELINE_KIND_OVERDUE,
  SURVEY_EVIDENCE: ProtoTimelineKind.TIMELINE_KIND_SURVEY_EVIDENCE,
  RENEWAL_OFFERED: ProtoTimelineKind.TIMELINE_KIND_RENEWAL_OFFERED,
  CERTIFICATE_REVOKED: ProtoTimelineKind.TIMELINE_KIND_CERTIFICATE_REVOKED,
  HANDOVER: ProtoTimelineKind.TIMELINE_KIND_HANDOVER,
  REPLY_SUBMITTED: ProtoTimelineKind.TIMELINE_KIND_REPLY_SUBMITTED,
};

const KIND_FROM_PROTO = new Map(
  Object.entries(KIND_TO_PROTO).map(([kind, proto]) => [proto, kind as TimelineKind]),
);

/** The stored kind of a notice's proto kind; undefined for UNSPECIFIED (a status change). */
export function noticeKindFromProto(
  kind: ProtoTimelineKind,
): Exclude<TimelineKind, 'STATUS' | 'REPLY_SUBMITTED'> | undefined {
  const stored = KIND_FROM_PROTO.get(kind);
  // The window writes REPLY_SUBMITTED itself; a handling region never sends it.
  return stored === 'STATUS' || stored === 'REPLY_SUBMITTED' ? undefined : stored;
}

export function timelineEntryToProto(entry: TimelineEntry): ProtoTimelineEntry {
  return {
    status: entry.status ? statusToProto(entry.status) : ProtoCaseStatus.CASE_STATUS_UNSPECIFIED,
    at: entry.at,
    region: entry.region,
    note: entry.note,
    kind: KIND_TO_PROTO[entry.kind],
    caseId: entry.caseId,
  };
}

/** The case as the window sees it: as submitted, plus where it is now and how it got there. */
export function toCaseProto(row: CaseWithHistory): Case {
  const submitted = CaseSubmitted.decode(row.submission);
  return {
    caseId: row.id,
    originRegion: submitted.originRegion,
    handlingRegion: row.handlingRegion,
    itemCode: row.itemCode,
    itemName: row.itemName,
    applicant: submitted.applicant,
    // With the case's own materials, those handed in for supplement rounds, in hand-in order.
    materials: row.materials.map((material) => ({
      code: material.code,
      name: material.name,
      sha256: material.sha256,
      sizeBytes: Number(material.sizeBytes),
      contentType: material.contentType,
    })),
    delivery: submitted.delivery,
    channel: submitted.channel,
    fields: submitted.fields,
    status: statusToProto(row.status),
    timeline: row.timeline.map(timelineEntryToProto),
    submittedAt: row.submittedAt,
    certificateId: row.certificateId ?? '',
    certificate: row.certificate ? Buffer.from(row.certificate) : Buffer.alloc(0),
    rejectionReason: row.rejectionReason ?? '',
    agent: submitted.agent,
    openSupplement: row.openSupplement ? SupplementRequest.decode(row.openSupplement) : undefined,
    openSurvey: row.openSurvey ? SurveyRequest.decode(row.openSurvey) : undefined,
    bundleId: row.bundleId ?? '',
    dueAt: row.dueAt ?? undefined,
    overdue: row.overdue,
    materialsPickup: submitted.materialsPickup,
    renewsCertificateId: submitted.renewsCertificateId,
    mailException: row.mailException,
    traceId: row.traceId,
    submittedBy: row.submittedBy,
    completedAt: row.completedAt ?? undefined,
  };
}
