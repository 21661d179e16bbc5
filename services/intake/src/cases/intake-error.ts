import { status } from '@grpc/grpc-js';
import type { CodedError } from '@tongban/service-kit';

/*
 * Stable codes of intake's refusals; the console keys its help texts on them, so a code is never
 * renamed, only added. INVALID_ARGUMENT: the request itself is wrong, whatever the state of
 * anything. FAILED_PRECONDITION: the request does not fit the partner's catalog, the agreement or
 * the case's status. UNAVAILABLE: try again later, nothing was accepted.
 */
const STATUS = {
  'INTAKE.INVALID_IDEMPOTENCY_KEY': status.INVALID_ARGUMENT,
  'INTAKE.IDEMPOTENCY_KEY_REUSED': status.INVALID_ARGUMENT,
  'INTAKE.CLERK_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.CHANNEL_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.APPLICANT_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.APPLICANT_NAME_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_PHONE': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_ID_NUMBER': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_CREDIT_CODE': status.INVALID_ARGUMENT,
  'INTAKE.ITEM_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_FIELD': status.INVALID_ARGUMENT,
  // Application fields against the item's definitions in the partner's catalog. Not
  // FAILED_PRECONDITION like a missing material: the form as filled in is incomplete or wrong,
  // like an incomplete mail address, and the clerk's remedy is to correct the form.
  'INTAKE.MISSING_FIELD': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_FIELD_VALUE': status.INVALID_ARGUMENT,
  'INTAKE.DELIVERY_METHOD_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.MAIL_ADDRESS_INCOMPLETE': status.INVALID_ARGUMENT,
  'INTAKE.TOO_MANY_MATERIALS': status.INVALID_ARGUMENT,
  'INTAKE.MATERIAL_CODE_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.EMPTY_MATERIAL': status.INVALID_ARGUMENT,
  'INTAKE.MATERIAL_TOO_LARGE': status.INVALID_ARGUMENT,
  'INTAKE.UPLOAD_TOO_LARGE': status.INVALID_ARGUMENT,
  'INTAKE.CONTENT_TYPE_NOT_ALLOWED': status.INVALID_ARGUMENT,
  'INTAKE.CONTENT_TYPE_MISMATCH': status.INVALID_ARGUMENT,
  'INTAKE.UNKNOWN_REGION': status.FAILED_PRECONDITION,
  'INTAKE.ITEM_NOT_OFFERED': status.FAILED_PRECONDITION,
  'INTAKE.MISSING_MATERIAL': status.FAILED_PRECONDITION,
  'INTAKE.UNKNOWN_MATERIAL': status.FAILED_PRECONDITION,
  'INTAKE.DELIVERY_NOT_ALLOWED': status.FAILED_PRECONDITION,
  'INTAKE.CATALOG_UNAVAILABLE': status.UNAVAILABLE,
  'INTAKE.DAILY_LIMIT_REACHED': status.RESOURCE_EXHAUSTED,
  'INTAKE.CASE_NOT_FOUND': status.NOT_FOUND,
  'INTAKE.INVALID_PAGE_TOKEN': status.INVALID_ARGUMENT,
  'INTAKE.QUERY_TOO_LONG': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_PERIOD': status.INVALID_ARGUMENT,
  'INTAKE.REASON_REQUIRED': status.INVALID_ARGUMENT,
  // 帮代办: who applies on the applicant's behalf, with the applicant's authorization.
  'INTAKE.AGENT_NAME_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_AGENT_ID': status.INVALID_ARGUMENT,
  'INTAKE.AGENT_IS_APPLICANT': status.INVALID_ARGUMENT,
  'INTAKE.INVALID_AGENT_PHONE': status.INVALID_ARGUMENT,
  'INTAKE.AGENT_RELATION_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.AUTHORIZATION_MISSING': status.INVALID_ARGUMENT,
  // 邮寄办: where the carrier collects the originals.
  'INTAKE.PICKUP_ADDRESS_INCOMPLETE': status.INVALID_ARGUMENT,
  'INTAKE.PICKUP_NOT_NEEDED': status.FAILED_PRECONDITION,
  // Answers to the reviewer's supplement (补正) and survey (远程踏勘) requests.
  'INTAKE.SUPPLEMENT_NOT_OPEN': status.FAILED_PRECONDITION,
  'INTAKE.SURVEY_NOT_OPEN': status.FAILED_PRECONDITION,
  'INTAKE.STALE_ROUND': status.FAILED_PRECONDITION,
  'INTAKE.ROUND_ALREADY_SUBMITTED': status.FAILED_PRECONDITION,
  'INTAKE.MEDIA_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.TOO_MANY_MEDIA': status.INVALID_ARGUMENT,
  'INTAKE.CHECKPOINT_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.EMPTY_MEDIUM': status.INVALID_ARGUMENT,
  'INTAKE.MEDIUM_TOO_LARGE': status.INVALID_ARGUMENT,
  'INTAKE.SURVEY_UPLOAD_TOO_LARGE': status.INVALID_ARGUMENT,
  'INTAKE.MEDIUM_TYPE_NOT_ALLOWED': status.INVALID_ARGUMENT,
  'INTAKE.MEDIUM_TYPE_MISMATCH': status.INVALID_ARGUMENT,
  'INTAKE.CAPTURED_AT_REQUIRED': status.INVALID_ARGUMENT,
  'INTAKE.CAPTURED_IN_FUTURE': status.INVALID_ARGUMENT,
  'INTAKE.CAPTURED_BEFORE_REQUEST': status.FAILED_PRECONDITION,
  'INTAKE.UNKNOWN_CHECKPOINT': status.FAILED_PRECONDITION,
  'INTAKE.CHECKPOINT_NOT_COVERED': status.FAILED_PRECONDITION,
  // A result mailed to the window, handed over to the applicant.
  'INTAKE.NOT_WINDOW_PICKUP': status.FAILED_PRECONDITION,
  'INTAKE.RESULT_NOT_DELIVERED': status.FAILED_PRECONDITION,
  // 无感智办
  'INTAKE.OFFER_NOT_FOUND': status.NOT_FOUND,
  'INTAKE.CERTIFICATE_REVOKED': status.FAILED_PRECONDITION,
  // 一件事
  'INTAKE.BUNDLE_NOT_OFFERED': status.FAILED_PRECONDITION,
  'INTAKE.BUNDLE_PARTS_MISMATCH': status.INVALID_ARGUMENT,
  'INTAKE.BUNDLE_NOT_FOUND': status.NOT_FOUND,
  /** The lifecycle refuses the change (@tongban/domain's code, e.g. withdrawing 已办结). */
  'CASE.ILLEGAL_TRANSITION': status.FAILED_PRECONDITION,
} as const satisfies Record<string, status>;

export type IntakeErrorCode = keyof typeof STATUS;

/** A refused intake request; the message is for the window clerk, in words they can act on. */
export class IntakeError extends Error implements CodedError {
  readonly grpcStatus: status;

  constructor(
    readonly code: IntakeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IntakeError';
    this.grpcStatus = STATUS[code];
  }
}

/** Refuses the request: nothing has been written yet, or the transaction rolls back. */
export function refuse(code: IntakeErrorCode, message: string): never {
  throw new IntakeError(code, message);
}

export function caseNotFound(caseId: string): IntakeError {
  return new IntakeError(
    'INTAKE.CASE_NOT_FOUND',
    `办件 ${caseId.slice(0, 40)} 不存在，请核对办件编号。`,
  );
}
