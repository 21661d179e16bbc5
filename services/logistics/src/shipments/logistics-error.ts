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
  | 'LOGISTICS.TRACKING_REFERENCE_MISMATCH'
  /** ResolveException without RESEND or CLOSE. */
  | 'LOGISTICS.RESOLUTION_REQUIRED'
  /** ResolveException without the staff account of the person resolving. */
  | 'LOGISTICS.STAFF_ACCOUNT_REQUIRED'
  | 'LOGISTICS.NOTE_REQUIRED'
  | 'LOGISTICS.NOTE_TOO_LONG'
  /** The parcel has no open exception: never failed, or someone resolved it already. */
  | 'LOGISTICS.NO_OPEN_EXCEPTION'
  /** A corrected address the carrier could not use, or one given with CLOSE. */
  | 'LOGISTICS.INVALID_ADDRESS'
  /** RESEND of a parcel that never had an address (the origin window's was not configured). */
  | 'LOGISTICS.ADDRESS_REQUIRED';

const GRPC_STATUS: Record<LogisticsErrorCode, status> = {
  'LOGISTICS.SHIPMENT_NOT_FOUND': status.NOT_FOUND,
  'LOGISTICS.SHIPMENT_KEY_REQUIRED': status.INVALID_ARGUMENT,
  'LOGISTICS.SHIPMENT_NOT_READY': status.FAILED_PRECONDITION,
  'LOGISTICS.UNKNOWN_TRACKING_NUMBER': status.NOT_FOUND,
  'LOGISTICS.UNKNOWN_CARRIER': status.NOT_FOUND,
  'LOGISTICS.TRACKING_OUT_OF_ORDER': status.FAILED_PRECONDITION,
  'LOGISTICS.TRACKING_REFERENCE_MISMATCH': status.INVALID_ARGUMENT,
  'LOGISTICS.RESOLUTION_REQUIRED': status.INVALID_ARGUMENT,
  'LOGISTICS.STAFF_ACCOUNT_REQUIRED': status.INVALID_ARGUMENT,
  'LOGISTICS.NOTE_REQUIRED': status.INVALID_ARGUMENT,
  'LOGISTICS.NOTE_TOO_LONG': status.INVALID_ARGUMENT,
  'LOGISTICS.NO_OPEN_EXCEPTION': status.FAILED_PRECONDITION,
  'LOGISTICS.INVALID_ADDRESS': status.INVALID_ARGUMENT,
  'LOGISTICS.ADDRESS_REQUIRED': status.INVALID_ARGUMENT,
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
  'LOGISTICS.RESOLUTION_REQUIRED': 400,
  'LOGISTICS.STAFF_ACCOUNT_REQUIRED': 400,
  'LOGISTICS.NOTE_REQUIRED': 400,
  'LOGISTICS.NOTE_TOO_LONG': 400,
  'LOGISTICS.NO_OPEN_EXCEPTION': 409,
  'LOGISTICS.INVALID_ADDRESS': 400,
  'LOGISTICS.ADDRESS_REQUIRED': 400,
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
