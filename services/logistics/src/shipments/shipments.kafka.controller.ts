import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import { idempotent, on, type ConsumedEvent } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { CarrierOrders } from './carrier-orders.service';
import { ShipmentsService } from './shipments.service';

/** Issued certificates to be mailed become shipments, exactly once per case. */
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
    const open = idempotent(
      { consumerGroup: naming.consumerGroup(service), ...prismaTransactions(this.prisma) },
      (event: ConsumedEvent<CertificateIssued>, tx) => this.shipments.open(event, tx),
    );
    this.consumers.subscribe(
      [naming.events('certificate')],
      [
        on(CertificateIssued, async (event, context) => {
          await open(event, context);
          // After the commit, never inside it: the carrier is only asked for a stored shipment.
          // Waking costs one query when nothing is due (a duplicate, an electronic result).
          this.orders.wake();
        }),
      ],
    );
  }
}
