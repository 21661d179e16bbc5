import { Inject, Injectable } from '@nestjs/common';
import { enqueueEvents, newEventMetadata, type OutgoingEvent } from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import type { PrismaTx } from '../prisma/prisma.service';

/** Who caused an event: a consumed event, or an envelope (its message id) of a case's correlation. */
export type EventCause =
  | { event: { eventId: string; correlationId: string } }
  | { correlationId: string; causationId: string };

/**
 * The exchange's events, always through the outbox in the caller's transaction. The trace
 * context active at the call is stored with each row, so call this inside the case's context.
 */
@Injectable()
export class ExchangeEvents {
  constructor(@Inject(ServiceContext) private readonly context: ServiceContext) {}

  async publish<T>(
    tx: PrismaTx,
    caseId: string,
    cause: EventCause,
    type: OutgoingEvent<T>['type'],
    payload: T,
  ): Promise<void> {
    const metadata = newEventMetadata({
      caseId,
      region: this.context.regionCode,
      service: this.context.service,
      ...('event' in cause
        ? { causedBy: cause.event }
        : { correlationId: cause.correlationId, causationId: cause.causationId }),
    });
    await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [
      { metadata, type, payload },
    ]);
  }
}
