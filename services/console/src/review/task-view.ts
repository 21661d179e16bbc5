import { ApplicantKind, HandlingMode } from '@tongban/contracts/tongban/case/v1/case';
import {
  ReviewLevel,
  TaskState,
  type ReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import type { CatalogField } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type * as Api from '../api/console-api';
import {
  agentView,
  applicantKindName,
  materialView,
  supplementRequestView,
  surveyRequestView,
} from '../desk/case-view';
import { enumName, iso } from '../shared/enum-names';
import type { RegionDirectory } from '../upstreams/region-directory';

export const taskStateName = (state: TaskState): Api.TaskState =>
  enumName(TaskState, state, 'TASK_STATE_', 'OPEN');

const OPEN_STATES = new Set<Api.TaskState>([
  'OPEN',
  'PRE_REVIEWED',
  'SUPPLEMENT_REQUESTED',
  'SURVEY_REQUESTED',
]);
export const isOpenTask = (state: Api.TaskState): boolean => OPEN_STATES.has(state);

export function taskSummary(
  task: ReviewTask,
  regions: RegionDirectory,
  now: Date,
): Api.TaskSummary {
  const state = taskStateName(task.state);
  const due = task.clock?.dueAt ?? task.dueAt;
  const decidedAt = iso(task.decidedAt);
  return {
    taskId: task.taskId,
    caseId: task.caseId,
    originRegion: task.originRegion,
    originRegionName: regions.name(task.originRegion),
    itemCode: task.itemCode,
    itemName: task.itemName,
    department: task.department,
    mode: enumName<Api.HandlingMode>(HandlingMode, task.mode, 'HANDLING_MODE_', 'STANDARD'),
    state,
    level: enumName<Api.ReviewLevel>(ReviewLevel, task.level, 'REVIEW_LEVEL_', 'INITIAL'),
    applicantName: task.applicant?.name ?? '',
    receivedAt: iso(task.receivedAt) ?? '',
    ...(due ? { dueAt: due.toISOString() } : {}),
    paused: task.clock?.paused ?? false,
    overdue:
      task.clock?.overdueAt !== undefined ||
      (isOpenTask(state) && due !== undefined && due.getTime() < now.getTime()),
    ...(decidedAt ? { decidedAt } : {}),
  };
}

export function taskView(
  task: ReviewTask,
  regions: RegionDirectory,
  now: Date,
  catalogFields: readonly CatalogField[] = [],
): Api.TaskView {
  const agent = agentView(task.agent);
  const preReviewedAt = iso(task.preReviewedAt);
  const preReviewDueAt = iso(task.clock?.preReviewDueAt);
  return {
    ...taskSummary(task, regions, now),
    applicant: {
      kind: applicantKindName(task.applicant?.kind ?? ApplicantKind.APPLICANT_KIND_PERSON),
      identifier: task.applicant?.identifier ?? '',
      name: task.applicant?.name ?? '',
      phone: task.applicant?.phone ?? '',
    },
    ...(agent ? { agent } : {}),
    fields: { ...task.fields },
    fieldDisplay: fieldDisplay(task.fields, catalogFields),
    materials: task.materials.map(materialView),
    approvalDepartment: task.approvalDepartment,
    surveyRequired: task.surveyRequired,
    decidedBy: task.decidedBy,
    reason: task.reason,
    rule: task.rule,
    ruleTrace: task.ruleTrace.map((trace) => ({
      rule: trace.rule,
      description: trace.description,
      matched: trace.matched,
      conditions: trace.conditions.map((c) => ({ condition: c.condition, held: c.held })),
    })),
    preReviewedBy: task.preReviewedBy,
    ...(preReviewedAt ? { preReviewedAt } : {}),
    ...(preReviewDueAt ? { preReviewDueAt } : {}),
    timeLimitWorkingDays: task.clock?.timeLimitWorkingDays ?? 0,
    supplements: task.supplements.map((round) => {
      const submittedAt = iso(round.submittedAt);
      return {
        request: supplementRequestView(round.request ?? emptySupplementRequest()),
        materials: round.materials.map(materialView),
        note: round.note,
        ...(submittedAt ? { submittedAt } : {}),
      };
    }),
    surveys: task.surveys.map((round) => {
      const submittedAt = iso(round.submittedAt);
      const acceptedAt = iso(round.acceptedAt);
      return {
        request: surveyRequestView(round.request ?? emptySurveyRequest()),
        media: round.media.map((medium) => ({
          checkpoint: medium.checkpoint,
          sha256: medium.sha256,
          sizeBytes: medium.sizeBytes,
          contentType: medium.contentType,
          capturedAt: iso(medium.capturedAt) ?? '',
          description: medium.description,
        })),
        ...(submittedAt ? { submittedAt } : {}),
        ...(acceptedAt ? { acceptedAt } : {}),
        acceptedBy: round.acceptedBy,
      };
    }),
  };
}

function emptySupplementRequest() {
  return { round: 0, materials: [], note: '', requestedBy: '', requestedAt: undefined };
}

function emptySurveyRequest() {
  return { round: 0, checkpoints: [], note: '', requestedBy: '', requestedAt: undefined };
}

/** The fields in the order and words of the catalog's form; fields it does not define last. */
export function fieldDisplay(
  fields: Record<string, string>,
  catalogFields: readonly CatalogField[],
): Api.FieldDisplay[] {
  const known = catalogFields
    .filter((field) => field.name in fields)
    .map((field) => {
      const value = fields[field.name] ?? '';
      const option = field.values.find((candidate) => candidate.value === value);
      return { name: field.name, label: field.label, value, valueLabel: option?.label ?? value };
    });
  const defined = new Set(catalogFields.map((field) => field.name));
  const others = Object.keys(fields)
    .filter((name) => !defined.has(name))
    .sort()
    .map((name) => {
      const value = fields[name] ?? '';
      return { name, label: name, value, valueLabel: value };
    });
  return [...known, ...others];
}
