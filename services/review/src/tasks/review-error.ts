import { status } from '@grpc/grpc-js';
import type { CodedError } from '@tongban/service-kit';

export type ReviewErrorCode =
  | 'REVIEW.TASK_NOT_FOUND'
  | 'REVIEW.ALREADY_DECIDED'
  | 'REVIEW.NOT_A_REVIEWER_DECISION'
  | 'REVIEW.REASON_REQUIRED'
  | 'REVIEW.DECISION_REQUIRED'
  | 'REVIEW.REVIEWER_REQUIRED'
  | 'REVIEW.INVALID_PAGE_TOKEN';

const STATUS: Record<ReviewErrorCode, status> = {
  'REVIEW.TASK_NOT_FOUND': status.NOT_FOUND,
  'REVIEW.ALREADY_DECIDED': status.FAILED_PRECONDITION,
  'REVIEW.NOT_A_REVIEWER_DECISION': status.FAILED_PRECONDITION,
  'REVIEW.REASON_REQUIRED': status.INVALID_ARGUMENT,
  'REVIEW.DECISION_REQUIRED': status.INVALID_ARGUMENT,
  'REVIEW.REVIEWER_REQUIRED': status.INVALID_ARGUMENT,
  'REVIEW.INVALID_PAGE_TOKEN': status.INVALID_ARGUMENT,
};

/** A refused review request; the message is for the reviewer at the console. */
export class ReviewError extends Error implements CodedError {
  readonly grpcStatus: status;

  constructor(
    readonly code: ReviewErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReviewError';
    this.grpcStatus = STATUS[code];
  }
}
