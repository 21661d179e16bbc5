import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  GetMaterialResponse,
  ReviewServiceService,
  type GetMaterialRequest,
  type ReviewServiceServer,
} from '@tongban/contracts/tongban/review/v1/review';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { serverStreaming } from '../server-streaming';
import { MaterialsService } from './materials.service';
import { OnTimeReportService } from './on-time-report.service';
import { TasksService } from './tasks.service';

/**
 * The review API for the console: the reviewer queue, every action on a task, the report, and
 * the materials viewer.
 */
@Injectable()
export class TasksGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(TasksService) private readonly tasks: TasksService,
    @Inject(OnTimeReportService) private readonly onTime: OnTimeReportService,
    @Inject(MaterialsService) private readonly materials: MaterialsService,
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
      getMaterial: serverStreaming(logger, (request) => this.material(request)),
    };
    this.grpc.addService(ReviewServiceService, implementation);
  }

  /** What the material is first (the viewer picks how to show it), then its content. */
  private async *material(request: GetMaterialRequest): AsyncIterable<GetMaterialResponse> {
    const material = await this.materials.open(request.taskId, request.sha256);
    yield GetMaterialResponse.fromPartial({
      contentType: material.contentType,
      sizeBytes: material.sizeBytes,
      name: material.name,
    });
    for await (const chunk of material.content) {
      yield GetMaterialResponse.fromPartial({ chunk });
    }
  }
}
