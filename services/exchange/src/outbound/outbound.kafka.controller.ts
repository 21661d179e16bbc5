import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import { CaseSubmitted, CaseWithdrawn } from '@tongban/contracts/tongban/intake/v1/events';
import {
  ShipmentDelivered,
  ShipmentDispatched,
} from '@tongban/contracts/tongban/logistics/v1/events';
import {
  CaseApproved,
  CaseRejected,
  ReviewStarted,
} from '@tongban/contracts/tongban/review/v1/events';
import { idempotent, on, type ConsumedEvent, type EventRoute } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import type { StatusReport } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { ProtoMessageType } from '@tongban/contracts';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import { OutboundService } from './outbound.service';
import { statusReports } from './status-reports';

/** What a handler-side event says about a partner's case, for its status reports. */
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
        this.route(CaseSubmitted, (event, tx) => this.outbound.caseSubmitted(event, tx)),
        this.route(CaseWithdrawn, (event, tx) => this.outbound.caseWithdrawn(event, tx)),
        this.reports(ReviewStarted, statusReports.reviewStarted),
        this.reports(CaseApproved, statusReports.caseApproved),
        this.reports(CaseRejected, statusReports.caseRejected),
        this.reports(CertificateIssued, statusReports.certificateIssued),
        this.reports(ShipmentDispatched, statusReports.shipmentDispatched),
        this.reports(ShipmentDelivered, statusReports.shipmentDelivered),
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

  private reports<T extends PartnerCaseEvent>(
    type: ProtoMessageType<T>,
    toReports: (event: T, at: Date) => StatusReport[],
  ): EventRoute {
    return this.route(type, (event, tx) =>
      this.outbound.report(
        event,
        event.payload.caseId,
        event.payload.originRegion,
        toReports(event.payload, event.metadata.occurredAt),
        tx,
      ),
    );
  }
}
