import { Inject, Injectable } from '@nestjs/common';
import type { OutgoingEvent } from '@tongban/kafka';
import { ShipmentState as ProtoShipmentState } from '@tongban/contracts/tongban/logistics/v1/logistics';
import { ServiceContext } from '@tongban/service-kit';
import type { ShipmentState } from '../../prisma/generated/client';
import type { TrackingUpdate } from '../carrier/carrier.adapter';
import { PrismaService } from '../prisma/prisma.service';
import { inCaseTrace } from '../shipments/case-trace';
import { LogisticsError } from '../shipments/logistics-error';
import { ShipmentEvents } from '../shipments/shipment-events';

const PROTO_TO_STATE = new Map<ProtoShipmentState, ShipmentState>([
  [ProtoShipmentState.SHIPMENT_STATE_CREATED, 'CREATED'],
  [ProtoShipmentState.SHIPMENT_STATE_PICKED_UP, 'PICKED_UP'],
  [ProtoShipmentState.SHIPMENT_STATE_IN_TRANSIT, 'IN_TRANSIT'],
  [ProtoShipmentState.SHIPMENT_STATE_DELIVERED, 'DELIVERED'],
  [ProtoShipmentState.SHIPMENT_STATE_FAILED, 'FAILED'],
]);

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

/** States in which the carrier has the parcel: the first of them means it was dispatched. */
const WITH_CARRIER = new Set<ShipmentState>(['PICKED_UP', 'IN_TRANSIT', 'DELIVERED']);

export type TrackingOutcome = 'applied' | 'duplicate';

/**
 * Tracking updates from the carrier become tracking events, shipment state and case status
 * events. Webhooks arrive at least once and, per shipment, in order: each sequence number counts
 * once, and one that arrives before its predecessor is sent back to wait (409) rather than
 * applied out of order.
 */
@Injectable()
export class TrackingService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ShipmentEvents) private readonly events: ShipmentEvents,
  ) {}

  /** Records one update; resolves once the event, the state and the outbox rows committed. */
  async record(update: TrackingUpdate): Promise<TrackingOutcome> {
    const state = PROTO_TO_STATE.get(update.state);
    if (state === undefined) {
      // The adapter maps every state it accepts; an unmapped one is a bug in this service.
      throw new Error(`tracking state ${String(update.state)} has no shipment state`);
    }
    const known = await this.prisma.shipment.findUnique({
      where: {
        carrier_trackingNumber: { carrier: update.carrier, trackingNumber: update.trackingNumber },
      },
      select: { id: true, caseId: true, traceParent: true },
    });
    if (!known) throw await this.unknown(update);
    if (known.caseId !== update.caseId) {
      throw new LogisticsError(
        'LOGISTICS.TRACKING_REFERENCE_MISMATCH',
        `Tracking number ${update.trackingNumber} belongs to case ${known.caseId}, but the update names ${update.caseId}`,
      );
    }
    return inCaseTrace(known.traceParent, 'logistics.track_shipment', known.caseId, () =>
      this.prisma.$transaction((tx) => this.apply(tx, known.id, update, state)),
    );
  }

  private async apply(
    tx: Tx,
    shipmentId: string,
    update: TrackingUpdate,
    state: ShipmentState,
  ): Promise<TrackingOutcome> {
    // The shipment row first: it serialises the updates of one parcel and, written before the
    // outbox rows, keeps the case's events in order.
    await tx.$queryRaw`SELECT id FROM shipment WHERE id = ${shipmentId}::uuid FOR UPDATE`;
    const shipment = await tx.shipment.findUniqueOrThrow({ where: { id: shipmentId } });
    const latest = await tx.trackingEvent.findFirst({
      where: { shipmentId },
      orderBy: { sequence: 'desc' },
      select: { sequence: true },
    });
    const applied = latest?.sequence ?? 0;
    if (update.sequence <= applied) return 'duplicate';
    if (update.sequence > applied + 1) {
      throw new LogisticsError(
        'LOGISTICS.TRACKING_OUT_OF_ORDER',
        `Tracking update ${update.sequence} of ${update.trackingNumber} arrived before update ${applied + 1}; send it again after that one`,
      );
    }
    const now = new Date();
    await tx.trackingEvent.create({
      data: {
        shipmentId,
        sequence: update.sequence,
        state,
        at: update.at,
        location: update.location,
        description: update.description,
        receivedAt: now,
      },
    });
    // A carrier may skip PICKED_UP and report the parcel in transit: it was dispatched all the same.
    const dispatched = shipment.dispatchedAt === null && WITH_CARRIER.has(state);
    const delivered = shipment.deliveredAt === null && state === 'DELIVERED';
    // Lost or returned to the sender: the carrier is done with it, a person decides what next.
    const exception = shipment.exception === 'NONE' && state === 'FAILED';
    const current = await tx.shipment.update({
      where: { id: shipmentId },
      data: {
        state,
        ...(dispatched ? { dispatchedAt: update.at } : {}),
        ...(delivered ? { deliveredAt: update.at } : {}),
        ...(state === 'FAILED'
          ? {
              failedAt: update.at,
              failureCode: 'LOGISTICS.DELIVERY_FAILED',
              failureReason: update.description,
            }
          : {}),
        ...(exception
          ? { exception: 'OPEN', exceptionReason: update.description, exceptionOpenedAt: now }
          : {}),
      },
    });
    // Dispatched opens the parcel's journey and Delivered or Exception closes it; every update is
    // tracked.
    const outgoing: OutgoingEvent[] = [];
    if (dispatched) outgoing.push(this.events.dispatched(current));
    outgoing.push(
      this.events.tracked(current, {
        state: update.state,
        at: update.at,
        location: update.location,
        description: update.description,
      }),
    );
    if (delivered) outgoing.push(this.events.delivered(current));
    if (exception) outgoing.push(this.events.exception(current));
    await this.events.publish(tx, outgoing);
    this.context.logger.info(
      {
        caseId: current.caseId,
        trackingNumber: update.trackingNumber,
        sequence: update.sequence,
        state,
      },
      'tracking update recorded',
    );
    return 'applied';
  }

  /** Why an update's tracking number is not ours (yet). */
  private async unknown(update: TrackingUpdate): Promise<LogisticsError> {
    // Any parcel of the case still waiting for the carrier's answer may be the one; or the answer
    // was stored between the first look and this one. One statement sees one snapshot, so the
    // race ends in one of the two branches, never in a 404 for a parcel this service has.
    const pending = await this.prisma.shipment.findFirst({
      where: {
        OR: [
          {
            caseId: update.caseId,
            carrier: update.carrier,
            trackingNumber: null,
            state: 'CREATED',
          },
          { carrier: update.carrier, trackingNumber: update.trackingNumber },
        ],
      },
      select: { id: true },
    });
    if (pending) {
      // The carrier's first webhook can overtake its answer to our order: ask it to come back.
      return new LogisticsError(
        'LOGISTICS.SHIPMENT_NOT_READY',
        `Tracking number ${update.trackingNumber} is not stored yet for case ${update.caseId}; send the update again shortly`,
      );
    }
    return new LogisticsError(
      'LOGISTICS.UNKNOWN_TRACKING_NUMBER',
      `No shipment of carrier ${update.carrier} has tracking number ${update.trackingNumber}`,
    );
  }
}
