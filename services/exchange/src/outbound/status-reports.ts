import { CaseStatus, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import { Certificate } from '@tongban/contracts/tongban/certificate/v1/certificate';
import type { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import { StatusReport, type CaseNotice } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { ShipmentKind } from '@tongban/contracts/tongban/logistics/v1/logistics';
import type {
  ShipmentDelivered,
  ShipmentDispatched,
} from '@tongban/contracts/tongban/logistics/v1/events';
import type {
  CaseApproved,
  CaseRejected,
  PreReviewPassed,
  ReviewStarted,
  SupplementReceived,
  SupplementRequested,
  SurveyEvidenceReceived,
  SurveyRequested,
} from '@tongban/contracts/tongban/review/v1/events';
import { caseNotices } from './case-notices';

/**
 * A status report with the round it belongs to: 补正 and 踏勘 may take several rounds, so the same
 * status is reported once per round (0 for every other status). SUPPLEMENTED and SURVEYED do not
 * carry their round on the wire; it is kept beside the report.
 */
export interface RoundReport {
  report: StatusReport;
  round: number;
}

/** What one of this region's events tells the origin of a partner's case. */
export interface OriginUpdate {
  /** Status changes, held and released in lifecycle order. */
  reports: RoundReport[];
  /** Timeline notices, sent at once (also after the case ended). */
  notices: CaseNotice[];
}

/**
 * What the handling region's own events mean for the origin's timeline: the status reports (and
 * notices) each becomes, in order. Pure functions of the event; `at` is when the fact happened
 * here.
 */
export const statusReports = {
  reviewStarted: (event: ReviewStarted, at: Date): OriginUpdate =>
    reports(report(CaseStatus.CASE_STATUS_UNDER_REVIEW, at, { dueAt: event.dueAt })),

  /** With originals to collect, the window can tell the applicant the carrier will come. */
  preReviewPassed: (event: PreReviewPassed, at: Date): OriginUpdate =>
    reports(
      report(CaseStatus.CASE_STATUS_PRE_REVIEWED, at, {
        note: [event.note, event.materialsPickup ? '需核验原件，快递员将上门收取原件' : '']
          .filter((part) => part !== '')
          .join('；'),
      }),
    ),

  supplementRequested: (event: SupplementRequested, at: Date): OriginUpdate => {
    const request = event.request;
    const names = (request?.materials ?? []).map((material) => material.name || material.code);
    return reports(
      report(
        CaseStatus.CASE_STATUS_SUPPLEMENT_REQUESTED,
        at,
        {
          note: [names.length > 0 ? `请补正：${names.join('、')}` : '', request?.note ?? '']
            .filter((part) => part !== '')
            .join('；'),
          supplementRequest: request,
        },
        request?.round ?? 0,
      ),
    );
  },

  supplementReceived: (event: SupplementReceived, at: Date): OriginUpdate =>
    reports(report(CaseStatus.CASE_STATUS_SUPPLEMENTED, at, { dueAt: event.dueAt }, event.round)),

  surveyRequested: (event: SurveyRequested, at: Date): OriginUpdate => {
    const request = event.request;
    return reports(
      report(
        CaseStatus.CASE_STATUS_SURVEY_REQUIRED,
        at,
        { note: request?.note ?? '', surveyRequest: request },
        request?.round ?? 0,
      ),
    );
  },

  surveyEvidenceReceived: (event: SurveyEvidenceReceived, at: Date): OriginUpdate =>
    reports(report(CaseStatus.CASE_STATUS_SURVEYED, at, { dueAt: event.dueAt }, event.round)),

  caseApproved: (_event: CaseApproved, at: Date): OriginUpdate =>
    reports(report(CaseStatus.CASE_STATUS_APPROVED, at)),

  caseRejected: (event: CaseRejected, at: Date): OriginUpdate =>
    reports(report(CaseStatus.CASE_STATUS_REJECTED, at, { note: event.reason })),

  /**
   * The signed certificate travels with the report, so the origin window can hand it over and
   * anyone can verify it with our published key. Only an electronic result is complete with the
   * certificate; a paper result is mailed — to the applicant, or to the origin window for pickup
   * there — and its shipment reports the rest.
   */
  certificateIssued: (event: CertificateIssued, at: Date): OriginUpdate => {
    const issued = report(CaseStatus.CASE_STATUS_CERTIFICATE_ISSUED, at, {
      note: event.certificateId,
      certificateId: event.certificateId,
      certificate: event.certificate
        ? Buffer.from(Certificate.encode(event.certificate).finish())
        : Buffer.alloc(0),
    });
    if (event.delivery?.method !== DeliveryMethod.DELIVERY_METHOD_ELECTRONIC) {
      return reports(issued);
    }
    return reports(issued, report(CaseStatus.CASE_STATUS_COMPLETED, at));
  },

  /**
   * The result parcel moves the case on. The carrier's scan that goes with it becomes a TRACKING
   * notice of its own (ShipmentTracked), which is all the origin needs of the parcel that
   * collects the originals. A result parcel sent again after a lost one is no new status: its
   * DISPATCHED is a repeat (the replacement's number came with MAIL_EXCEPTION_RESOLVED). Events
   * without a kind come from before kinds existed: they were all results.
   */
  shipmentDispatched: (event: ShipmentDispatched, at: Date): OriginUpdate => {
    if (!isResult(event.kind)) return { reports: [], notices: [] };
    return reports(
      report(CaseStatus.CASE_STATUS_DISPATCHED, at, {
        note: event.trackingNumber,
        trackingNumber: event.trackingNumber,
      }),
    );
  },

  /** A result delivered to the origin window completes there, when the clerk hands it over. */
  shipmentDelivered: (event: ShipmentDelivered, at: Date): OriginUpdate => {
    if (!isResult(event.kind)) return caseNotices.pickupDelivered(event, at);
    const delivered = report(CaseStatus.CASE_STATUS_DELIVERED, at, {
      note: event.toWindow
        ? `结果已寄达受理窗口，运单号 ${event.trackingNumber}`
        : event.trackingNumber,
      trackingNumber: event.trackingNumber,
    });
    if (event.toWindow) return reports(delivered);
    return reports(delivered, report(CaseStatus.CASE_STATUS_COMPLETED, at));
  },
};

function isResult(kind: ShipmentKind): boolean {
  return (
    kind === ShipmentKind.SHIPMENT_KIND_RESULT || kind === ShipmentKind.SHIPMENT_KIND_UNSPECIFIED
  );
}

function reports(...list: RoundReport[]): OriginUpdate {
  return { reports: list, notices: [] };
}

function report(
  status: CaseStatus,
  at: Date,
  details: Partial<Omit<StatusReport, 'status' | 'at'>> = {},
  round = 0,
): RoundReport {
  return { report: StatusReport.fromPartial({ ...details, status, at }), round };
}
