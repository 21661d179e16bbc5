import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RequestedMaterial, SurveyCheckpoint } from '@tongban/contracts/tongban/case/v1/case';
import type { CaseReceived } from '@tongban/contracts/tongban/exchange/v1/events';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import {
  CaseApproved,
  CaseRejected,
  PreReviewPassed,
  ReviewStarted,
  SupplementRequested,
  SurveyAccepted,
  SurveyRequested,
} from '@tongban/contracts/tongban/review/v1/events';
import {
  Decision,
  type TaskState as ProtoTaskState,
  type ReviewTask as ProtoReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import {
  applicantKindName,
  evaluateInstantRules,
  findItem,
  HolidayCalendar,
  toHandlingMode,
  type RegionItem,
} from '@tongban/domain';
import {
  PoisonMessageError,
  type ConsumedEvent,
  type EventMetadata,
  type OutgoingEvent,
} from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import { withSpan } from '@tongban/telemetry';
import type { Prisma, ReviewTask } from '../../prisma/generated/client';
import { PrismaService } from '../prisma/prisma.service';
import { ReviewError } from './review-error';
import { ReviewEvents } from './review-events';
import { assertAllowed } from './task-actions';
import { deadlines, stoppedClock, usedMs, type ClockBasis } from './task-clock';
import { isTaskId, lockTask, readTask, type Tx } from './task-store';
import {
  PROTO_TO_STATE,
  taskPauses,
  toTaskProto,
  WITH_ROUNDS,
  type StoredCheckpoint,
  type StoredRequestedMaterial,
  type TaskWithRounds,
} from './task-view';

// As catalog codes are written in region files: material codes and survey checkpoints alike.
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Review in the region that owns the item: a task for every received case. INSTANT items are
 * decided by their rules at once (秒批); STANDARD items are pre-reviewed and decided by a
 * reviewer; TWO_LEVEL items are reviewed at the receiving department and approved at the higher
 * one by another staff account. Reviewers may ask the applicant for supplementary materials and
 * for survey photos and videos; the time limit pauses while the applicant is asked.
 */
@Injectable()
export class TasksService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(HolidayCalendar) private readonly calendar: HolidayCalendar,
    @Inject(ReviewEvents) private readonly events: ReviewEvents,
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
    // The clock starts when the case reached this region (行政许可法: the day of receipt).
    const receivedAt = event.payload.receivedAt ?? event.metadata.occurredAt;
    const basis: ClockBasis = {
      receivedAt,
      timeLimitWorkingDays: item.timeLimitWorkingDays,
      preReviewWorkingDays: item.preReviewWorkingDays ?? item.timeLimitWorkingDays,
    };
    const clock = deadlines(basis, [], this.calendar);
    const task = await tx.reviewTask.create({
      data: {
        id: randomUUID(),
        caseId: submitted.caseId,
        originRegion: submitted.originRegion,
        itemCode: item.code,
        itemName: item.name,
        mode: item.mode,
        caseSnapshot: Buffer.from(CaseSubmitted.encode(submitted).finish()),
        department: item.department,
        approvalDepartment: item.approvalDepartment ?? null,
        surveyRequired: item.surveyRequired,
        originalsRequired: item.originalsRequired,
        ...basis,
        ...clock,
      },
    });
    const events: OutgoingEvent[] = [
      this.events.event(event.metadata, task.caseId, ReviewStarted, {
        caseId: task.caseId,
        originRegion: task.originRegion,
        taskId: task.id,
        mode: toHandlingMode(item.mode),
        dueAt: task.dueAt,
      }),
    ];
    if (item.mode === 'INSTANT') {
      events.push(await this.decideByRules(tx, task, item, submitted, event.metadata));
    }
    await this.events.enqueue(tx, events);
  }

  /**
   * The decision: STANDARD from OPEN or PRE_REVIEWED; TWO_LEVEL approval only after the initial
   * review and by another account. A refusal is also possible while the applicant is asked for
   * something (the period for the answer ran out).
   */
  async decide(request: {
    taskId: string;
    decision: Decision;
    reason: string;
    reviewer: string;
  }): Promise<TaskWithRounds> {
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
    const approve = request.decision === Decision.DECISION_APPROVE;
    return this.act(
      'review.decide',
      request.taskId,
      request.reviewer,
      async (tx, task, now, reviewer) => {
        assertAllowed(task, approve ? 'APPROVE' : 'REJECT');
        if (
          task.mode === 'TWO_LEVEL' &&
          task.preReviewedAt !== null &&
          task.preReviewedBy === reviewer
        ) {
          throw new ReviewError(
            'REVIEW.SAME_REVIEWER',
            `初审与审批须由不同工作人员办理：${reviewer} 已办理本案初审，请由${task.approvalDepartment ?? '审批部门'}的其他工作人员审批。`,
          );
        }
        const latestSurvey = task.surveys.at(-1);
        if (approve && task.surveyRequired && !latestSurvey?.acceptedAt) {
          throw new ReviewError(
            'REVIEW.SURVEY_NOT_ACCEPTED',
            latestSurvey === undefined
              ? `事项“${task.itemName}”须经现场踏勘：请先要求申请人提交远程踏勘照片或视频，认可后再准予办理。`
              : `事项“${task.itemName}”须经现场踏勘：第 ${latestSurvey.round} 轮踏勘材料尚未认可，认可后才能准予办理。`,
          );
        }
        const decided = await tx.reviewTask.update({
          where: { id: task.id },
          data: {
            state: approve ? 'APPROVED' : 'REJECTED',
            decidedAt: now,
            decidedBy: reviewer,
            reason: reason === '' ? null : reason,
            ...stoppedClock(task, now, this.calendar),
          },
        });
        return [this.outcomeEvent(decided, CaseSubmitted.decode(task.caseSnapshot), undefined)];
      },
    );
  }

  /** Pre-review (预审) or, for a TWO_LEVEL item, the initial review (初审) passed. */
  async passPreReview(request: {
    taskId: string;
    reviewer: string;
    note: string;
  }): Promise<TaskWithRounds> {
    return this.act(
      'review.pass_pre_review',
      request.taskId,
      request.reviewer,
      async (tx, task, now, reviewer) => {
        assertAllowed(task, 'PASS_PRE_REVIEW');
        const note = request.note.trim();
        await tx.reviewTask.update({
          where: { id: task.id },
          data: {
            state: 'PRE_REVIEWED',
            preReviewedBy: reviewer,
            preReviewedAt: now,
            preReviewNote: note === '' ? null : note,
          },
        });
        const submitted = CaseSubmitted.decode(task.caseSnapshot);
        return [
          this.events.event(undefined, task.caseId, PreReviewPassed, {
            caseId: task.caseId,
            originRegion: task.originRegion,
            reviewer,
            note,
            itemCode: task.itemCode,
            // The carrier collects the originals only when the reviewer must see them (邮寄办).
            materialsPickup: task.originalsRequired ? submitted.materialsPickup : undefined,
          }),
        ];
      },
    );
  }

  /** Asks the applicant for supplementary materials (补正); the clock pauses until they arrive. */
  async requestSupplement(request: {
    taskId: string;
    materials: RequestedMaterial[];
    note: string;
    reviewer: string;
  }): Promise<TaskWithRounds> {
    if (request.materials.length === 0) {
      throw new ReviewError(
        'REVIEW.MATERIALS_REQUIRED',
        '请列出需要补正的材料，并写明每项材料需要补正的原因。',
      );
    }
    return this.act(
      'review.request_supplement',
      request.taskId,
      request.reviewer,
      async (tx, task, now, reviewer) => {
        const materials = this.requestedMaterials(task, request.materials);
        assertAllowed(task, 'REQUEST_SUPPLEMENT');
        const round = (task.supplements.at(-1)?.round ?? 0) + 1;
        const note = request.note.trim();
        await tx.supplementRound.create({
          data: {
            id: randomUUID(),
            taskId: task.id,
            round,
            requestedMaterials: materials,
            note,
            requestedBy: reviewer,
            requestedAt: now,
          },
        });
        await this.pauseClock(tx, task, 'SUPPLEMENT_REQUESTED', now);
        return [
          this.events.event(undefined, task.caseId, SupplementRequested, {
            caseId: task.caseId,
            originRegion: task.originRegion,
            request: { round, materials, note, requestedBy: reviewer, requestedAt: now },
          }),
        ];
      },
    );
  }

  /** Asks the applicant for photos and videos of the site (远程踏勘); the clock pauses. */
  async requestSurvey(request: {
    taskId: string;
    checkpoints: SurveyCheckpoint[];
    note: string;
    reviewer: string;
  }): Promise<TaskWithRounds> {
    const checkpoints = surveyCheckpoints(request.checkpoints);
    return this.act(
      'review.request_survey',
      request.taskId,
      request.reviewer,
      async (tx, task, now, reviewer) => {
        assertAllowed(task, 'REQUEST_SURVEY');
        const round = (task.surveys.at(-1)?.round ?? 0) + 1;
        const note = request.note.trim();
        await tx.surveyRound.create({
          data: {
            id: randomUUID(),
            taskId: task.id,
            round,
            checkpoints,
            note,
            requestedBy: reviewer,
            requestedAt: now,
          },
        });
        await this.pauseClock(tx, task, 'SURVEY_REQUESTED', now);
        return [
          this.events.event(undefined, task.caseId, SurveyRequested, {
            caseId: task.caseId,
            originRegion: task.originRegion,
            request: { round, checkpoints, note, requestedBy: reviewer, requestedAt: now },
          }),
        ];
      },
    );
  }

  /** The reviewer checked the survey evidence of the latest round and accepts it. */
  async acceptSurvey(request: {
    taskId: string;
    round: number;
    reviewer: string;
  }): Promise<TaskWithRounds> {
    return this.act(
      'review.accept_survey',
      request.taskId,
      request.reviewer,
      async (tx, task, now, reviewer) => {
        assertAllowed(task, 'ACCEPT_SURVEY');
        const round = task.surveys.find((candidate) => candidate.round === request.round);
        const latest = task.surveys.at(-1);
        if (round === undefined || latest === undefined) {
          throw new ReviewError(
            'REVIEW.SURVEY_ROUND_NOT_FOUND',
            latest === undefined
              ? `案件 ${task.caseId} 尚未要求远程踏勘，没有可认可的踏勘材料。`
              : `案件 ${task.caseId} 没有第 ${request.round} 轮踏勘，最近一轮是第 ${latest.round} 轮。`,
          );
        }
        if (round !== latest) {
          throw new ReviewError(
            'REVIEW.SURVEY_ROUND_SUPERSEDED',
            `第 ${round.round} 轮踏勘之后已要求第 ${latest.round} 轮，请审查并认可最近一轮的材料。`,
          );
        }
        if (round.submittedAt === null) {
          throw new ReviewError(
            'REVIEW.SURVEY_NOT_SUBMITTED',
            `第 ${round.round} 轮踏勘的照片和视频尚未送达，收到后才能认可。`,
          );
        }
        if (round.acceptedAt !== null) {
          throw new ReviewError(
            'REVIEW.SURVEY_ALREADY_ACCEPTED',
            `第 ${round.round} 轮踏勘材料已由 ${round.acceptedBy ?? ''} 认可，无需重复认可。`,
          );
        }
        await tx.surveyRound.update({
          where: { id: round.id },
          data: { acceptedAt: now, acceptedBy: reviewer },
        });
        return [
          this.events.event(undefined, task.caseId, SurveyAccepted, {
            caseId: task.caseId,
            originRegion: task.originRegion,
            round: round.round,
            reviewer,
          }),
        ];
      },
    );
  }

  async get(taskId: string): Promise<TaskWithRounds> {
    const task = isTaskId(taskId)
      ? await this.prisma.reviewTask.findUnique({ where: { id: taskId }, include: WITH_ROUNDS })
      : null;
    if (!task) throw new ReviewError('REVIEW.TASK_NOT_FOUND', `审查任务 ${taskId} 不存在。`);
    return task;
  }

  /**
   * The reviewer queue, most urgent first: tasks whose clock runs (OPEN, PRE_REVIEWED) by their
   * deadline; then the tasks without a running deadline, by receipt: first those waiting for the
   * applicant (their deadline only moves once the answer is in), last the closed ones.
   * Optionally only some states.
   *
   * Paged by position in that order, not by count: a task decided between two pages leaves the
   * queue without pushing one the reviewer has not seen yet onto the page already shown.
   */
  async list(request: {
    states: ProtoTaskState[];
    pageSize: number;
    pageToken: string;
  }): Promise<{ tasks: TaskWithRounds[]; nextPageToken: string }> {
    const pageSize = Math.min(Math.max(request.pageSize || 50, 1), 500);
    const after = request.pageToken === '' ? QUEUE_START : parseQueueToken(request.pageToken);
    const states = request.states.flatMap((state) => {
      const mapped = PROTO_TO_STATE.get(state);
      return mapped ? [mapped] : [];
    });
    const page = await this.prisma.$queryRaw<QueuePosition[]>`
      SELECT id, rank, deadline_us AS "deadlineUs", received_us AS "receivedUs"
        FROM (SELECT id,
                     CASE WHEN state IN ('OPEN', 'PRE_REVIEWED') THEN 0
                          WHEN state IN ('SUPPLEMENT_REQUESTED', 'SURVEY_REQUESTED') THEN 1
                          ELSE 2 END AS rank,
                     CASE WHEN state IN ('OPEN', 'PRE_REVIEWED')
                          THEN round(extract(epoch FROM due_at) * 1000000)::bigint
                          ELSE 0 END AS deadline_us,
                     round(extract(epoch FROM received_at) * 1000000)::bigint AS received_us
                FROM review_task
               WHERE cardinality(${states}::text[]) = 0 OR state::text = ANY(${states}::text[])
             ) AS queue
       WHERE (rank, deadline_us, received_us, id) >
             (${after.rank}::int, ${after.deadlineUs}::bigint, ${after.receivedUs}::bigint,
              ${after.id}::uuid)
       ORDER BY rank, deadline_us, received_us, id
       LIMIT ${pageSize + 1}`;
    const shown = page.slice(0, pageSize);
    const tasks = await this.prisma.reviewTask.findMany({
      where: { id: { in: shown.map((position) => position.id) } },
      include: WITH_ROUNDS,
    });
    const byId = new Map(tasks.map((task) => [task.id, task]));
    const last = shown.at(-1);
    return {
      // Tasks are never deleted: every task of the page is found, in the queue's order.
      tasks: shown.flatMap((position) => byId.get(position.id) ?? []),
      nextPageToken: page.length > pageSize && last ? queueToken(last) : '',
    };
  }

  toProto(task: TaskWithRounds): ProtoReviewTask {
    return toTaskProto(task, {
      now: this.context.clock.now(),
      calendar: this.calendar,
      region: this.context.region,
    });
  }

  /**
   * One reviewer action in one transaction on the locked task: checked, applied and its events
   * enqueued together, or refused with nothing changed.
   */
  private async act(
    span: string,
    taskId: string,
    reviewer: string,
    work: (tx: Tx, task: TaskWithRounds, now: Date, reviewer: string) => Promise<OutgoingEvent[]>,
  ): Promise<TaskWithRounds> {
    const account = reviewer.trim();
    if (account === '') {
      throw new ReviewError('REVIEW.REVIEWER_REQUIRED', '审查人账号缺失，请重新登录后再操作。');
    }
    return withSpan(span, {}, () =>
      this.prisma.$transaction(async (tx) => {
        const task = await lockTask(tx, taskId);
        if (!task) {
          throw new ReviewError('REVIEW.TASK_NOT_FOUND', `审查任务 ${taskId} 不存在。`);
        }
        const events = await work(tx, task, this.context.clock.now(), account);
        await this.events.enqueue(tx, events);
        return readTask(tx, task.id);
      }),
    );
  }

  /** Stops the clock while the applicant is asked for something; the deadline waits. */
  private async pauseClock(
    tx: Tx,
    task: TaskWithRounds,
    state: 'SUPPLEMENT_REQUESTED' | 'SURVEY_REQUESTED',
    now: Date,
  ): Promise<void> {
    await tx.reviewTask.update({
      where: { id: task.id },
      data: {
        state,
        pausedSince: now,
        usedMs: BigInt(usedMs(task, taskPauses(task), now, this.calendar)),
      },
    });
  }

  /** The reviewer's list of materials to hand in again, each with its name and reason. */
  private requestedMaterials(
    task: TaskWithRounds,
    requested: RequestedMaterial[],
  ): StoredRequestedMaterial[] {
    const catalog = findItem(this.context.region, task.itemCode)?.materials ?? [];
    const submitted = CaseSubmitted.decode(task.caseSnapshot).materials;
    const seen = new Set<string>();
    return requested.map((material, index) => {
      const code = material.code.trim();
      const position = `第 ${index + 1} 项补正材料`;
      if (!CODE.test(code)) {
        throw new ReviewError(
          'REVIEW.MATERIAL_INVALID',
          `${position}的材料编码“${code}”无效：应为字母、数字、下划线、点或连字符，如 "ID_CARD"。`,
        );
      }
      if (seen.has(code)) {
        throw new ReviewError('REVIEW.MATERIAL_INVALID', `材料 ${code} 重复列出，请合并为一项。`);
      }
      seen.add(code);
      const known =
        catalog.find((candidate) => candidate.code === code)?.name ??
        submitted.find((candidate) => candidate.code === code)?.name ??
        '';
      const name = material.name.trim() === '' ? known : material.name.trim();
      if (name === '') {
        throw new ReviewError(
          'REVIEW.MATERIAL_INVALID',
          `材料 ${code} 不在事项“${task.itemName}”的材料目录中，请填写材料名称，以便申请人知道要补交什么。`,
        );
      }
      const reason = material.reason.trim();
      if (reason === '') {
        throw new ReviewError(
          'REVIEW.MATERIAL_REASON_REQUIRED',
          `请写明“${name}”需要补正的原因（如缺失、不清晰、已过期），原因将告知申请人。`,
        );
      }
      return { code, name, reason };
    });
  }

  private async decideByRules(
    tx: Tx,
    task: ReviewTask,
    item: RegionItem,
    submitted: CaseSubmitted,
    cause: EventMetadata,
  ): Promise<OutgoingEvent> {
    const kind = submitted.applicant ? applicantKindName(submitted.applicant.kind) : undefined;
    const decision = evaluateInstantRules(item, {
      applicantKind: kind ?? 'PERSON',
      fields: submitted.fields,
      materials: submitted.materials.map((material) => material.code),
    });
    const now = this.context.clock.now();
    const decided = await tx.reviewTask.update({
      where: { id: task.id },
      data: {
        state: decision.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
        decidedAt: now,
        decidedBy: `rule:${decision.rule}`,
        reason: decision.reason,
        rule: decision.rule,
        // Stored with the decision: a later change of the rules never rewrites why it was made.
        ruleSetVersion: decision.ruleSetVersion,
        ruleTrace: decision.trace as unknown as Prisma.InputJsonValue,
        usedMs: BigInt(usedMs(task, [], now, this.calendar)),
      },
    });
    return this.outcomeEvent(decided, submitted, cause);
  }

  private outcomeEvent(
    task: ReviewTask,
    submitted: CaseSubmitted,
    cause: EventMetadata | undefined,
  ): OutgoingEvent {
    if (task.state === 'APPROVED') {
      return this.events.event(cause, task.caseId, CaseApproved, {
        caseId: task.caseId,
        originRegion: task.originRegion,
        itemCode: task.itemCode,
        applicant: submitted.applicant,
        fields: submitted.fields,
        delivery: submitted.delivery,
        decidedBy: task.decidedBy ?? '',
        reason: task.reason ?? '',
      });
    }
    return this.events.event(cause, task.caseId, CaseRejected, {
      caseId: task.caseId,
      originRegion: task.originRegion,
      reason: task.reason ?? '',
      decidedBy: task.decidedBy ?? '',
    });
  }
}

/** The reviewer's checkpoints, each a code and what to photograph or film. */
function surveyCheckpoints(checkpoints: SurveyCheckpoint[]): StoredCheckpoint[] {
  if (checkpoints.length === 0) {
    throw new ReviewError(
      'REVIEW.CHECKPOINTS_REQUIRED',
      '请列出踏勘要点，写明申请人需要拍摄的位置或内容（如“后厨操作间全景”）。',
    );
  }
  const seen = new Set<string>();
  return checkpoints.map((checkpoint, index) => {
    const code = checkpoint.code.trim();
    const description = checkpoint.description.trim();
    const position = `第 ${index + 1} 个踏勘要点`;
    if (!CODE.test(code)) {
      throw new ReviewError(
        'REVIEW.CHECKPOINT_INVALID',
        `${position}的编码“${code}”无效：应为字母、数字、下划线、点或连字符，如 "KITCHEN"。`,
      );
    }
    if (seen.has(code)) {
      throw new ReviewError(
        'REVIEW.CHECKPOINT_INVALID',
        `踏勘要点 ${code} 重复列出，请合并为一项。`,
      );
    }
    seen.add(code);
    if (description === '') {
      throw new ReviewError(
        'REVIEW.CHECKPOINT_INVALID',
        `请说明踏勘要点 ${code} 需要拍摄什么，说明将告知申请人。`,
      );
    }
    return { code, description };
  });
}

/**
 * Where a task stands in the reviewer queue: running clocks (rank 0), paused ones (1), closed
 * tasks (2); then the deadline (rank 0 only) and the receipt, in microseconds as stored, and the
 * id.
 */
interface QueuePosition {
  id: string;
  rank: number;
  deadlineUs: bigint;
  receivedUs: bigint;
}

/** Before the first task of the queue. */
const QUEUE_START: QueuePosition = {
  rank: -1,
  deadlineUs: 0n,
  receivedUs: 0n,
  id: '00000000-0000-0000-0000-000000000000',
};

const QUEUE_TOKEN = /^q1\.([0-2])\.(-?\d{1,20})\.(-?\d{1,20})\.([0-9a-f-]{36})$/;

/** The position of the last task shown, opaque to the console. */
function queueToken(position: QueuePosition): string {
  const { rank, deadlineUs, receivedUs, id } = position;
  return Buffer.from(
    `q1.${String(rank)}.${String(deadlineUs)}.${String(receivedUs)}.${id}`,
  ).toString('base64url');
}

function parseQueueToken(token: string): QueuePosition {
  const match = QUEUE_TOKEN.exec(Buffer.from(token, 'base64url').toString('utf8'));
  const [, rank, deadlineUs, receivedUs, id] = match ?? [];
  if (
    rank === undefined ||
    deadlineUs === undefined ||
    receivedUs === undefined ||
    id === undefined ||
    !isTaskId(id)
  ) {
    throw new ReviewError('REVIEW.INVALID_PAGE_TOKEN', '分页标记无效，请从第一页重新查询。');
  }
  return { rank: Number(rank), deadlineUs: BigInt(deadlineUs), receivedUs: BigInt(receivedUs), id };
}
