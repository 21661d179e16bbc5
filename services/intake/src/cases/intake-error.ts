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
  'INTAKE.REASON_REQUIRED': status.INVALID_ARGUMENT,
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
