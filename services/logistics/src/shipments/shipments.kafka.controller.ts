import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import { PreReviewPassed } from '@tongban/contracts/tongban/review/v1/events';
import { idempotent, on, type ConsumedEvent } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { CarrierOrders } from './carrier-orders.service';
import { ShipmentsService } from './shipments.service';

/**
 * Issued certificates to be mailed or sent to the origin window, and pre-reviews passed with a
 * pickup address for the original materials, become shipments, exactly once per case and kind.
 */
@Injectable()
export class ShipmentsKafkaController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ShipmentsService) private readonly shipments: ShipmentsService,
    @Inject(CarrierOrders) private readonly orders: CarrierOrders,
  ) {}

  onModuleInit(): void {
    const { naming, service } = this.context;
    const inbox = {
      consumerGroup: naming.consumerGroup(service),
      ...prismaTransactions(this.prisma),
    };
    const openResult = idempotent(inbox, (event: ConsumedEvent<CertificateIssued>, tx) =>
      this.shipments.openResult(event, tx),
    );
    const openPickup = idempotent(inbox, (event: ConsumedEvent<PreReviewPassed>, tx) =>
      this.shipments.openPickup(event, tx),
    );
    this.consumers.subscribe(
      [naming.events('certificate'), naming.events('review')],
      [
        on(CertificateIssued, async (event, context) => {
          await openResult(event, context);
          // After the commit, never inside it: the carrier is only asked for a stored shipment.
          // Waking costs one query when nothing is due (a duplicate, an electronic result).
          this.orders.wake();
        }),
        on(PreReviewPassed, async (event, context) => {
          await openPickup(event, context);
          this.orders.wake();
        }),
      ],
    );
  }
}
