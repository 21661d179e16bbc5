import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CertificateExpiring,
  CertificateIssued,
  CertificateRevoked,
} from '@tongban/contracts/tongban/certificate/v1/events';
import {
  CaseSubmitted,
  CaseWithdrawn,
  SupplementSubmitted,
  SurveyMediaSubmitted,
} from '@tongban/contracts/tongban/intake/v1/events';
import {
  ShipmentDelivered,
  ShipmentDispatched,
  ShipmentException,
  ShipmentExceptionResolved,
  ShipmentTracked,
} from '@tongban/contracts/tongban/logistics/v1/events';
import {
  CaseApproved,
  CaseRejected,
  DeadlineApproaching,
  DeadlineOverdue,
  PreReviewPassed,
  ReviewStarted,
  SupplementReceived,
  SupplementRequested,
  SurveyAccepted,
  SurveyEvidenceReceived,
  SurveyRequested,
} from '@tongban/contracts/tongban/review/v1/events';
import { idempotent, on, type ConsumedEvent, type EventRoute } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import type { ProtoMessageType } from '@tongban/contracts';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import { caseNotices } from './case-notices';
import { OutboundService } from './outbound.service';
import { statusReports, type OriginUpdate } from './status-reports';

/** What a handler-side event says about a partner's case, for its reports and notices. */
interface PartnerCaseEvent {
  caseId: string;
  originRegion: string;
}

/**
 * The region's events that concern partners become outbound messages, exactly once each: the
 * inbox claim, the message rows, their log entries and any event of ours commit together.
 */
@Injectable()
export class OutboundKafkaController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(OutboundService) private readonly outbound: OutboundService,
  ) {}

  onModuleInit(): void {
    const { naming } = this.context;
    this.consumers.subscribe(
      [
        naming.events('intake'),
        naming.events('review'),
        naming.events('certificate'),
        naming.events('logistics'),
      ],
      [
        // Origin side.
        this.route(CaseSubmitted, (event, tx) => this.outbound.caseSubmitted(event, tx)),
        this.route(CaseWithdrawn, (event, tx) => this.outbound.caseWithdrawn(event, tx)),
        this.route(SupplementSubmitted, (event, tx) =>
          this.outbound.supplementSubmitted(event, tx),
        ),
        this.route(SurveyMediaSubmitted, (event, tx) =>
          this.outbound.surveyMediaSubmitted(event, tx),
        ),
        // Handler side: status reports.
        this.tell(ReviewStarted, statusReports.reviewStarted),
        this.tell(PreReviewPassed, statusReports.preReviewPassed),
        this.tell(SupplementRequested, statusReports.supplementRequested),
        this.tell(SupplementReceived, statusReports.supplementReceived),
        this.tell(SurveyRequested, statusReports.surveyRequested),
        this.tell(SurveyEvidenceReceived, statusReports.surveyEvidenceReceived),
        this.tell(CaseApproved, statusReports.caseApproved),
        this.tell(CaseRejected, statusReports.caseRejected),
        this.tell(CertificateIssued, statusReports.certificateIssued),
        this.tell(ShipmentDispatched, statusReports.shipmentDispatched),
        this.tell(ShipmentDelivered, statusReports.shipmentDelivered),
        // Handler side: notices.
        this.tell(SurveyAccepted, caseNotices.surveyAccepted),
        this.tell(DeadlineApproaching, caseNotices.deadlineApproaching),
        this.tell(DeadlineOverdue, caseNotices.deadlineOverdue),
        this.tell(ShipmentTracked, caseNotices.shipmentTracked),
        this.tell(ShipmentException, caseNotices.shipmentException),
        this.tell(ShipmentExceptionResolved, caseNotices.shipmentExceptionResolved),
        this.tell(CertificateExpiring, caseNotices.certificateExpiring),
        this.tell(CertificateRevoked, caseNotices.certificateRevoked),
      ],
    );
  }

  private route<T>(
    type: ProtoMessageType<T>,
    handle: (event: ConsumedEvent<T>, tx: PrismaTx) => Promise<void>,
  ): EventRoute {
    const { naming, service } = this.context;
    return on(
      type,
      idempotent(
        { consumerGroup: naming.consumerGroup(service), ...prismaTransactions(this.prisma) },
        handle,
      ),
    );
  }

  private tell<T extends PartnerCaseEvent>(
    type: ProtoMessageType<T>,
    toUpdate: (event: T, at: Date) => OriginUpdate,
  ): EventRoute {
    return this.route(type, (event, tx) =>
      this.outbound.tellOrigin(
        event,
        event.payload.caseId,
        event.payload.originRegion,
        toUpdate(event.payload, event.metadata.occurredAt),
        tx,
      ),
    );
  }
}
