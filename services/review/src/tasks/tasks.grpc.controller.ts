import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ReviewServiceService,
  type ReviewServiceServer,
} from '@tongban/contracts/tongban/review/v1/review';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { TasksService } from './tasks.service';

/** The review API (ListTasks, GetTask, Decide) for the console's reviewer queue. */
@Injectable()
export class TasksGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(TasksService) private readonly tasks: TasksService,
  ) {}

  onModuleInit(): void {
    const { logger } = this.context;
    const implementation: ReviewServiceServer = {
      listTasks: unary(logger, async (request) => {
        const page = await this.tasks.list(request);
        return {
          tasks: page.tasks.map((task) => this.tasks.toProto(task)),
          nextPageToken: page.nextPageToken,
        };
      }),
      getTask: unary(logger, async (request) => ({
        task: this.tasks.toProto(await this.tasks.get(request.taskId)),
      })),
      decide: unary(logger, async (request) => ({
        task: this.tasks.toProto(await this.tasks.decide(request)),
      })),
    };
    this.grpc.addService(ReviewServiceService, implementation);
  }
}
