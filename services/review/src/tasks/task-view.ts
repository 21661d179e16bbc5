import {
  Agent,
  Applicant,
  MaterialRef,
  type RequestedMaterial,
  type SurveyCheckpoint,
} from '@tongban/contracts/tongban/case/v1/case';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import {
  TaskState as ProtoTaskState,
  type ReviewTask as ProtoReviewTask,
  type RuleTrace,
} from '@tongban/contracts/tongban/review/v1/review';
import { findItem, toHandlingMode, type Region, type WorkingDayCalendar } from '@tongban/domain';
import type { Prisma, TaskState } from '../../prisma/generated/client';
import { reviewLevel } from './task-actions';
import { pausesOf, usedMs } from './task-clock';

/** What every read of a task loads: its rounds in order, with what came back. */
export const WITH_ROUNDS = {
  supplements: {
    orderBy: { round: 'asc' },
    include: { materials: { orderBy: { position: 'asc' } } },
  },
  surveys: { orderBy: { round: 'asc' }, include: { media: { orderBy: { position: 'asc' } } } },
} as const satisfies Prisma.ReviewTaskInclude;

export type TaskWithRounds = Prisma.ReviewTaskGetPayload<{ include: typeof WITH_ROUNDS }>;

export const STATE_TO_PROTO: Record<TaskState, ProtoTaskState> = {
  OPEN: ProtoTaskState.TASK_STATE_OPEN,
  APPROVED: ProtoTaskState.TASK_STATE_APPROVED,
  REJECTED: ProtoTaskState.TASK_STATE_REJECTED,
  CANCELLED: ProtoTaskState.TASK_STATE_CANCELLED,
  SUPPLEMENT_REQUESTED: ProtoTaskState.TASK_STATE_SUPPLEMENT_REQUESTED,
  SURVEY_REQUESTED: ProtoTaskState.TASK_STATE_SURVEY_REQUESTED,
  PRE_REVIEWED: ProtoTaskState.TASK_STATE_PRE_REVIEWED,
};

export const PROTO_TO_STATE = new Map(
  Object.entries(STATE_TO_PROTO).map(([state, proto]) => [proto, state as TaskState]),
);

/*
 * The JSON columns are written by this service only, in these shapes (requested materials and
 * checkpoints as the reviewer asked, the rule trace as evaluateInstantRules returned it).
 */
export type StoredRequestedMaterial = Pick<RequestedMaterial, 'code' | 'name' | 'reason'>;
export type StoredCheckpoint = Pick<SurveyCheckpoint, 'code' | 'description'>;

export function requestedMaterialsOf(round: { requestedMaterials: Prisma.JsonValue }) {
  return round.requestedMaterials as StoredRequestedMaterial[];
}

export function checkpointsOf(round: { checkpoints: Prisma.JsonValue }) {
  return round.checkpoints as StoredCheckpoint[];
}

function ruleTraceOf(task: { ruleTrace: Prisma.JsonValue }): RuleTrace[] {
  return (task.ruleTrace ?? []) as unknown as RuleTrace[];
}

/** Every supplement and survey round of a task as pauses of its clock. */
export function taskPauses(task: TaskWithRounds, closeOpenAt?: Date) {
  return pausesOf([...task.supplements, ...task.surveys], closeOpenAt);
}

/** The task as the reviewer's console shows it: the case as received plus how review went. */
export function toTaskProto(
  task: TaskWithRounds,
  view: { now: Date; calendar: WorkingDayCalendar; region: Region },
): ProtoReviewTask {
  const submitted = CaseSubmitted.decode(task.caseSnapshot);
  // Tasks opened before the catalog facts were stored show the region file's department.
  const department =
    task.department === ''
      ? (findItem(view.region, task.itemCode)?.department ?? '')
      : task.department;
  const running = task.state === 'OPEN' || task.state === 'PRE_REVIEWED';
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
    department,
    approvalDepartment: task.approvalDepartment ?? '',
    surveyRequired: task.surveyRequired,
    clock: {
      timeLimitWorkingDays: task.timeLimitWorkingDays,
      startedAt: task.receivedAt,
      dueAt: task.dueAt,
      paused: task.pausedSince !== null,
      // A running clock is read now; a paused or stopped one as it stood when it stopped.
      usedMs: running
        ? usedMs(task, taskPauses(task), view.now, view.calendar)
        : Number(task.usedMs),
      warnedAt: task.warnedAt ?? undefined,
      overdueAt: task.overdueAt ?? undefined,
      preReviewDueAt: task.mode === 'INSTANT' ? undefined : task.preReviewDueAt,
    },
    preReviewedBy: task.preReviewedBy ?? '',
    preReviewedAt: task.preReviewedAt ?? undefined,
    supplements: task.supplements.map((round) => ({
      request: {
        round: round.round,
        materials: requestedMaterialsOf(round).map((material) => ({ ...material })),
        note: round.note,
        requestedBy: round.requestedBy,
        requestedAt: round.requestedAt,
      },
      materials: round.materials.map((material) => ({
        code: material.code,
        name: material.name,
        sha256: material.sha256,
        sizeBytes: Number(material.sizeBytes),
        contentType: material.contentType,
      })),
      note: round.submittedNote ?? '',
      submittedAt: round.submittedAt ?? undefined,
    })),
    surveys: task.surveys.map((round) => ({
      request: {
        round: round.round,
        checkpoints: checkpointsOf(round).map((checkpoint) => ({ ...checkpoint })),
        note: round.note,
        requestedBy: round.requestedBy,
        requestedAt: round.requestedAt,
      },
      media: round.media.map((medium) => ({
        checkpoint: medium.checkpoint,
        sha256: medium.sha256,
        sizeBytes: Number(medium.sizeBytes),
        contentType: medium.contentType,
        capturedAt: medium.capturedAt,
        description: medium.description,
      })),
      submittedAt: round.submittedAt ?? undefined,
      acceptedAt: round.acceptedAt ?? undefined,
      acceptedBy: round.acceptedBy ?? '',
    })),
    ruleSetVersion: task.ruleSetVersion ?? '',
    ruleTrace: ruleTraceOf(task).map((rule) => ({
      rule: rule.rule,
      description: rule.description,
      matched: rule.matched,
      conditions: rule.conditions.map((condition) => ({ ...condition })),
    })),
    agent: submitted.agent ? Agent.fromPartial(submitted.agent) : undefined,
    level: reviewLevel(task),
  };
}
