import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CaseApproved } from '@tongban/contracts/tongban/review/v1/events';
import { idempotent, on } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { CertificatesService } from './certificates.service';

/** Approvals of our review become signed certificates, exactly once per case. */
@Injectable()
export class CertificatesKafkaController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CertificatesService) private readonly certificates: CertificatesService,
  ) {}

  onModuleInit(): void {
    const { naming, service } = this.context;
    this.consumers.subscribe(
      [naming.events('review')],
      [
        on(
          CaseApproved,
          idempotent(
            { consumerGroup: naming.consumerGroup(service), ...prismaTransactions(this.prisma) },
            (event, tx) => this.certificates.issue(event, tx),
          ),
        ),
      ],
    );
  }
}
