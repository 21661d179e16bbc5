import { status } from '@grpc/grpc-js';
import type { CodedError } from '@tongban/service-kit';

export type LogisticsErrorCode =
  | 'LOGISTICS.SHIPMENT_NOT_FOUND'
  | 'LOGISTICS.SHIPMENT_KEY_REQUIRED'
  /** A webhook for a tracking number the carrier handed out but this service has not stored yet. */
  | 'LOGISTICS.SHIPMENT_NOT_READY'
  | 'LOGISTICS.UNKNOWN_TRACKING_NUMBER'
  | 'LOGISTICS.UNKNOWN_CARRIER'
  /** A webhook whose predecessor has not arrived yet. */
  | 'LOGISTICS.TRACKING_OUT_OF_ORDER'
  | 'LOGISTICS.TRACKING_REFERENCE_MISMATCH';

const GRPC_STATUS: Record<LogisticsErrorCode, status> = {
  'LOGISTICS.SHIPMENT_NOT_FOUND': status.NOT_FOUND,
  'LOGISTICS.SHIPMENT_KEY_REQUIRED': status.INVALID_ARGUMENT,
  'LOGISTICS.SHIPMENT_NOT_READY': status.FAILED_PRECONDITION,
  'LOGISTICS.UNKNOWN_TRACKING_NUMBER': status.NOT_FOUND,
  'LOGISTICS.UNKNOWN_CARRIER': status.NOT_FOUND,
  'LOGISTICS.TRACKING_OUT_OF_ORDER': status.FAILED_PRECONDITION,
  'LOGISTICS.TRACKING_REFERENCE_MISMATCH': status.INVALID_ARGUMENT,
};

/**
 * What the carrier's webhook delivery makes of the answer: 409 means "send it again later", which
 * is right while this side is catching up (tracking number not stored yet, predecessor missing).
 */
const HTTP_STATUS: Record<LogisticsErrorCode, number> = {
  'LOGISTICS.SHIPMENT_NOT_FOUND': 404,
  'LOGISTICS.SHIPMENT_KEY_REQUIRED': 400,
  'LOGISTICS.SHIPMENT_NOT_READY': 409,
  'LOGISTICS.UNKNOWN_TRACKING_NUMBER': 404,
  'LOGISTICS.UNKNOWN_CARRIER': 404,
  'LOGISTICS.TRACKING_OUT_OF_ORDER': 409,
  'LOGISTICS.TRACKING_REFERENCE_MISMATCH': 400,
};

/**
 * A refused logistics request. Messages of the gRPC API are for the clerk at the console;
 * messages of the webhook endpoint are for the carrier's integration team and our operators.
 */
export class LogisticsError extends Error implements CodedError {
  readonly grpcStatus: status;
  readonly httpStatus: number;

  constructor(
    readonly code: LogisticsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LogisticsError';
    this.grpcStatus = GRPC_STATUS[code];
    this.httpStatus = HTTP_STATUS[code];
  }
}
