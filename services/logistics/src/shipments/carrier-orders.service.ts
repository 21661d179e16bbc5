import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { ShipmentState as ProtoShipmentState } from '@tongban/contracts/tongban/logistics/v1/logistics';
import type { OutgoingEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import type { Shipment } from '../../prisma/generated/client';
import { CarrierAdapter, type CreatedShipment } from '../carrier/carrier.adapter';
import { CarrierError } from '../carrier/carrier.error';
import { PrismaService } from '../prisma/prisma.service';
import { inCaseTrace } from './case-trace';
import { ShipmentEvents } from './shipment-events';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

/** Timing of the carrier order loop. */
export interface CarrierOrderTiming {
  /** How often pending orders are looked for when nothing woke the loop. */
  pollMs: number;
  /**
   * How long a claimed order is reserved for the instance that claimed it. Longer than a carrier
   * call may take (the adapter gives up after 5 s): an instance that dies mid-call leaves the
   * order to be retried by any instance after this time.
   */
  leaseSeconds: number;
  /** First retry delay after an unavailable carrier, doubled per attempt up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** Orders claimed per round. */
  batch: number;
}

export const DEFAULT_ORDER_TIMING: CarrierOrderTiming = {
  pollMs: 2_000,
  leaseSeconds: 60,
  firstRetryMs: 1_000,
  maxRetryMs: 5 * 60_000,
  batch: 20,
};

/**
 * Orders the parcels of open shipments from the carrier. The shipment row exists before the call
 * and its id is the carrier's idempotency key, so every way an order can be interrupted ends in
 * one parcel: a carrier that is down is asked again later; a process that dies after the carrier
 * accepted but before the tracking number was stored leaves the row pending, and the next attempt
 * (after the lease) gets the same parcel back from the carrier instead of a second one. Orders are
 * claimed with SKIP LOCKED, so several instances never call for the same shipment at once.
 */
@Injectable()
export class CarrierOrders implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly timing: CarrierOrderTiming = DEFAULT_ORDER_TIMING;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CarrierAdapter) private readonly carrier: CarrierAdapter,
    @Inject(ShipmentEvents) private readonly events: ShipmentEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    // Orders left pending by a previous run (a crash, a carrier outage) are picked up now.
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A call in flight finishes and stores its outcome; what it could not store stays pending.
    await this.round;
  }

  /** Looks for due orders now (a shipment was just opened), instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.round) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.round = this.rounds().finally(() => {
      this.round = undefined;
      if (this.again) this.wake();
      else this.schedule();
    });
  }

  // A method, not the field: the compiler would take the field for unchanged across an await.
  private wokenDuringRound(): boolean {
    return this.again;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.wake();
    }, this.timing.pollMs);
  }

  private async rounds(): Promise<void> {
    let full: boolean;
    do {
      this.again = false;
      full = false;
      try {
        full = (await this.orderDue()) === this.timing.batch;
      } catch (error) {
        this.context.logger.warn(
          { err: error },
          'carrier order round failed; retrying at next poll',
        );
      }
    } while ((this.wokenDuringRound() || full) && !this.stopped);
  }

  /** Claims the due orders and places them; the number claimed. */
  private async orderDue(): Promise<number> {
    const claimed = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE shipment
         SET next_order_at = now() + ${this.timing.leaseSeconds}::int * interval '1 second',
             order_attempts = order_attempts + 1
       WHERE id IN (SELECT id FROM shipment
                     WHERE next_order_at <= now()
                     ORDER BY next_order_at
                     LIMIT ${this.timing.batch}::int
                     FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (claimed.length === 0) return 0;
    const shipments = await this.prisma.shipment.findMany({
      where: { id: { in: claimed.map((row) => row.id) } },
    });
    await Promise.all(shipments.map((shipment) => this.order(shipment)));
    return claimed.length;
  }

  private async order(shipment: Shipment): Promise<void> {
    const { logger } = this.context;
    const caseId = shipment.caseId;
    await inCaseTrace(shipment.traceParent, 'logistics.order_shipment', caseId, async () => {
      let created: CreatedShipment;
      try {
        created = await this.carrier.createShipment({
          shipmentId: shipment.id,
          caseId,
          sender: PostalAddress.decode(shipment.sender),
          recipient: PostalAddress.decode(shipment.recipient),
          contents: shipment.contents,
        });
      } catch (error) {
        if (error instanceof CarrierError && !error.retryable) {
          await this.refused(shipment, error);
        } else {
          // Unavailable, or anything unforeseen: the carrier may or may not have the order, and
          // asking again under the same id is safe either way.
          await this.retryLater(shipment, error);
        }
        return;
      }
      await this.prisma.$transaction(async (tx) => {
        const [stored] = await tx.shipment.updateManyAndReturn({
          where: { id: shipment.id, trackingNumber: null },
          data: {
            trackingNumber: created.trackingNumber,
            estimatedDeliveryAt: created.estimatedDeliveryAt,
            orderedAt: new Date(),
            nextOrderAt: null,
            lastOrderError: null,
          },
        });
        // Before the carrier's first webhook can be applied (it needs the tracking number just
        // stored), so the origin hears of the resolution before the new parcel moves.
        if (stored) await this.events.publish(tx, await this.resolutionOf(tx, stored));
      });
      logger.info(
        { caseId, carrier: created.carrier, trackingNumber: created.trackingNumber },
        'carrier accepted the parcel',
      );
    });
  }

  private async retryLater(shipment: Shipment, error: unknown): Promise<void> {
    const delayMs = Math.min(
      this.timing.maxRetryMs,
      this.timing.firstRetryMs * 2 ** Math.max(0, shipment.orderAttempts - 1),
    );
    const reason = error instanceof Error ? error.message : String(error);
    this.context.logger.warn(
      {
        caseId: shipment.caseId,
        attempt: shipment.orderAttempts,
        code: error instanceof CarrierError ? error.code : undefined,
        // Carrier errors name the failure, never the addresses; anything else stays in the row.
        reason: error instanceof CarrierError ? reason : undefined,
        retryInMs: delayMs,
      },
      'carrier order failed; ordering again under the same shipment id',
    );
    await this.prisma.shipment.updateMany({
      where: { id: shipment.id, trackingNumber: null, state: 'CREATED' },
      data: {
        nextOrderAt: new Date(Date.now() + delayMs),
        lastOrderError: reason.slice(0, 1_000),
      },
    });
  }

  /**
   * The carrier said no (an address it cannot deliver to, say): asking again changes nothing, so
   * the shipment fails, the origin learns why through ShipmentTracked(FAILED), and an exception
   * opens for a person (ShipmentException).
   */
  private async refused(shipment: Shipment, error: CarrierError): Promise<void> {
    const { carrierCode, field } = error.details;
    const detail = [carrierCode, field].filter((part) => part !== undefined).join('，');
    const refusal = `承运商 ${this.carrier.carrier} 拒绝${detail === '' ? '' : `（${detail}）`}`;
    const description =
      shipment.kind === 'MATERIALS_PICKUP'
        ? `上门取件失败：${refusal}。请核对取件地址后与办理地联系重新安排取件。`
        : `邮寄失败：${refusal}。请核对收件信息后与办理地联系重新寄送。`;
    this.context.logger.warn(
      { caseId: shipment.caseId, code: error.code, carrierCode, field },
      'carrier refused the parcel; shipment failed',
    );
    await this.prisma.$transaction(async (tx) => {
      const failedAt = new Date();
      // Only a still pending order fails: the row lock orders this against a late acceptance.
      const updated = await tx.shipment.updateManyAndReturn({
        where: { id: shipment.id, trackingNumber: null, state: 'CREATED' },
        data: {
          state: 'FAILED',
          failedAt,
          failureCode: error.code,
          failureReason: description,
          lastOrderError: error.message.slice(0, 1_000),
          nextOrderAt: null,
          // A corrected address is a person's to give: RESEND, or CLOSE.
          exception: 'OPEN',
          exceptionReason: description,
          exceptionOpenedAt: failedAt,
        },
      });
      const failed = updated[0];
      if (!failed) return;
      await this.events.publish(tx, [
        ...(await this.resolutionOf(tx, failed)),
        this.events.tracked(failed, {
          state: ProtoShipmentState.SHIPMENT_STATE_FAILED,
          at: failedAt,
          location: '',
          description,
        }),
        this.events.exception(failed),
      ]);
    });
  }

  /**
   * ShipmentExceptionResolved of the parcel `answered` replaces, once the carrier answered the
   * replacement's order: with its tracking number, or without one when the carrier refused it
   * (the replacement's own exception follows). Nothing for a first parcel.
   */
  private async resolutionOf(tx: Tx, answered: Shipment): Promise<OutgoingEvent[]> {
    if (answered.attempt === 1) return [];
    const replaced = await tx.shipment.updateManyAndReturn({
      where: { replacedBy: answered.id, resolutionPublishedAt: null },
      data: { resolutionPublishedAt: new Date() },
    });
    return replaced.map((original) => this.events.exceptionResolved(original, answered));
  }
}
