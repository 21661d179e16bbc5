import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CaseReceived,
  RemoteStatusChanged,
  SupplementArrived,
  SurveyMediaArrived,
} from '@tongban/contracts/tongban/exchange/v1/events';
import { idempotent, on } from '@tongban/kafka';
import { ConsumerHost, prismaTransactions, ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { ArrivalsService } from './arrivals.service';
import { TasksService } from './tasks.service';

/**
 * What the exchange publishes for review, each applied exactly once: received cases become
 * tasks; supplements and survey media answer a reviewer's request; withdrawals end a task.
 */
@Injectable()
export class TasksKafkaController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(TasksService) private readonly tasks: TasksService,
    @Inject(ArrivalsService) private readonly arrivals: ArrivalsService,
  ) {}

  onModuleInit(): void {
    const { naming, service } = this.context;
    const inbox = {
      consumerGroup: naming.consumerGroup(service),
      ...prismaTransactions(this.prisma),
    };
    const withdrawn = idempotent(inbox, (event: Parameters<ArrivalsService['withdrawn']>[0], tx) =>
      this.arrivals.withdrawn(event, tx),
    );
    this.consumers.subscribe(
      [naming.events('exchange')],
      [
        on(
          CaseReceived,
          idempotent(inbox, (event, tx) => this.tasks.open(event, tx)),
        ),
        on(
          SupplementArrived,
          idempotent(inbox, (event, tx) => this.arrivals.supplementArrived(event, tx)),
        ),
        on(
          SurveyMediaArrived,
          idempotent(inbox, (event, tx) => this.arrivals.surveyMediaArrived(event, tx)),
        ),
        // The exchange reports every status change of the origin's own cases here too; only this
        // region's withdrawals of cases it handles concern review (no inbox row for the rest).
        on(RemoteStatusChanged, (event, context) =>
          this.arrivals.isOwnWithdrawal(event) ? withdrawn(event, context) : Promise.resolve(),
        ),
      ],
    );
  }
}
