import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import type { Case } from '@tongban/contracts/tongban/intake/v1/intake';
import type { Prisma } from '../../prisma/generated/client';
import { statusToProto } from './case-status';

/** What every read of a case loads: materials in hand-in order, the timeline in applied order. */
export const WITH_HISTORY = {
  materials: { orderBy: { position: 'asc' } },
  timeline: { orderBy: { id: 'asc' } },
} as const satisfies Prisma.IntakeCaseInclude;

export type CaseWithHistory = Prisma.IntakeCaseGetPayload<{ include: typeof WITH_HISTORY }>;

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
    timeline: row.timeline.map((entry) => ({
      status: statusToProto(entry.status),
      at: entry.at,
      region: entry.region,
      note: entry.note,
    })),
    submittedAt: row.submittedAt,
    certificateId: row.certificateId ?? '',
    certificate: row.certificate ? Buffer.from(row.certificate) : Buffer.alloc(0),
    rejectionReason: row.rejectionReason ?? '',
  };
}
