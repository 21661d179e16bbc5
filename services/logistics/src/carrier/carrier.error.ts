/** Stable codes of carrier failures; transports map them (e.g. a bad webhook to 401 or 400). */
export type CarrierErrorCode =
  /** The carrier answered and said no (4xx): bad address, unknown tracking number, bad key. */
  | 'LOGISTICS.CARRIER_REFUSED'
  /** No usable answer: unreachable, timed out, 5xx or 429, or a body that cannot be read. */
  | 'LOGISTICS.CARRIER_UNAVAILABLE'
  /** A webhook without a valid, fresh signature: forged, tampered with, replayed or misconfigured. */
  | 'LOGISTICS.BAD_WEBHOOK_SIGNATURE'
  /** A correctly signed webhook whose content is not a tracking update this adapter knows. */
  | 'LOGISTICS.MALFORMED_WEBHOOK';

export interface CarrierErrorDetails {
  /** The carrier code, e.g. `SIM`. */
  carrier?: string;
  /** The carrier's HTTP status, when it answered. */
  status?: number;
  /** The carrier's own error code, e.g. `INVALID_PHONE`. */
  carrierCode?: string;
  /** The request field the carrier refused, e.g. `recipient.phone`. */
  field?: string;
}

export class CarrierError extends Error {
  constructor(
    readonly code: CarrierErrorCode,
    message: string,
    readonly details: CarrierErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CarrierError';
  }

  /**
   * Whether the same call may succeed later. Only an unavailable carrier: a refusal stays a
   * refusal until someone corrects the request. Creating again is safe because every create
   * carries the shipment id as its idempotency key.
   */
  get retryable(): boolean {
    return this.code === 'LOGISTICS.CARRIER_UNAVAILABLE';
  }
}
