import { status } from '@grpc/grpc-js';
import type { CodedError } from '@tongban/service-kit';

/**
 * Codes of refused calls (gRPC status + `tongban-error-code`) and of refused envelopes (inside a
 * signed REJECTED receipt, `Receipt.error_code`). Receipt codes are part of the wire contract
 * between regions: never rename one, only add. The first five come from @tongban/trust.
 */
export type ExchangeErrorCode =
  // Receipts: checks of the envelope itself, in the order they are made.
  | 'EXCHANGE.MALFORMED'
  | 'EXCHANGE.UNKNOWN_SENDER'
  | 'EXCHANGE.PEER_MISMATCH'
  | 'EXCHANGE.UNKNOWN_KEY'
  | 'EXCHANGE.BAD_SIGNATURE'
  | 'EXCHANGE.WRONG_RECIPIENT'
  | 'EXCHANGE.SEQUENCE_REUSED'
  // Receipts: checks of the body.
  | 'EXCHANGE.ITEM_NOT_IN_AGREEMENT'
  | 'EXCHANGE.ORIGIN_MISMATCH'
  | 'EXCHANGE.MISSING_BLOB'
  | 'EXCHANGE.CASE_UNKNOWN'
  | 'EXCHANGE.STATUS_NOT_ALLOWED'
  | 'EXCHANGE.WRONG_DIRECTION'
  | 'EXCHANGE.SUPPLEMENT_NOT_REQUESTED'
  | 'EXCHANGE.SURVEY_NOT_REQUESTED'
  // Calls.
  | 'EXCHANGE.NOT_A_PARTNER'
  | 'EXCHANGE.UNKNOWN_PARTNER'
  | 'EXCHANGE.PARTNER_UNAVAILABLE'
  | 'EXCHANGE.BLOB_TOO_LARGE'
  | 'EXCHANGE.BLOB_MISMATCH'
  // Operations (this region's operators, ExchangeOperationsService).
  | 'EXCHANGE.MESSAGE_NOT_FOUND'
  | 'EXCHANGE.NOT_FAILED'
  | 'EXCHANGE.REQUESTER_REQUIRED'
  | 'EXCHANGE.INVALID_PAGE_TOKEN';

const STATUS: Record<ExchangeErrorCode, status> = {
  'EXCHANGE.MALFORMED': status.INVALID_ARGUMENT,
  'EXCHANGE.UNKNOWN_SENDER': status.PERMISSION_DENIED,
  'EXCHANGE.PEER_MISMATCH': status.PERMISSION_DENIED,
  'EXCHANGE.UNKNOWN_KEY': status.FAILED_PRECONDITION,
  'EXCHANGE.BAD_SIGNATURE': status.PERMISSION_DENIED,
  'EXCHANGE.WRONG_RECIPIENT': status.INVALID_ARGUMENT,
  'EXCHANGE.SEQUENCE_REUSED': status.ALREADY_EXISTS,
  'EXCHANGE.ITEM_NOT_IN_AGREEMENT': status.PERMISSION_DENIED,
  'EXCHANGE.ORIGIN_MISMATCH': status.PERMISSION_DENIED,
  'EXCHANGE.MISSING_BLOB': status.FAILED_PRECONDITION,
  'EXCHANGE.CASE_UNKNOWN': status.NOT_FOUND,
  'EXCHANGE.STATUS_NOT_ALLOWED': status.PERMISSION_DENIED,
  'EXCHANGE.WRONG_DIRECTION': status.PERMISSION_DENIED,
  'EXCHANGE.SUPPLEMENT_NOT_REQUESTED': status.FAILED_PRECONDITION,
  'EXCHANGE.SURVEY_NOT_REQUESTED': status.FAILED_PRECONDITION,
  'EXCHANGE.NOT_A_PARTNER': status.PERMISSION_DENIED,
  'EXCHANGE.UNKNOWN_PARTNER': status.NOT_FOUND,
  'EXCHANGE.PARTNER_UNAVAILABLE': status.UNAVAILABLE,
  'EXCHANGE.BLOB_TOO_LARGE': status.RESOURCE_EXHAUSTED,
  'EXCHANGE.BLOB_MISMATCH': status.INVALID_ARGUMENT,
  'EXCHANGE.MESSAGE_NOT_FOUND': status.NOT_FOUND,
  'EXCHANGE.NOT_FAILED': status.FAILED_PRECONDITION,
  'EXCHANGE.REQUESTER_REQUIRED': status.INVALID_ARGUMENT,
  'EXCHANGE.INVALID_PAGE_TOKEN': status.INVALID_ARGUMENT,
};

/**
 * A refused call or envelope. The message is for the people on the other side: the partner
 * region's operators (receipts, partner API) or this region's staff (directory, operations).
 */
export class ExchangeError extends Error implements CodedError {
  readonly grpcStatus: status;

  constructor(
    readonly code: ExchangeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExchangeError';
    this.grpcStatus = STATUS[code];
  }
}
