import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { RemoteNotice } from '@tongban/contracts/tongban/exchange/v1/events';
import { idempotent, on } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { PartnerRevocations } from './partner-revocations';

/** Partners' revocations of certificates of our window's cases, each recorded exactly once. */
@Injectable()
export class PartnerRevocationsKafkaController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(PartnerRevocations) private readonly revocations: PartnerRevocations,
  ) {}

  onModuleInit(): void {
    const { naming, service } = this.context;
    const revoked = idempotent(
      { consumerGroup: naming.consumerGroup(service), ...prismaTransactions(this.prisma) },
      (event: Parameters<PartnerRevocations['record']>[0], tx) =>
        this.revocations.record(event, tx),
    );
    this.consumers.subscribe(
      [naming.events('exchange')],
      [
        // Every notice of our window's cases arrives here; only revocations concern certificates
        // (no inbox row for the rest).
        on(RemoteNotice, (event, context) =>
          this.revocations.isPartnerRevocation(event) ? revoked(event, context) : Promise.resolve(),
        ),
      ],
    );
  }
}
