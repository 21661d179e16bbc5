import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Applicant, MaterialRef } from '@tongban/contracts/tongban/case/v1/case';
import type { CaseReceived } from '@tongban/contracts/tongban/exchange/v1/events';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import {
  CaseApproved,
  CaseRejected,
  ReviewStarted,
} from '@tongban/contracts/tongban/review/v1/events';
import {
  Decision,
  TaskState as ProtoTaskState,
  type ReviewTask as ProtoReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import {
  addWorkingDays,
  applicantKindName,
  evaluateInstantRules,
  findItem,
  toHandlingMode,
  type RegionItem,
} from '@tongban/domain';
import {
  enqueueEvents,
  newEventMetadata,
  PoisonMessageError,
  type ConsumedEvent,
  type EventMetadata,
  type OutgoingEvent,
} from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { withSpan } from '@tongban/telemetry';
import type { ReviewTask, TaskState } from '../../prisma/generated/client';
import { PrismaService } from '../prisma/prisma.service';
import { ReviewError } from './review-error';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

const STATE_TO_PROTO: Record<TaskState, ProtoTaskState> = {
  OPEN: ProtoTaskState.TASK_STATE_OPEN,
  APPROVED: ProtoTaskState.TASK_STATE_APPROVED,
  REJECTED: ProtoTaskState.TASK_STATE_REJECTED,
  CANCELLED: ProtoTaskState.TASK_STATE_CANCELLED,
};
const PROTO_TO_STATE = new Map(
  Object.entries(STATE_TO_PROTO).map(([state, proto]) => [proto, state as TaskState]),
);

/**
 * Review in the region that owns the item: a task for every received case; INSTANT items are
 * decided by their rules at once (秒批), STANDARD items wait for a reviewer's decision.
 */
@Injectable()
export class TasksService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
  ) {}

  /** Opens the task of a received case (inside the consumer's inbox transaction). */
  async open(event: ConsumedEvent<CaseReceived>, tx: Tx): Promise<void> {
    const submitted = event.payload.case;
    if (!submitted) {
      throw new PoisonMessageError('EVENT.INVALID_PAYLOAD', 'CaseReceived without its case');
    }
    const item = findItem(this.context.region, submitted.itemCode);
    if (!item) {
      // The exchange accepts only items of our catalog; anything else is a bug upstream.
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `Item ${submitted.itemCode} is not in the catalog of ${this.context.regionCode}`,
      );
    }
    const receivedAt = event.payload.receivedAt ?? event.metadata.occurredAt;
    const task = await tx.reviewTask.create({
      data: {
        id: randomUUID(),
        caseId: submitted.caseId,
        originRegion: submitted.originRegion,
        itemCode: item.code,
        itemName: item.name,
        mode: item.mode,
        caseSnapshot: Buffer.from(CaseSubmitted.encode(submitted).finish()),
        receivedAt,
        dueAt: addWorkingDays(receivedAt, item.timeLimitWorkingDays),
      },
    });
    const events: OutgoingEvent[] = [
      this.event(event.metadata, task.caseId, ReviewStarted, {
        caseId: task.caseId,
        originRegion: task.originRegion,
        taskId: task.id,
        mode: toHandlingMode(item.mode),
      }),
    ];
    if (item.mode === 'INSTANT') {
      events.push(...(await this.decideByRules(tx, task, item, submitted, event.metadata)));
    }
    await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, events);
  }

  /** A reviewer's decision on a STANDARD item. */
  async decide(request: {
    taskId: string;
    decision: Decision;
    reason: string;
    reviewer: string;
  }): Promise<ReviewTask> {
    if (
      request.decision === Decision.DECISION_UNSPECIFIED ||
      request.decision === Decision.UNRECOGNIZED
    ) {
      throw new ReviewError('REVIEW.DECISION_REQUIRED', '请选择审查结论：准予或不予办理。');
    }
    const reason = request.reason.trim();
    if (request.decision === Decision.DECISION_REJECT && reason === '') {
      throw new ReviewError('REVIEW.REASON_REQUIRED', '不予办理须填写理由，理由将告知申请人。');
    }
    if (request.reviewer.trim() === '') {
      throw new ReviewError('REVIEW.REVIEWER_REQUIRED', '审查人账号缺失，请重新登录后再作决定。');
    }
    return withSpan('review.decide', {}, () =>
      this.prisma.$transaction(async (tx) => {
        // Lock the task row: a double click or two reviewers cannot both decide.
        const locked = await tx.$queryRawUnsafe<{ id: string }[]>(
          'SELECT id FROM review_task WHERE id = $1::uuid FOR UPDATE',
          request.taskId,
        );
        const task =
          locked.length > 0
            ? await tx.reviewTask.findUnique({ where: { id: request.taskId } })
            : null;
        if (!task) {
          throw new ReviewError('REVIEW.TASK_NOT_FOUND', `审查任务 ${request.taskId} 不存在。`);
        }
        if (task.mode !== 'STANDARD') {
          throw new ReviewError(
            'REVIEW.NOT_A_REVIEWER_DECISION',
            '秒批事项由规则自动决定，无需人工审查。',
          );
        }
        if (task.state !== 'OPEN') {
          throw new ReviewError(
            'REVIEW.ALREADY_DECIDED',
            `案件 ${task.caseId} 已有审查结论，不能重复决定。`,
          );
        }
        const approve = request.decision === Decision.DECISION_APPROVE;
        const decided = await tx.reviewTask.update({
          where: { id: task.id },
          data: {
            state: approve ? 'APPROVED' : 'REJECTED',
            decidedAt: new Date(),
            decidedBy: request.reviewer,
            reason: reason === '' ? null : reason,
          },
        });
        const submitted = CaseSubmitted.decode(task.caseSnapshot);
        const outcome = this.outcomeEvent(decided, submitted, undefined);
        await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [outcome]);
        return decided;
      }),
    );
  }

  async get(taskId: string): Promise<ReviewTask> {
    const task = /^[0-9a-f-]{36}$/i.test(taskId)
      ? await this.prisma.reviewTask.findUnique({ where: { id: taskId } })
      : null;
    if (!task) throw new ReviewError('REVIEW.TASK_NOT_FOUND', `审查任务 ${taskId} 不存在。`);
    return task;
  }

  /** Tasks by deadline (the reviewer queue), optionally only in some states. */
  async list(request: {
    states: ProtoTaskState[];
    pageSize: number;
    pageToken: string;
  }): Promise<{ tasks: ReviewTask[]; nextPageToken: string }> {
    const pageSize = Math.min(Math.max(request.pageSize || 50, 1), 500);
    const offset = request.pageToken === '' ? 0 : Number(request.pageToken);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new ReviewError('REVIEW.INVALID_PAGE_TOKEN', '分页标记无效，请从第一页重新查询。');
    }
    const states = request.states.flatMap((state) => {
      const mapped = PROTO_TO_STATE.get(state);
      return mapped ? [mapped] : [];
    });
    const tasks = await this.prisma.reviewTask.findMany({
      where: states.length > 0 ? { state: { in: states } } : {},
      orderBy: [{ dueAt: 'asc' }, { receivedAt: 'asc' }],
      skip: offset,
      take: pageSize + 1,
    });
    return {
      tasks: tasks.slice(0, pageSize),
      nextPageToken: tasks.length > pageSize ? String(offset + pageSize) : '',
    };
  }

  toProto(task: ReviewTask): ProtoReviewTask {
    const submitted = CaseSubmitted.decode(task.caseSnapshot);
    return {
      taskId: task.id,
      caseId: task.caseId,
      originRegion: task.originRegion,
      itemCode: task.itemCode,
      itemName: task.itemName,
      mode: toHandlingMode(task.mode),
      state: STATE_TO_PROTO[task.state],
      applicant: submitted.applicant ? Applicant.fromPartial(submitted.applicant) : undefined,
      materials: submitted.materials.map((material) => MaterialRef.fromPartial(material)),
      fields: submitted.fields,
      receivedAt: task.receivedAt,
      dueAt: task.dueAt,
      decidedAt: task.decidedAt ?? undefined,
      decidedBy: task.decidedBy ?? '',
      reason: task.reason ?? '',
      rule: task.rule ?? '',
    };
  }

  private async decideByRules(
    tx: Tx,
    task: ReviewTask,
    item: RegionItem,
    submitted: CaseSubmitted,
    cause: EventMetadata,
  ): Promise<OutgoingEvent[]> {
    const kind = submitted.applicant ? applicantKindName(submitted.applicant.kind) : undefined;
    const decision = evaluateInstantRules(item, {
      applicantKind: kind ?? 'PERSON',
      fields: submitted.fields,
      materials: submitted.materials.map((material) => material.code),
    });
    const decided = await tx.reviewTask.update({
      where: { id: task.id },
      data: {
        state: decision.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
        decidedAt: new Date(),
        decidedBy: `rule:${decision.rule}`,
        reason: decision.reason,
        rule: decision.rule,
      },
    });
    return [this.outcomeEvent(decided, submitted, cause)];
  }

  private outcomeEvent(
    task: ReviewTask,
    submitted: CaseSubmitted,
    cause: EventMetadata | undefined,
  ): OutgoingEvent {
    if (task.state === 'APPROVED') {
      return this.event(cause, task.caseId, CaseApproved, {
        caseId: task.caseId,
        originRegion: task.originRegion,
        itemCode: task.itemCode,
        applicant: submitted.applicant,
        fields: submitted.fields,
        delivery: submitted.delivery,
        decidedBy: task.decidedBy ?? '',
      });
    }
    return this.event(cause, task.caseId, CaseRejected, {
      caseId: task.caseId,
      originRegion: task.originRegion,
      reason: task.reason ?? '',
      decidedBy: task.decidedBy ?? '',
    });
  }

  private event<T>(
    cause: EventMetadata | undefined,
    caseId: string,
    type: OutgoingEvent<T>['type'],
    payload: T,
  ): OutgoingEvent {
    return {
      metadata: newEventMetadata({
        caseId,
        region: this.context.regionCode,
        service: this.context.service,
        causedBy: cause,
      }),
      type,
      payload,
    };
  }
}
