/** The error codes of the simulated carrier's API, answered as `{ code, message, field? }`. */
export type CarrierApiErrorCode =
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_JSON'
  | 'INVALID_REQUEST'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'INVALID_PHONE'
  | 'INVALID_DIVISION_CODE'
  | 'INVALID_POSTAL_CODE'
  | 'INVALID_CALLBACK_URL'
  | 'UNSUPPORTED_SERVICE'
  | 'IDEMPOTENCY_KEY_REQUIRED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID_TRACKING_NUMBER'
  | 'SHIPMENT_NOT_FOUND';

/** A request the simulated carrier refuses; the server answers it with `status` and the body. */
export class CarrierApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: CarrierApiErrorCode,
    message: string,
    /** The request field at fault, e.g. `recipient.phone`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CarrierApiError';
  }

  toJSON(): { code: CarrierApiErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}
