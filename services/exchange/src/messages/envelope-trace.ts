import { context, propagation, ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import type { EnvelopeTrace } from './outbound-messages';

/**
 * Runs `work` in a span that continues the trace an envelope carries, so one case is one trace
 * across regions: what the work publishes (outbox rows store the active context) and the calls it
 * makes (gRPC metadata) belong to the sending side's trace. Without a trace context in the
 * envelope, the span is a child of whatever is active.
 */
export function inEnvelopeTrace<T>(
  name: string,
  trace: EnvelopeTrace,
  attributes: { caseId: string; messageId: string; peerRegion: string },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent =
    trace.traceparent === ''
      ? context.active()
      : propagation.extract(ROOT_CONTEXT, {
          traceparent: trace.traceparent,
          ...(trace.tracestate === '' ? {} : { tracestate: trace.tracestate }),
        });
  return context.with(parent, () =>
    withSpan(
      name,
      {
        attributes: {
          [CASE_ID_ATTRIBUTE]: attributes.caseId,
          'tongban.exchange.message_id': attributes.messageId,
          'tongban.exchange.peer_region': attributes.peerRegion,
        },
      },
      work,
    ),
  );
}
