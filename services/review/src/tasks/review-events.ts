import { Inject, Injectable } from '@nestjs/common';
import {
  enqueueEvents,
  newEventMetadata,
  type EventMetadata,
  type OutgoingEvent,
} from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import type { Tx } from './task-store';

/** Review's events, keyed by case id, through the outbox of the business transaction. */
@Injectable()
export class ReviewEvents {
  constructor(@Inject(ServiceContext) private readonly context: ServiceContext) {}

  event<T>(
    cause: EventMetadata | undefined,
    caseId: string,
    type: OutgoingEvent<T>['type'],
    payload: T,
  ): OutgoingEvent {
    return {
      metadata: newEventMetadata({
        caseId,
        region: this.context.regionCode,
        service: this.context.service,
        causedBy: cause,
      }),
      type,
      payload,
    };
  }

  async enqueue(tx: Tx, events: OutgoingEvent[]): Promise<void> {
    await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, events);
  }
}
