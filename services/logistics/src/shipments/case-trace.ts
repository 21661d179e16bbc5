import { context } from '@opentelemetry/api';
import { contextFromHeaders, traceHeaders } from '@tongban/kafka';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';

/** The W3C traceparent of the active trace, to store with a shipment; null outside any trace. */
export function currentTraceParent(): string | null {
  return traceHeaders().traceparent ?? null;
}

/**
 * Runs `work` in a span of the case's own trace. Carrier orders run from a timer and webhooks
 * arrive from the carrier without our trace context; parenting their spans on the trace stored
 * with the shipment keeps one case one trace, and the outbox rows written inside carry it on.
 */
export function inCaseTrace<T>(
  traceParent: string | null,
  name: string,
  caseId: string,
  work: () => Promise<T>,
): Promise<T> {
  const parent =
    traceParent === null ? context.active() : contextFromHeaders({ traceparent: traceParent });
  return context.with(parent, () =>
    withSpan(name, { attributes: { [CASE_ID_ATTRIBUTE]: caseId } }, work),
  );
}
