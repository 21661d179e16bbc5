import { ReviewLevel } from '@tongban/contracts/tongban/review/v1/review';
import type { HandlingMode, TaskState } from '../../prisma/generated/client';
import { ReviewError } from './review-error';

/** What a reviewer can do to a task. */
export type ReviewAction =
  | 'PASS_PRE_REVIEW'
  | 'REQUEST_SUPPLEMENT'
  | 'REQUEST_SURVEY'
  | 'ACCEPT_SURVEY'
  | 'APPROVE'
  | 'REJECT';

/** The task as the state machine sees it. */
export interface TaskStanding {
  readonly caseId: string;
  readonly mode: HandlingMode;
  readonly state: TaskState;
  readonly preReviewedAt: Date | null;
}

// While the applicant is asked for something only a refusal is possible (行政许可法 第三十二条:
// the supplement period ran out); everything else waits for the answer.
const ALLOWED: Record<TaskState, readonly ReviewAction[]> = {
  OPEN: [
    'PASS_PRE_REVIEW',
    'REQUEST_SUPPLEMENT',
    'REQUEST_SURVEY',
    'ACCEPT_SURVEY',
    'APPROVE',
    'REJECT',
  ],
  PRE_REVIEWED: ['REQUEST_SUPPLEMENT', 'REQUEST_SURVEY', 'ACCEPT_SURVEY', 'APPROVE', 'REJECT'],
  SUPPLEMENT_REQUESTED: ['REJECT'],
  SURVEY_REQUESTED: ['REJECT'],
  APPROVED: [],
  REJECTED: [],
  CANCELLED: [],
};

const OPEN_STATES: readonly TaskState[] = [
  'OPEN',
  'PRE_REVIEWED',
  'SUPPLEMENT_REQUESTED',
  'SURVEY_REQUESTED',
];

/** Whether the task still waits for its decision (and its clock runs or is paused). */
export function isOpen(state: TaskState): boolean {
  return OPEN_STATES.includes(state);
}

/** Where a task goes back to when the applicant's answer arrived. */
export function resumedState(task: Pick<TaskStanding, 'preReviewedAt'>): TaskState {
  return task.preReviewedAt === null ? 'OPEN' : 'PRE_REVIEWED';
}

/** What the reviewer can do to the task now (TWO_LEVEL: approval only after the initial review). */
export function allowedActions(task: TaskStanding): readonly ReviewAction[] {
  if (task.mode === 'INSTANT') return [];
  const allowed = ALLOWED[task.state];
  return task.mode === 'TWO_LEVEL' && task.state === 'OPEN'
    ? allowed.filter((action) => action !== 'APPROVE')
    : allowed;
}

/** Refuses `action` with the error the reviewer can act on, unless the task's state allows it. */
export function assertAllowed(task: TaskStanding, action: ReviewAction): void {
  if (task.mode === 'INSTANT') {
    throw new ReviewError(
      'REVIEW.NOT_A_REVIEWER_DECISION',
      '秒批事项由规则自动决定，无需人工审查。',
    );
  }
  if (task.state === 'APPROVED' || task.state === 'REJECTED') {
    throw new ReviewError(
      'REVIEW.ALREADY_DECIDED',
      `案件 ${task.caseId} 已有审查结论，不能重复决定。`,
    );
  }
  if (task.state === 'CANCELLED') {
    throw new ReviewError(
      'REVIEW.TASK_CANCELLED',
      `申请人已撤回案件 ${task.caseId}，审查已终止，无需再处理。`,
    );
  }
  if (task.mode === 'TWO_LEVEL' && task.state === 'OPEN' && action === 'APPROVE') {
    throw new ReviewError(
      'REVIEW.INITIAL_REVIEW_REQUIRED',
      `案件 ${task.caseId} 尚未通过初审，须先由初审人员初审通过，再由审批部门的另一名工作人员审批。`,
    );
  }
  const allowed = allowedActions(task);
  if (!allowed.includes(action)) {
    throw new ReviewError(
      'REVIEW.ILLEGAL_STATE',
      `案件 ${task.caseId} 当前为“${stateLabel(task)}”，不能${actionLabel(task.mode, action)}；当前可以：${allowed.map((candidate) => actionLabel(task.mode, candidate)).join('、')}。`,
    );
  }
}

/** Which level acts next while the task is open. */
export function reviewLevel(task: TaskStanding): ReviewLevel {
  if (task.mode === 'INSTANT' || !isOpen(task.state)) return ReviewLevel.REVIEW_LEVEL_UNSPECIFIED;
  return task.mode === 'TWO_LEVEL' && task.preReviewedAt !== null
    ? ReviewLevel.REVIEW_LEVEL_APPROVAL
    : ReviewLevel.REVIEW_LEVEL_INITIAL;
}

function stateLabel(task: TaskStanding): string {
  const twoLevel = task.mode === 'TWO_LEVEL';
  switch (task.state) {
    case 'OPEN':
      return twoLevel ? '待初审' : '待审查';
    case 'PRE_REVIEWED':
      return twoLevel ? '初审通过，待审批' : '预审通过';
    case 'SUPPLEMENT_REQUESTED':
      return '待申请人补正';
    case 'SURVEY_REQUESTED':
      return '待申请人提交踏勘照片或视频';
    case 'APPROVED':
      return '已准予办理';
    case 'REJECTED':
      return '已不予办理';
    case 'CANCELLED':
      return '已撤回';
  }
}

function actionLabel(mode: HandlingMode, action: ReviewAction): string {
  switch (action) {
    case 'PASS_PRE_REVIEW':
      return mode === 'TWO_LEVEL' ? '初审通过' : '预审通过';
    case 'REQUEST_SUPPLEMENT':
      return '要求补正';
    case 'REQUEST_SURVEY':
      return '要求远程踏勘';
    case 'ACCEPT_SURVEY':
      return '认可踏勘材料';
    case 'APPROVE':
      return '准予办理';
    case 'REJECT':
      return '不予办理';
  }
}
