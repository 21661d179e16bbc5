import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CaseForwarded,
  RemoteNotice,
  RemoteStatusChanged,
} from '@tongban/contracts/tongban/exchange/v1/events';
import { idempotent, on } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { TimelineService } from './timeline.service';

/** What the exchange learns about our cases becomes their timeline, exactly once. */
@Injectable()
export class TimelineKafkaController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(TimelineService) private readonly timeline: TimelineService,
  ) {}

  onModuleInit(): void {
    const { naming, service } = this.context;
    const inbox = {
      consumerGroup: naming.consumerGroup(service),
      ...prismaTransactions(this.prisma),
    };
    this.consumers.subscribe(
      [naming.events('exchange')],
      [
        on(
          CaseForwarded,
          idempotent(inbox, (event, tx) => this.timeline.forwarded(event, tx)),
        ),
        on(
          RemoteStatusChanged,
          idempotent(inbox, (event, tx) => this.timeline.remoteStatusChanged(event, tx)),
        ),
        on(
          RemoteNotice,
          idempotent(inbox, (event, tx) => this.timeline.remoteNotice(event, tx)),
        ),
      ],
    );
  }
}
