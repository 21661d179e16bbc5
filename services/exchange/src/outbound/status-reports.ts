import { CaseStatus, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import { Certificate } from '@tongban/contracts/tongban/certificate/v1/certificate';
import type { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import type { StatusReport } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type {
  ShipmentDelivered,
  ShipmentDispatched,
} from '@tongban/contracts/tongban/logistics/v1/events';
import type {
  CaseApproved,
  CaseRejected,
  ReviewStarted,
} from '@tongban/contracts/tongban/review/v1/events';

/**
 * What the handling region's own events mean for the origin's timeline: the status reports each
 * becomes, in order. Pure functions of the event; `at` is when the fact happened here.
 */
export const statusReports = {
  reviewStarted: (_event: ReviewStarted, at: Date): StatusReport[] => [
    report(CaseStatus.CASE_STATUS_UNDER_REVIEW, at),
  ],

  caseApproved: (_event: CaseApproved, at: Date): StatusReport[] => [
    report(CaseStatus.CASE_STATUS_APPROVED, at),
  ],

  caseRejected: (event: CaseRejected, at: Date): StatusReport[] => [
    report(CaseStatus.CASE_STATUS_REJECTED, at, { note: event.reason }),
  ],

  /**
   * The signed certificate travels with the report, so the origin window can hand it over and
   * anyone can verify it with our published key. Nothing is mailed for an electronic result or
   * a pickup at the window: the case is then complete with the certificate.
   */
  certificateIssued: (event: CertificateIssued, at: Date): StatusReport[] => {
    const issued = report(CaseStatus.CASE_STATUS_CERTIFICATE_ISSUED, at, {
      note: event.certificateId,
      certificateId: event.certificateId,
      certificate: event.certificate
        ? Buffer.from(Certificate.encode(event.certificate).finish())
        : Buffer.alloc(0),
    });
    if (event.delivery?.method === DeliveryMethod.DELIVERY_METHOD_MAIL) return [issued];
    return [issued, report(CaseStatus.CASE_STATUS_COMPLETED, at)];
  },

  shipmentDispatched: (event: ShipmentDispatched, at: Date): StatusReport[] => [
    report(CaseStatus.CASE_STATUS_DISPATCHED, at, {
      note: event.trackingNumber,
      trackingNumber: event.trackingNumber,
    }),
  ],

  shipmentDelivered: (event: ShipmentDelivered, at: Date): StatusReport[] => [
    report(CaseStatus.CASE_STATUS_DELIVERED, at, {
      note: event.trackingNumber,
      trackingNumber: event.trackingNumber,
    }),
    report(CaseStatus.CASE_STATUS_COMPLETED, at),
  ],
};

function report(
  status: CaseStatus,
  at: Date,
  details: Partial<Omit<StatusReport, 'status' | 'at'>> = {},
): StatusReport {
  return {
    status,
    at,
    note: '',
    certificateId: '',
    trackingNumber: '',
    certificate: Buffer.alloc(0),
    ...details,
  };
}
