import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ReviewServiceService,
  type ReviewServiceServer,
} from '@tongban/contracts/tongban/review/v1/review';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { OnTimeReportService } from './on-time-report.service';
import { TasksService } from './tasks.service';

/** The review API for the console: the reviewer queue, every action on a task, the report. */
@Injectable()
export class TasksGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(TasksService) private readonly tasks: TasksService,
    @Inject(OnTimeReportService) private readonly onTime: OnTimeReportService,
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
      passPreReview: unary(logger, async (request) => ({
        task: this.tasks.toProto(await this.tasks.passPreReview(request)),
      })),
      requestSupplement: unary(logger, async (request) => ({
        task: this.tasks.toProto(await this.tasks.requestSupplement(request)),
      })),
      requestSurvey: unary(logger, async (request) => ({
        task: this.tasks.toProto(await this.tasks.requestSurvey(request)),
      })),
      acceptSurvey: unary(logger, async (request) => ({
        task: this.tasks.toProto(await this.tasks.acceptSurvey(request)),
      })),
      getOnTimeReport: unary(logger, (request) => this.onTime.report(request)),
    };
    this.grpc.addService(ReviewServiceService, implementation);
  }
}
