import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type * as Api from '../api/console-api';
import { Access, CurrentStaff } from '../auth/access';
import { ReviewQueueService } from './review-queue.service';

/** The reviewer queue of the handling region: reviewers and approvers of the region only. */
@Controller('api/regions/:region/review/tasks')
@Access('REVIEWER', 'APPROVER')
export class ReviewQueueController {
  constructor(@Inject(ReviewQueueService) private readonly queue: ReviewQueueService) {}

  @Get()
  list(
    @Param('region') region: string,
    @Query('scope') scope?: string,
  ): Promise<Api.TaskListResponse> {
    return this.queue.list(region, scope);
  }

  @Get(':taskId')
  get(@Param('region') region: string, @Param('taskId') taskId: string): Promise<Api.TaskResponse> {
    return this.queue.get(region, taskId);
  }

  @Get(':taskId/materials/:sha256')
  material(
    @Param('region') region: string,
    @Param('taskId') taskId: string,
    @Param('sha256') sha256: string,
    @Res() response: Response,
  ): Promise<void> {
    return this.queue.material(region, taskId, sha256, response);
  }

  @Post(':taskId/pre-review')
  @HttpCode(200)
  preReview(
    @Param('region') region: string,
    @Param('taskId') taskId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: unknown,
  ): Promise<Api.TaskResponse> {
    return this.queue.preReview(region, staff, taskId, body);
  }

  @Post(':taskId/decision')
  @HttpCode(200)
  decide(
    @Param('region') region: string,
    @Param('taskId') taskId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: unknown,
  ): Promise<Api.TaskResponse> {
    return this.queue.decide(region, staff, taskId, body);
  }

  @Post(':taskId/supplement-request')
  @HttpCode(200)
  requestSupplement(
    @Param('region') region: string,
    @Param('taskId') taskId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: unknown,
  ): Promise<Api.TaskResponse> {
    return this.queue.requestSupplement(region, staff, taskId, body);
  }

  @Post(':taskId/survey-request')
  @HttpCode(200)
  requestSurvey(
    @Param('region') region: string,
    @Param('taskId') taskId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: unknown,
  ): Promise<Api.TaskResponse> {
    return this.queue.requestSurvey(region, staff, taskId, body);
  }

  @Post(':taskId/survey-acceptance')
  @HttpCode(200)
  acceptSurvey(
    @Param('region') region: string,
    @Param('taskId') taskId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: unknown,
  ): Promise<Api.TaskResponse> {
    return this.queue.acceptSurvey(region, staff, taskId, body);
  }
}
