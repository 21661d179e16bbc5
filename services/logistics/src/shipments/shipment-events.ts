import { Inject, Injectable } from '@nestjs/common';
import {
  ShipmentDelivered,
  ShipmentDispatched,
  ShipmentException,
  ShipmentExceptionResolved,
  ShipmentTracked,
} from '@tongban/contracts/tongban/logistics/v1/events';
import type { TrackingEvent } from '@tongban/contracts/tongban/logistics/v1/logistics';
import { enqueueEvents, newEventMetadata, type OutgoingEvent } from '@tongban/kafka';
import { prismaExecutor, type PrismaRawSql } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import type { Shipment } from '../../prisma/generated/client';
import { KIND_TO_PROTO, RESOLUTION_TO_PROTO } from './shipment-proto';

/**
 * The shipment events of a case, published through the outbox in the caller's transaction (after
 * the shipment row was written, which locks it, so a parcel's events keep their order). Each keeps
 * the correlation of the event that opened the shipment (CertificateIssued, PreReviewPassed) and
 * names it as the cause; a parcel sent again keeps its original's.
 */
@Injectable()
export class ShipmentEvents {
  constructor(@Inject(ServiceContext) private readonly context: ServiceContext) {}

  dispatched(shipment: Shipment): OutgoingEvent {
    return this.event(shipment, ShipmentDispatched, {
      caseId: shipment.caseId,
      originRegion: shipment.originRegion,
      shipmentId: shipment.id,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber ?? '',
      kind: KIND_TO_PROTO[shipment.kind],
    });
  }

  tracked(shipment: Shipment, event: TrackingEvent): OutgoingEvent {
    return this.event(shipment, ShipmentTracked, {
      caseId: shipment.caseId,
      originRegion: shipment.originRegion,
      shipmentId: shipment.id,
      event,
      kind: KIND_TO_PROTO[shipment.kind],
      trackingNumber: shipment.trackingNumber ?? '',
    });
  }

  delivered(shipment: Shipment): OutgoingEvent {
    return this.event(shipment, ShipmentDelivered, {
      caseId: shipment.caseId,
      originRegion: shipment.originRegion,
      shipmentId: shipment.id,
      trackingNumber: shipment.trackingNumber ?? '',
      kind: KIND_TO_PROTO[shipment.kind],
      toWindow: shipment.toWindow,
    });
  }

  /** The parcel failed (lost, returned, refused, no address) and waits for a person. */
  exception(shipment: Shipment): OutgoingEvent {
    return this.event(shipment, ShipmentException, {
      caseId: shipment.caseId,
      originRegion: shipment.originRegion,
      shipmentId: shipment.id,
      trackingNumber: shipment.trackingNumber ?? '',
      kind: KIND_TO_PROTO[shipment.kind],
      reason: shipment.exceptionReason ?? '',
    });
  }

  /**
   * A person resolved the exception of `shipment`; for RESEND, `replacement` is the new parcel
   * (its tracking number empty if the carrier refused it).
   */
  exceptionResolved(shipment: Shipment, replacement?: Shipment): OutgoingEvent {
    if (shipment.resolution === null) {
      throw new Error(`shipment ${shipment.id} has no resolution to publish`);
    }
    return this.event(shipment, ShipmentExceptionResolved, {
      caseId: shipment.caseId,
      originRegion: shipment.originRegion,
      shipmentId: shipment.id,
      resolution: RESOLUTION_TO_PROTO[shipment.resolution],
      note: shipment.resolutionNote ?? '',
      resolvedBy: shipment.resolvedBy ?? '',
      replacementShipmentId: replacement?.id ?? '',
      replacementTrackingNumber: replacement?.trackingNumber ?? '',
    });
  }

  async publish(tx: PrismaRawSql, events: OutgoingEvent[]): Promise<void> {
    await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, events);
  }

  private event<T>(shipment: Shipment, type: OutgoingEvent<T>['type'], payload: T): OutgoingEvent {
    return {
      metadata: newEventMetadata({
        caseId: shipment.caseId,
        region: this.context.regionCode,
        service: this.context.service,
        causedBy: { eventId: shipment.causationId, correlationId: shipment.correlationId },
      }),
      type,
      payload,
    };
  }
}
