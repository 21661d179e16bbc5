import { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import {
  ExceptionState,
  Resolution,
  ShipmentKind as ProtoShipmentKind,
  ShipmentState as ProtoShipmentState,
  type Shipment as ProtoShipment,
  type TrackingEvent as ProtoTrackingEvent,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import type {
  Shipment,
  ShipmentException,
  ShipmentKind,
  ShipmentResolution,
  ShipmentState,
  TrackingEvent,
} from '../../prisma/generated/client';

export const STATE_TO_PROTO: Record<ShipmentState, ProtoShipmentState> = {
  CREATED: ProtoShipmentState.SHIPMENT_STATE_CREATED,
  PICKED_UP: ProtoShipmentState.SHIPMENT_STATE_PICKED_UP,
  IN_TRANSIT: ProtoShipmentState.SHIPMENT_STATE_IN_TRANSIT,
  DELIVERED: ProtoShipmentState.SHIPMENT_STATE_DELIVERED,
  FAILED: ProtoShipmentState.SHIPMENT_STATE_FAILED,
};

export const KIND_TO_PROTO: Record<ShipmentKind, ProtoShipmentKind> = {
  RESULT: ProtoShipmentKind.SHIPMENT_KIND_RESULT,
  MATERIALS_PICKUP: ProtoShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
};

export const EXCEPTION_TO_PROTO: Record<ShipmentException, ExceptionState> = {
  NONE: ExceptionState.EXCEPTION_STATE_NONE,
  OPEN: ExceptionState.EXCEPTION_STATE_OPEN,
  RESOLVED: ExceptionState.EXCEPTION_STATE_RESOLVED,
};

export const RESOLUTION_TO_PROTO: Record<ShipmentResolution, Resolution> = {
  RESEND: Resolution.RESOLUTION_RESEND,
  CLOSE: Resolution.RESOLUTION_CLOSE,
};

export type ShipmentWithTracking = Shipment & { tracking: TrackingEvent[] };

/** Tracking events in sequence order, as `include` fetches them with a shipment. */
export const WITH_TRACKING = { tracking: { orderBy: { sequence: 'asc' as const } } };

/**
 * The address on the applicant's side of a parcel, the one a RESEND may correct: where a result
 * goes, or where the original materials are collected.
 */
export function applicantSideAddress(shipment: Shipment): PostalAddress {
  return PostalAddress.decode(
    shipment.kind === 'MATERIALS_PICKUP' ? shipment.sender : shipment.recipient,
  );
}

export function shipmentToProto(shipment: ShipmentWithTracking): ProtoShipment {
  const tracking = shipment.tracking.map((event): ProtoTrackingEvent => ({
    state: STATE_TO_PROTO[event.state],
    at: event.at,
    location: event.location,
    description: event.description,
  }));
  // A refused order has no carrier event; the clerk still sees why nothing was mailed.
  if (shipment.state === 'FAILED' && tracking.length === 0) {
    tracking.push({
      state: ProtoShipmentState.SHIPMENT_STATE_FAILED,
      at: shipment.failedAt ?? shipment.createdAt,
      location: '',
      description: shipment.failureReason ?? '',
    });
  }
  return {
    shipmentId: shipment.id,
    caseId: shipment.caseId,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber ?? '',
    state: STATE_TO_PROTO[shipment.state],
    address: applicantSideAddress(shipment),
    tracking,
    createdAt: shipment.createdAt,
    kind: KIND_TO_PROTO[shipment.kind],
    exception: EXCEPTION_TO_PROTO[shipment.exception],
    exceptionReason: shipment.exceptionReason ?? '',
    resolutionNote: shipment.resolutionNote ?? '',
    replacedBy: shipment.replacedBy ?? '',
  };
}
