import { Inject, Injectable } from '@nestjs/common';
import {
  ShipmentDelivered,
  ShipmentDispatched,
  ShipmentTracked,
} from '@tongban/contracts/tongban/logistics/v1/events';
import type { TrackingEvent } from '@tongban/contracts/tongban/logistics/v1/logistics';
import { enqueueEvents, newEventMetadata, type OutgoingEvent } from '@tongban/kafka';
import { prismaExecutor, type PrismaRawSql } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import type { Shipment } from '../../prisma/generated/client';

/**
 * The shipment events of a case, published through the outbox in the caller's transaction (after
 * the shipment row was written, which locks it, so a case's events keep their order). Each keeps
 * the correlation of the CertificateIssued that opened the shipment and names it as the cause.
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
    });
  }

  tracked(shipment: Shipment, event: TrackingEvent): OutgoingEvent {
    return this.event(shipment, ShipmentTracked, {
      caseId: shipment.caseId,
      originRegion: shipment.originRegion,
      shipmentId: shipment.id,
      event,
    });
  }

  delivered(shipment: Shipment): OutgoingEvent {
    return this.event(shipment, ShipmentDelivered, {
      caseId: shipment.caseId,
      originRegion: shipment.originRegion,
      shipmentId: shipment.id,
      trackingNumber: shipment.trackingNumber ?? '',
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
