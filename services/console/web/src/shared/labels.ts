// Chinese names of the API's codes, as the window, the reviewers and the operators say them.
import type {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  HandlingMode,
  ReviewLevel,
  ServiceList,
  StaffRole,
  TaskState,
  TimelineKind,
  VerificationResult,
} from '../../../src/api/console-api';

export const ROLE_LABELS: Record<StaffRole, string> = {
  CLERK: '窗口受理人员',
  REVIEWER: '审查人员',
  APPROVER: '审批人员',
  OPERATOR: '运行监测人员',
};

// The same words as the domain lib's statusLabel (libs/domain/src/case-lifecycle.ts), which is
// keyed by the protobuf enum and so cannot be imported into the browser bundle.
export const STATUS_LABELS: Record<CaseStatus, string> = {
  SUBMITTED: '已受理',
  FORWARDED: '已转递',
  RECEIVED: '办理地已接收',
  UNDER_REVIEW: '审查中',
  PRE_REVIEWED: '预审通过',
  SUPPLEMENT_REQUESTED: '待补正',
  SUPPLEMENTED: '已补正',
  SURVEY_REQUIRED: '待踏勘',
  SURVEYED: '已踏勘',
  APPROVED: '审批通过',
  REJECTED: '不予批准',
  CERTIFICATE_ISSUED: '已出证',
  DISPATCHED: '已寄出',
  DELIVERED: '已送达',
  COMPLETED: '已办结',
  WITHDRAWN: '已撤回',
};

export const CASE_STATUSES = Object.keys(STATUS_LABELS) as CaseStatus[];

const TERMINAL_STATUSES: ReadonlySet<CaseStatus> = new Set(['COMPLETED', 'REJECTED', 'WITHDRAWN']);

/** 已办结, 不予批准 or 已撤回: nothing will change any more. */
export function isTerminalStatus(status: CaseStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Colour family of a status badge. */
export function statusTone(status: CaseStatus): Tone {
  switch (status) {
    case 'COMPLETED':
    case 'APPROVED':
    case 'CERTIFICATE_ISSUED':
    case 'DELIVERED':
      return 'success';
    case 'REJECTED':
      return 'danger';
    case 'SUPPLEMENT_REQUESTED':
    case 'SURVEY_REQUIRED':
      return 'warning';
    case 'WITHDRAWN':
      return 'muted';
    default:
      return 'info';
  }
}

export type Tone = 'info' | 'success' | 'warning' | 'danger' | 'muted';

export const MODE_LABELS: Record<HandlingMode, string> = {
  INSTANT: '即办',
  STANDARD: '承诺件',
  TWO_LEVEL: '两级审批',
};

export const DELIVERY_LABELS: Record<DeliveryMethod, string> = {
  ELECTRONIC: '电子证照（无需领取）',
  WINDOW_PICKUP: '窗口领取',
  MAIL: '邮寄送达',
};

export const DELIVERY_SHORT_LABELS: Record<DeliveryMethod, string> = {
  ELECTRONIC: '电子证照',
  WINDOW_PICKUP: '窗口领取',
  MAIL: '邮寄',
};

export const CHANNEL_LABELS: Record<Channel, string> = {
  WINDOW: '窗口受理',
  ONLINE: '全程网办',
  TERMINAL: '自助终端',
};

export const APPLICANT_KIND_LABELS: Record<ApplicantKind, string> = {
  PERSON: '个人',
  ORGANIZATION: '法人',
};

export const SERVICE_LIST_LABELS: Record<ServiceList, string> = {
  ZERO_VISIT: '零跑动',
  ON_THE_SPOT: '当场办结',
  SIMPLE_APPROVAL: '简易审批',
};

export const TASK_STATE_LABELS: Record<TaskState, string> = {
  OPEN: '待审查',
  PRE_REVIEWED: '预审通过',
  SUPPLEMENT_REQUESTED: '待补正',
  SURVEY_REQUESTED: '待踏勘',
  APPROVED: '准予',
  REJECTED: '不予',
  CANCELLED: '已撤回',
};

export function taskStateTone(state: TaskState): Tone {
  switch (state) {
    case 'APPROVED':
      return 'success';
    case 'REJECTED':
      return 'danger';
    case 'SUPPLEMENT_REQUESTED':
    case 'SURVEY_REQUESTED':
      return 'warning';
    case 'CANCELLED':
      return 'muted';
    default:
      return 'info';
  }
}

export const LEVEL_LABELS: Record<ReviewLevel, string> = {
  INITIAL: '初审',
  APPROVAL: '审批',
};

export const TIMELINE_KIND_LABELS: Record<TimelineKind, string> = {
  STATUS: '状态变更',
  TRACKING: '物流跟踪',
  MAIL_EXCEPTION: '邮寄异常',
  MAIL_EXCEPTION_RESOLVED: '邮寄异常已处理',
  DEADLINE_APPROACHING: '即将到期',
  OVERDUE: '已超期',
  SURVEY_EVIDENCE: '踏勘材料',
  RENEWAL_OFFERED: '延续提醒',
  CERTIFICATE_REVOKED: '证照已撤销',
  HANDOVER: '窗口交付',
  REPLY_SUBMITTED: '已提交补充材料',
};

export function timelineTone(kind: TimelineKind): Tone {
  switch (kind) {
    case 'MAIL_EXCEPTION':
    case 'OVERDUE':
    case 'CERTIFICATE_REVOKED':
      return 'danger';
    case 'DEADLINE_APPROACHING':
      return 'warning';
    case 'MAIL_EXCEPTION_RESOLVED':
    case 'HANDOVER':
      return 'success';
    case 'TRACKING':
    case 'SURVEY_EVIDENCE':
    case 'REPLY_SUBMITTED':
    case 'RENEWAL_OFFERED':
      return 'muted';
    case 'STATUS':
      return 'info';
  }
}

export const VERIFICATION_LABELS: Record<VerificationResult, string> = {
  VALID: '验证通过（签名有效）',
  BAD_SIGNATURE: '验证失败（签名无效，证照可能被篡改）',
  UNKNOWN_ISSUER: '验证失败（签发地区未知）',
  NOT_YET_VALID: '证照尚未生效',
  EXPIRED: '证照已过有效期',
  REVOKED: '证照已撤销',
  NOT_FOUND: '未找到该证照',
  UNSPECIFIED: '未能完成验证',
};
