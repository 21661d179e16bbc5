import type { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import type { ShipmentState } from '@tongban/contracts/tongban/logistics/v1/logistics';

export interface CreateShipmentRequest {
  /**
   * The logistics service's own id of the shipment, sent as the carrier's idempotency key: a
   * create repeated after a timeout or a crash returns the first shipment instead of ordering a
   * second pickup.
   */
  shipmentId: string;
  /** The reference on the waybill; every tracking update carries it back. */
  caseId: string;
  /** The handling region's office that hands the parcel over. */
  sender: PostalAddress;
  recipient: PostalAddress;
  /** What the parcel holds, e.g. 住房公积金提取决定书. */
  contents: string;
}

export interface CreatedShipment {
  /** The carrier code, e.g. `SIM`. */
  carrier: string;
  trackingNumber: string;
  /** The carrier's delivery promise. */
  estimatedDeliveryAt: Date;
}

/** One tracking event of a shipment, from a webhook or from `getShipment`. */
export interface TrackingUpdate {
  carrier: string;
  trackingNumber: string;
  caseId: string;
  /**
   * The carrier's position of this event within the shipment, from 1. Webhooks arrive at least
   * once: apply an update only when it is the next one, ignore one already applied.
   */
  sequence: number;
  state: ShipmentState;
  at: Date;
  location: string;
  description: string;
}

export interface CarrierShipment {
  carrier: string;
  trackingNumber: string;
  caseId: string;
  /** The state of the latest event. */
  state: ShipmentState;
  estimatedDeliveryAt: Date;
  /** Every event so far, in sequence order. */
  tracking: TrackingUpdate[];
}

/** HTTP request headers as Node gives them (`IncomingMessage.headers`); names in any case. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * What the logistics service needs from a courier, whichever it is. An abstract class rather
 * than an interface so that it can also be the dependency-injection token the service resolves
 * (interfaces vanish at run time). Failures are CarrierErrors with stable codes.
 */
export abstract class CarrierAdapter {
  /** The carrier code stored with shipments, e.g. `SIM`. */
  abstract readonly carrier: string;

  /**
   * Orders a pickup and delivery. Throws LOGISTICS.CARRIER_REFUSED with the carrier's reason
   * (not retryable) or LOGISTICS.CARRIER_UNAVAILABLE (retry with the same shipment id).
   */
  abstract createShipment(request: CreateShipmentRequest): Promise<CreatedShipment>;

  /** The shipment as the carrier sees it now; for reconciliation when webhooks were missed. */
  abstract getShipment(trackingNumber: string): Promise<CarrierShipment>;

  /**
   * Authenticates and decodes a webhook from the exact bytes received (parse the body only
   * after this). Throws LOGISTICS.BAD_WEBHOOK_SIGNATURE or LOGISTICS.MALFORMED_WEBHOOK.
   */
  abstract parseWebhook(headers: WebhookHeaders, rawBody: Uint8Array | string): TrackingUpdate;
}
