import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import type { CatalogField } from '@tongban/contracts/tongban/exchange/v1/exchange';
import {
  Decision,
  ReviewLevel,
  TaskState,
  type ReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import type * as Api from '../api/console-api';
import { ConsoleContext } from '../console-context';
import { ConsoleError } from '../shared/console-error';
import { parseBody } from '../shared/parse-body';
import { taskSummary, taskView } from './task-view';

const text = (max: number) => z.string().trim().max(max);
const preReview = z.object({ note: text(500).default('') });
const decision = z
  .object({ decision: z.enum(['APPROVE', 'REJECT']), reason: text(500).default('') })
  .refine((value) => value.decision === 'APPROVE' || value.reason !== '', {
    message: '不予许可时必须填写理由，理由会告知申请人。',
    path: ['reason'],
  });
const code = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, '代码只能包含字母、数字和 _ . -');
const supplementRequest = z.object({
  materials: z
    .array(z.object({ code, name: text(100).min(1), reason: text(300).min(1, '请写明补正原因') }))
    .min(1, '请至少列出一项需补正的材料')
    .max(30),
  note: text(500).default(''),
});
const surveyRequest = z.object({
  checkpoints: z
    .array(z.object({ code, description: text(300).min(1, '请描述需拍摄的位置或内容') }))
    .min(1, '请至少列出一个踏勘点')
    .max(30),
  note: text(500).default(''),
});
const surveyAcceptance = z.object({ round: z.number().int().positive() });

const OPEN_STATES = [
  TaskState.TASK_STATE_OPEN,
  TaskState.TASK_STATE_PRE_REVIEWED,
  TaskState.TASK_STATE_SUPPLEMENT_REQUESTED,
  TaskState.TASK_STATE_SURVEY_REQUESTED,
];
const DECIDED_STATES = [
  TaskState.TASK_STATE_APPROVED,
  TaskState.TASK_STATE_REJECTED,
  TaskState.TASK_STATE_CANCELLED,
];

/** The reviewer queue of the handling region: who may do what is decided here, per task. */
@Injectable()
export class ReviewQueueService {
  constructor(@Inject(ConsoleContext) private readonly context: ConsoleContext) {}

  async list(region: string, scope: string | undefined): Promise<Api.TaskListResponse> {
    const decided = scope === 'decided';
    const response = await this.review(region).listTasks({
      states: decided ? DECIDED_STATES : OPEN_STATES,
      pageSize: 200,
      pageToken: '',
    });
    const now = new Date();
    return {
      tasks: response.tasks.map((task) => taskSummary(task, this.context.regions, now)),
      now: now.toISOString(),
    };
  }

  async get(region: string, taskId: string): Promise<Api.TaskResponse> {
    return this.respond(region, await this.fetch(region, taskId));
  }

  async preReview(region: string, staff: Api.Staff, taskId: string, body: unknown) {
    const { note } = parseBody(preReview, body, '预审意见有误。');
    await this.actingLevel(region, staff, taskId, 'REVIEWER');
    const response = await this.review(region).passPreReview({
      taskId,
      reviewer: staff.username,
      note,
    });
    return this.respond(region, response.task);
  }

  async decide(region: string, staff: Api.Staff, taskId: string, body: unknown) {
    const input = parseBody(decision, body, '审批决定有误，请检查后重新提交。');
    const task = await this.fetch(region, taskId);
    // At the approval level of a two-level item only an approver decides; below it a reviewer.
    this.requireRole(
      staff,
      task.level === ReviewLevel.REVIEW_LEVEL_APPROVAL ? 'APPROVER' : 'REVIEWER',
    );
    const response = await this.review(region).decide({
      taskId,
      decision: input.decision === 'APPROVE' ? Decision.DECISION_APPROVE : Decision.DECISION_REJECT,
      reason: input.reason,
      reviewer: staff.username,
    });
    return this.respond(region, response.task);
  }

  async requestSupplement(region: string, staff: Api.Staff, taskId: string, body: unknown) {
    const input = parseBody(supplementRequest, body, '补正要求不完整，请检查后重新提交。');
    await this.actingLevel(region, staff, taskId, 'REVIEWER');
    const response = await this.review(region).requestSupplement({
      taskId,
      materials: input.materials,
      note: input.note,
      reviewer: staff.username,
    });
    return this.respond(region, response.task);
  }

  async requestSurvey(region: string, staff: Api.Staff, taskId: string, body: unknown) {
    const input = parseBody(surveyRequest, body, '踏勘要求不完整，请检查后重新提交。');
    await this.actingLevel(region, staff, taskId, 'REVIEWER');
    const response = await this.review(region).requestSurvey({
      taskId,
      checkpoints: input.checkpoints,
      note: input.note,
      reviewer: staff.username,
    });
    return this.respond(region, response.task);
  }

  async acceptSurvey(region: string, staff: Api.Staff, taskId: string, body: unknown) {
    const { round } = parseBody(surveyAcceptance, body, '请指明要通过的踏勘轮次。');
    await this.actingLevel(region, staff, taskId, 'REVIEWER');
    const response = await this.review(region).acceptSurvey({
      taskId,
      round,
      reviewer: staff.username,
    });
    return this.respond(region, response.task);
  }

  /**
   * Streams one material of the task to the browser. Only what the review service hands out for
   * that task can be read (it checks the hash belongs to the task).
   */
  async material(
    region: string,
    taskId: string,
    sha256: string,
    response: Response,
  ): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) {
      throw new ConsoleError(404, 'REVIEW.MATERIAL_NOT_FOUND', '没有找到这份材料。');
    }
    const stream = this.review(region).getMaterial({ taskId, sha256 });
    let started = false;
    try {
      for await (const part of stream) {
        if (!started) {
          started = true;
          response.status(200);
          response.setHeader('content-type', part.contentType || 'application/octet-stream');
          if (part.sizeBytes > 0) response.setHeader('content-length', String(part.sizeBytes));
          response.setHeader(
            'content-disposition',
            `inline; filename*=UTF-8''${encodeURIComponent(part.name || sha256)}`,
          );
          // Shown as the type intake checked it to be, never sniffed into something runnable.
          response.setHeader('x-content-type-options', 'nosniff');
          response.setHeader('cache-control', 'private, max-age=3600, immutable');
        }
        if (part.chunk.length > 0) response.write(part.chunk);
      }
    } catch (error) {
      // Once bytes went out the status cannot change: cut the response so the browser sees a
      // broken file rather than a whole-looking short one.
      if (started) {
        response.destroy();
        return;
      }
      throw error;
    }
    if (!started) throw new ConsoleError(404, 'REVIEW.MATERIAL_NOT_FOUND', '没有找到这份材料。');
    response.end();
  }

  private async actingLevel(
    region: string,
    staff: Api.Staff,
    taskId: string,
    role: Api.StaffRole,
  ): Promise<ReviewTask> {
    this.requireRole(staff, role);
    return this.fetch(region, taskId);
  }

  private requireRole(staff: Api.Staff, role: Api.StaffRole): void {
    if (staff.role !== role) {
      throw new ConsoleError(
        403,
        'AUTH.WRONG_ROLE',
        role === 'APPROVER'
          ? '该办件已通过初审，须由上级审批人员作出决定。'
          : '此项操作由审查人员办理，审批人员只对已通过初审的两级审批事项作出决定。',
      );
    }
  }

  private async fetch(region: string, taskId: string): Promise<ReviewTask> {
    const response = await this.review(region).getTask({ taskId });
    if (!response.task)
      throw new ConsoleError(404, 'REVIEW.TASK_NOT_FOUND', '没有找到这个审查任务。');
    return response.task;
  }

  private async respond(region: string, task: ReviewTask | undefined): Promise<Api.TaskResponse> {
    if (!task) throw new ConsoleError(502, 'UPSTREAM.FAILED', '审查服务没有返回任务，请稍后重试。');
    const fields = await this.catalogFields(region, task);
    const now = new Date();
    return { task: taskView(task, this.context.regions, now, fields), now: now.toISOString() };
  }

  /** The item's form fields from the region's own catalog, for labels; none if it is unreachable. */
  private async catalogFields(region: string, task: ReviewTask): Promise<CatalogField[]> {
    try {
      const { catalog } = await this.context.upstreams.of(region).directory.getOwnCatalog({});
      return catalog?.items.find((item) => item.code === task.itemCode)?.fields ?? [];
    } catch {
      return [];
    }
  }

  private review(region: string) {
    return this.context.upstreams.of(region).review;
  }
}
