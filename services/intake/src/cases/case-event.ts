import { newEventMetadata, type OutgoingEvent } from '@tongban/kafka';
import type { ServiceContext } from '@tongban/service-kit';

/**
 * An event about one case, keyed by its id. Every event after CaseSubmitted carries the case's
 * correlation id, so a trace follows the case across regions.
 */
export function caseEvent<T>(
  context: ServiceContext,
  caseId: string,
  correlationId: string | undefined,
  type: OutgoingEvent<T>['type'],
  payload: T,
): OutgoingEvent {
  return {
    metadata: newEventMetadata({
      caseId,
      region: context.regionCode,
      service: context.service,
      correlationId,
    }),
    type,
    payload,
  };
}
