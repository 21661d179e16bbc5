import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CaseReceived } from '@tongban/contracts/tongban/exchange/v1/events';
import { idempotent, on } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { TasksService } from './tasks.service';

/** Cases the exchange accepted from partner regions become review tasks, exactly once. */
@Injectable()
export class TasksKafkaController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(TasksService) private readonly tasks: TasksService,
  ) {}

  onModuleInit(): void {
    const { naming, service } = this.context;
    this.consumers.subscribe(
      [naming.events('exchange')],
      [
        on(
          CaseReceived,
          idempotent(
            { consumerGroup: naming.consumerGroup(service), ...prismaTransactions(this.prisma) },
            (event, tx) => this.tasks.open(event, tx),
          ),
        ),
      ],
    );
  }
}
