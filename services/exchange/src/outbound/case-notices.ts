import { TimelineKind } from '@tongban/contracts/tongban/case/v1/case';
import type {
  CertificateExpiring,
  CertificateRevoked,
} from '@tongban/contracts/tongban/certificate/v1/events';
import { CaseNotice } from '@tongban/contracts/tongban/exchange/v1/exchange';
import {
  Resolution,
  ShipmentKind,
  type TrackingEvent,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import type {
  ShipmentDelivered,
  ShipmentException,
  ShipmentExceptionResolved,
  ShipmentTracked,
} from '@tongban/contracts/tongban/logistics/v1/events';
import type {
  DeadlineApproaching,
  DeadlineOverdue,
  SurveyAccepted,
} from '@tongban/contracts/tongban/review/v1/events';
import { chinaDay } from '@tongban/domain';
import type { OriginUpdate } from './status-reports';

/** What the window reads for the parcel that collects the original materials. */
const PICKUP = '原件取件';

/**
 * What the handling region's events mean for the origin's timeline when they are not status
 * changes: notices, sent at once and also after the case ended (a certificate expires or is
 * revoked long after). Pure functions of the event; `at` is when the fact happened here. Notes
 * are for the window clerk, in Chinese.
 */
export const caseNotices = {
  /** The reviewer saw the photos and videos and needs no site visit. */
  surveyAccepted: (_event: SurveyAccepted, at: Date): OriginUpdate =>
    notices(notice(TimelineKind.TIMELINE_KIND_SURVEY_EVIDENCE, at, '踏勘合格，无需实地踏勘')),

  deadlineApproaching: (event: DeadlineApproaching, at: Date): OriginUpdate =>
    notices(
      notice(
        TimelineKind.TIMELINE_KIND_DEADLINE_APPROACHING,
        at,
        event.dueAt
          ? `办理时限即将届满（${chinaDay(event.dueAt).date} 前须作出决定）`
          : '办理时限即将届满',
        { dueAt: event.dueAt },
      ),
    ),

  deadlineOverdue: (event: DeadlineOverdue, at: Date): OriginUpdate =>
    notices(
      notice(
        TimelineKind.TIMELINE_KIND_OVERDUE,
        at,
        event.dueAt
          ? `已超过办理时限（应于 ${chinaDay(event.dueAt).date} 前作出决定）`
          : '已超过办理时限',
        { dueAt: event.dueAt },
      ),
    ),

  /** A carrier's scan; `at` is the carrier's time of it when given. */
  shipmentTracked: (event: ShipmentTracked, at: Date): OriginUpdate =>
    notices(
      notice(
        TimelineKind.TIMELINE_KIND_TRACKING,
        event.event?.at ?? at,
        parcelNote(event.kind, trackingText(event.event)),
        { trackingNumber: event.trackingNumber },
      ),
    ),

  shipmentException: (event: ShipmentException, at: Date): OriginUpdate =>
    notices(
      notice(
        TimelineKind.TIMELINE_KIND_MAIL_EXCEPTION,
        at,
        parcelNote(
          event.kind,
          `邮件异常${event.reason === '' ? '' : `：${event.reason}`}，待工作人员处理`,
        ),
        { trackingNumber: event.trackingNumber },
      ),
    ),

  /**
   * RESEND names the replacement's tracking number once the carrier accepted it (empty when it
   * refused: an exception of the replacement follows); CLOSE ends the matter.
   */
  shipmentExceptionResolved: (event: ShipmentExceptionResolved, at: Date): OriginUpdate => {
    const resent = event.resolution === Resolution.RESOLUTION_RESEND;
    const number = event.replacementTrackingNumber;
    const what = !resent
      ? '邮件异常已处理'
      : number === ''
        ? '邮件异常已处理：已安排重新寄出'
        : `邮件异常已处理：已重新寄出，新运单号 ${number}`;
    return notices(
      notice(
        TimelineKind.TIMELINE_KIND_MAIL_EXCEPTION_RESOLVED,
        at,
        event.note === '' ? what : `${what}（${event.note}）`,
        { trackingNumber: resent ? number : '' },
      ),
    );
  },

  /** The originals reached the department: no status change, the review goes on. */
  pickupDelivered: (event: ShipmentDelivered, at: Date): OriginUpdate =>
    notices(
      notice(TimelineKind.TIMELINE_KIND_HANDOVER, at, '原件已送达审批部门', {
        trackingNumber: event.trackingNumber,
      }),
    ),

  /** 无感智办: the origin offers the holder a renewal pre-filled from this case. */
  certificateExpiring: (event: CertificateExpiring, at: Date): OriginUpdate =>
    notices(
      notice(
        TimelineKind.TIMELINE_KIND_RENEWAL_OFFERED,
        at,
        event.validUntil
          ? `证照 ${event.certificateId} 将于 ${chinaDay(event.validUntil).date} 到期，可申请续办`
          : `证照 ${event.certificateId} 即将到期，可申请续办`,
        {
          renewal: {
            certificateId: event.certificateId,
            validUntil: event.validUntil,
            renewalItemCode: event.renewalItemCode,
          },
        },
      ),
    ),

  certificateRevoked: (event: CertificateRevoked, at: Date): OriginUpdate =>
    notices(
      notice(
        TimelineKind.TIMELINE_KIND_CERTIFICATE_REVOKED,
        event.revokedAt ?? at,
        `证照 ${event.certificateId} 已被撤销${event.reason === '' ? '' : `：${event.reason}`}`,
        { certificateId: event.certificateId },
      ),
    ),
};

function trackingText(event: TrackingEvent | undefined): string {
  const text = [event?.location ?? '', event?.description ?? '']
    .filter((part) => part !== '')
    .join(' ');
  return text === '' ? '物流信息更新' : text;
}

/** Notes about the parcel of originals say so; result parcels are the usual case. */
function parcelNote(kind: ShipmentKind, text: string): string {
  return kind === ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP ? `${PICKUP}：${text}` : text;
}

function notices(...list: CaseNotice[]): OriginUpdate {
  return { reports: [], notices: list };
}

function notice(
  kind: TimelineKind,
  at: Date,
  note: string,
  details: Partial<Omit<CaseNotice, 'kind' | 'at' | 'note'>> = {},
): CaseNotice {
  return CaseNotice.fromPartial({ ...details, kind, at, note });
}
