import { Inject, Injectable } from '@nestjs/common';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import type {
  CaseForwarded,
  RemoteStatusChanged,
} from '@tongban/contracts/tongban/exchange/v1/events';
import { assertTransition, canTransition, DomainError, statusLabel } from '@tongban/domain';
import { PoisonMessageError, type ConsumedEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import type { IntakeCase } from '../../prisma/generated/client';
import { statusFromProto, statusToProto } from '../cases/case-status';
import { lockCase } from '../cases/lock-case';
import type { PrismaTx } from '../prisma/prisma.service';

/** One status change to record: the entry on the timeline and what it changes on the case. */
interface Step {
  status: CaseStatus;
  at: Date;
  region: string;
  note: string;
  certificateId?: string;
  certificate?: Uint8Array<ArrayBuffer>;
  rejectionReason?: string;
}

/** Statuses only the handling region can report; the others are the origin's own. */
const REPORTABLE: ReadonlySet<CaseStatus> = new Set([
  CaseStatus.CASE_STATUS_RECEIVED,
  CaseStatus.CASE_STATUS_UNDER_REVIEW,
  CaseStatus.CASE_STATUS_SUPPLEMENT_REQUESTED,
  CaseStatus.CASE_STATUS_SUPPLEMENTED,
  CaseStatus.CASE_STATUS_SURVEY_REQUIRED,
  CaseStatus.CASE_STATUS_SURVEYED,
  CaseStatus.CASE_STATUS_APPROVED,
  CaseStatus.CASE_STATUS_REJECTED,
  CaseStatus.CASE_STATUS_CERTIFICATE_ISSUED,
  CaseStatus.CASE_STATUS_DISPATCHED,
  CaseStatus.CASE_STATUS_DELIVERED,
  CaseStatus.CASE_STATUS_COMPLETED,
]);

/**
 * The origin timeline, built from what the exchange reports: the partner's receipt of the case
 * (CaseForwarded) and every status the handling region reports back (RemoteStatusChanged). Each
 * change passes the case lifecycle; what it refuses is never applied.
 *
 * What is refused, and how:
 * - a report of a status the case already passed (a re-sent report, a late receipt) is stale:
 *   skipped and logged, the event counts as handled;
 * - a report about a case withdrawn here is expected while the withdrawal travels: skipped;
 * - any other transition the lifecycle refuses means the two regions disagree about the case:
 *   a PoisonMessageError parks the event on the dead-letter topic with the reason, for an
 *   operator, and the case stays as it was.
 */
@Injectable()
export class TimelineService {
  constructor(@Inject(ServiceContext) private readonly context: ServiceContext) {}

  /** The handling region signed the receipt for the case: 已转递. */
  async forwarded(event: ConsumedEvent<CaseForwarded>, tx: PrismaTx): Promise<void> {
    const { payload, metadata } = event;
    const row = await this.caseOf(tx, payload.caseId, payload.handlingRegion, metadata.caseId);
    await this.advance(tx, row, event, [
      {
        status: CaseStatus.CASE_STATUS_FORWARDED,
        at: payload.acknowledgedAt ?? metadata.occurredAt,
        region: this.context.regionCode,
        note: `已转递${this.partnerName(row.handlingRegion)}，对方已签收`,
      },
    ]);
  }

  /** The handling region reported progress. */
  async remoteStatusChanged(
    event: ConsumedEvent<RemoteStatusChanged>,
    tx: PrismaTx,
  ): Promise<void> {
    const { payload, metadata } = event;
    if (!REPORTABLE.has(payload.status)) {
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        `RemoteStatusChanged for ${payload.caseId} carries status ${String(payload.status)}, which a handling region cannot report`,
      );
    }
    const row = await this.caseOf(tx, payload.caseId, payload.handlingRegion, metadata.caseId);
    const at = payload.at ?? metadata.occurredAt;
    const steps: Step[] = [];
    // A report from the handling region proves it holds the case, even if the exchange's
    // CaseForwarded is not here yet (its receipt and the partner's first report can cross).
    if (row.status === 'SUBMITTED') {
      steps.push({
        status: CaseStatus.CASE_STATUS_FORWARDED,
        at,
        region: this.context.regionCode,
        note: `已转递${this.partnerName(row.handlingRegion)}（据办理地回报确认）`,
      });
    }
    const certificate =
      payload.certificate.length > 0 ? new Uint8Array(payload.certificate) : undefined;
    steps.push({
      status: payload.status,
      at,
      region: payload.handlingRegion,
      note: reportNote(payload),
      ...(payload.certificateId !== '' ? { certificateId: payload.certificateId } : {}),
      ...(certificate ? { certificate } : {}),
      ...(payload.status === CaseStatus.CASE_STATUS_REJECTED
        ? { rejectionReason: payload.note }
        : {}),
    });
    await this.advance(tx, row, event, steps);
  }

  private async caseOf(
    tx: PrismaTx,
    caseId: string,
    handlingRegion: string,
    envelopeCaseId: string,
  ): Promise<IntakeCase> {
    if (caseId !== envelopeCaseId) {
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        `Payload is about case ${caseId} but the envelope names ${envelopeCaseId}`,
      );
    }
    const row = await lockCase(tx, caseId);
    if (!row) {
      throw new PoisonMessageError('EVENT.REJECTED', `Case ${caseId} was not submitted here`);
    }
    if (row.handlingRegion !== handlingRegion) {
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `Case ${caseId} is handled by ${row.handlingRegion}, not by ${handlingRegion}`,
      );
    }
    return row;
  }

  private async advance(
    tx: PrismaTx,
    row: IntakeCase,
    event: ConsumedEvent<unknown>,
    steps: Step[],
  ): Promise<void> {
    let current = statusToProto(row.status);
    const log = { caseId: row.id, eventId: event.metadata.eventId, event: event.typeName };
    for (const step of steps) {
      const status = statusFromProto(step.status);
      if (!status) throw new PoisonMessageError('EVENT.INVALID_PAYLOAD', 'Unknown case status');
      // The same report sent again (the exchange retried, with a new event id) has the same
      // status and time; a later round of 补正 has a new time and is applied.
      const repeated = await tx.timelineEntry.count({
        where: { caseId: row.id, status, at: step.at },
      });
      if (repeated > 0) {
        this.context.logger.info({ ...log, status }, 'status report not applied: a repeat');
        return;
      }
      if (!canTransition(current, step.status)) {
        const skip = await this.skipReason(tx, row.id, current, step.status);
        if (skip !== undefined) {
          this.context.logger.info(
            { ...log, from: statusLabel(current), to: statusLabel(step.status) },
            `status report not applied: ${skip}`,
          );
          return;
        }
        try {
          assertTransition(current, step.status);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          this.context.logger.warn(
            { ...log, code: error.code, from: statusLabel(current), to: statusLabel(step.status) },
            'status report refused by the case lifecycle; dead-lettering it',
          );
          throw new PoisonMessageError('EVENT.REJECTED', `${error.code}: ${error.message}`, {
            cause: error,
          });
        }
      }
      await tx.intakeCase.update({
        where: { id: row.id },
        data: {
          status,
          updatedAt: new Date(),
          ...(step.certificateId !== undefined ? { certificateId: step.certificateId } : {}),
          ...(step.certificate !== undefined ? { certificate: step.certificate } : {}),
          ...(step.rejectionReason !== undefined ? { rejectionReason: step.rejectionReason } : {}),
        },
      });
      await tx.timelineEntry.create({
        data: {
          caseId: row.id,
          status,
          at: step.at,
          region: step.region,
          note: step.note,
          eventId: event.metadata.eventId,
        },
      });
      this.context.logger.info({ ...log, status }, 'timeline advanced');
      current = step.status;
    }
  }

  /** Why a refused change is harmless and may be skipped; undefined when it must be refused. */
  private async skipReason(
    tx: PrismaTx,
    caseId: string,
    current: CaseStatus,
    reported: CaseStatus,
  ): Promise<string | undefined> {
    if (current === CaseStatus.CASE_STATUS_WITHDRAWN) return 'the case was withdrawn here';
    const status = statusFromProto(reported);
    const seen =
      status !== undefined && (await tx.timelineEntry.count({ where: { caseId, status } })) > 0;
    return seen ? 'the case already passed this status (stale or repeated report)' : undefined;
  }

  private partnerName(code: string): string {
    return this.context.region.partners.find((partner) => partner.code === code)?.name ?? code;
  }
}

/** The clerk's note: the handling region's own words, plus the numbers the applicant asks for. */
function reportNote(report: RemoteStatusChanged): string {
  const parts = [report.note.trim()];
  if (report.certificateId !== '' && !report.note.includes(report.certificateId)) {
    parts.push(`证照编号 ${report.certificateId}`);
  }
  if (report.trackingNumber !== '' && !report.note.includes(report.trackingNumber)) {
    parts.push(`运单号 ${report.trackingNumber}`);
  }
  return parts.filter((part) => part !== '').join('；');
}
