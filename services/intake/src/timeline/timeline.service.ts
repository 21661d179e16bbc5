import { Inject, Injectable } from '@nestjs/common';
import {
  CaseStatus,
  SupplementRequest,
  SurveyRequest,
  TimelineKind as ProtoTimelineKind,
} from '@tongban/contracts/tongban/case/v1/case';
import type {
  CaseForwarded,
  RemoteNotice,
  RemoteStatusChanged,
} from '@tongban/contracts/tongban/exchange/v1/events';
import type { CaseNotice } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { assertTransition, canTransition, DomainError, statusLabel } from '@tongban/domain';
import { PoisonMessageError, type ConsumedEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import type { IntakeCase, TimelineKind } from '../../prisma/generated/client';
import { statusFromProto, statusToProto } from '../cases/case-status';
import { noticeKindFromProto } from '../cases/case-view';
import { lockCase } from '../cases/lock-case';
import type { PrismaTx } from '../prisma/prisma.service';
import { recordRenewalOffer, revokeRenewalOffers } from '../renewals/renewal-offers';

/** One status change to record: the entry on the timeline and what it changes on the case. */
interface Step {
  status: CaseStatus;
  at: Date;
  region: string;
  note: string;
  certificateId?: string;
  certificate?: Uint8Array<ArrayBuffer>;
  rejectionReason?: string;
  /** With SUPPLEMENT_REQUESTED: what the reviewer asks for (补正). */
  supplementRequest?: SupplementRequest;
  /** With SURVEY_REQUIRED: what to photograph or film (远程踏勘). */
  surveyRequest?: SurveyRequest;
  /** The handling region's decision deadline as it stands after the change. */
  dueAt?: Date;
}

/** What the clerk reads for a notice the handling region sent without words of its own. */
const NOTICE_DEFAULT_NOTES: Record<Exclude<TimelineKind, 'STATUS' | 'REPLY_SUBMITTED'>, string> = {
  TRACKING: '快递动态更新',
  MAIL_EXCEPTION: '邮件丢失或被退回，办理地正在处理',
  MAIL_EXCEPTION_RESOLVED: '邮件异常已处理',
  DEADLINE_APPROACHING: '办理时限已用去八成',
  OVERDUE: '已超过承诺办理时限，尚未作出决定',
  SURVEY_EVIDENCE: '远程踏勘材料已由审查人员查看',
  RENEWAL_OFFERED: '证照即将到期，可办理延续',
  CERTIFICATE_REVOKED: '证照已被发证机关撤销',
  HANDOVER: '已交接',
};

/** Statuses only the handling region can report; the others are the origin's own. */
const REPORTABLE: ReadonlySet<CaseStatus> = new Set([
  CaseStatus.CASE_STATUS_RECEIVED,
  CaseStatus.CASE_STATUS_UNDER_REVIEW,
  CaseStatus.CASE_STATUS_PRE_REVIEWED,
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
 *
 * Notices (RemoteNotice: tracking, deadlines, mail exceptions, renewals, revocations …) are not
 * status changes: recorded as entries of their kind whatever the status, also after the case
 * ended, once each (the same kind, time and note twice is a repeat).
 *
 * Reports about cases this region handles for others (the exchange publishes a partner's
 * withdrawal for our review service) are not about our cases: skipped.
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
    if (this.handledHere(event, payload.handlingRegion)) return;
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
      ...(payload.supplementRequest ? { supplementRequest: payload.supplementRequest } : {}),
      ...(payload.surveyRequest ? { surveyRequest: payload.surveyRequest } : {}),
      ...(payload.dueAt ? { dueAt: payload.dueAt } : {}),
    });
    await this.advance(tx, row, event, steps);
  }

  /** The handling region sent a notice: an entry of its kind, and what it changes on the case. */
  async remoteNotice(event: ConsumedEvent<RemoteNotice>, tx: PrismaTx): Promise<void> {
    const { payload, metadata } = event;
    if (this.handledHere(event, payload.handlingRegion)) return;
    const notice = payload.notice;
    const kind = notice ? noticeKindFromProto(notice.kind) : undefined;
    if (!notice || kind === undefined) {
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        `RemoteNotice for ${payload.caseId} carries no notice of a known kind`,
      );
    }
    const renewal = notice.renewal;
    if (
      kind === 'RENEWAL_OFFERED' &&
      (!renewal?.validUntil || renewal.certificateId === '' || renewal.renewalItemCode === '')
    ) {
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        `RENEWAL_OFFERED for ${payload.caseId} lacks the certificate, its expiry or the renewal item`,
      );
    }
    const row = await this.caseOf(tx, payload.caseId, payload.handlingRegion, metadata.caseId);
    const at = notice.at ?? metadata.occurredAt;
    const note = noticeNote(notice, kind);
    const log = { caseId: row.id, eventId: metadata.eventId, kind };
    // The same notice sent again (the exchange retried under a new event id) is recorded once.
    if ((await tx.timelineEntry.count({ where: { caseId: row.id, kind, at, note } })) > 0) {
      this.context.logger.info(log, 'notice not recorded: a repeat');
      return;
    }
    await tx.timelineEntry.create({
      data: {
        caseId: row.id,
        status: null,
        kind,
        at,
        region: payload.handlingRegion,
        note,
        eventId: metadata.eventId,
      },
    });
    switch (kind) {
      case 'DEADLINE_APPROACHING':
      case 'OVERDUE':
        await tx.intakeCase.update({
          where: { id: row.id },
          data: {
            updatedAt: new Date(),
            ...(notice.dueAt ? { dueAt: notice.dueAt } : {}),
            ...(kind === 'OVERDUE' ? { overdue: true } : {}),
          },
        });
        break;
      case 'MAIL_EXCEPTION':
      case 'MAIL_EXCEPTION_RESOLVED': {
        // Counted, not taken from the latest notice: a case has several parcels (originals,
        // result, resends) whose exceptions are open at once, and notices are not ordered.
        const [raised, resolved] = await Promise.all(
          (['MAIL_EXCEPTION', 'MAIL_EXCEPTION_RESOLVED'] as const).map((counted) =>
            tx.timelineEntry.count({ where: { caseId: row.id, kind: counted } }),
          ),
        );
        await tx.intakeCase.update({
          where: { id: row.id },
          data: { updatedAt: new Date(), mailException: (raised ?? 0) > (resolved ?? 0) },
        });
        break;
      }
      case 'RENEWAL_OFFERED':
        if (renewal?.validUntil) {
          await recordRenewalOffer(tx, {
            caseId: row.id,
            handlingRegion: payload.handlingRegion,
            certificateId: renewal.certificateId,
            itemCode: renewal.renewalItemCode,
            validUntil: renewal.validUntil,
            offeredAt: at,
          });
        }
        break;
      case 'CERTIFICATE_REVOKED':
        await revokeRenewalOffers(tx, row.id, notice.certificateId || row.certificateId, at);
        break;
      default:
        break;
    }
    this.context.logger.info(log, 'notice recorded');
  }

  /**
   * Whether the event is about a case this region handles for a partner rather than one its
   * windows accepted: the exchange publishes those too (a partner's withdrawal, for review).
   */
  private handledHere(event: ConsumedEvent<unknown>, handlingRegion: string): boolean {
    if (handlingRegion !== this.context.regionCode) return false;
    this.context.logger.debug(
      { caseId: event.metadata.caseId, eventId: event.metadata.eventId, event: event.typeName },
      'not about a case submitted here: skipped',
    );
    return true;
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
          // What the reviewer waits for is shown while the case waits, and cleared once it
          // moves on (a later round brings its own request).
          openSupplement:
            step.status === CaseStatus.CASE_STATUS_SUPPLEMENT_REQUESTED && step.supplementRequest
              ? Buffer.from(SupplementRequest.encode(step.supplementRequest).finish())
              : null,
          openSurvey:
            step.status === CaseStatus.CASE_STATUS_SURVEY_REQUIRED && step.surveyRequest
              ? Buffer.from(SurveyRequest.encode(step.surveyRequest).finish())
              : null,
          ...(step.dueAt !== undefined ? { dueAt: step.dueAt } : {}),
          // As the handling region reported it: the handling time runs until then.
          ...(status === 'COMPLETED' ? { completedAt: step.at } : {}),
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

/** The clerk's note for a notice: the handling region's words, plus the numbers asked about. */
function noticeNote(
  notice: CaseNotice,
  kind: Exclude<TimelineKind, 'STATUS' | 'REPLY_SUBMITTED'>,
): string {
  const own = notice.note.trim();
  const parts = [own === '' ? NOTICE_DEFAULT_NOTES[kind] : own];
  if (notice.trackingNumber !== '' && !own.includes(notice.trackingNumber)) {
    parts.push(`运单号 ${notice.trackingNumber}`);
  }
  if (
    notice.kind === ProtoTimelineKind.TIMELINE_KIND_CERTIFICATE_REVOKED &&
    notice.certificateId !== '' &&
    !own.includes(notice.certificateId)
  ) {
    parts.push(`证照编号 ${notice.certificateId}`);
  }
  return parts.join('；');
}
