import {
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';

/** Every span about a case carries its id (never personal data), so Zipkin can find it. */
export const CASE_ID_ATTRIBUTE = 'case.id';

const tracer = trace.getTracer('tongban');

/**
 * Runs `work` inside a new active span that ends when the work settles and records a failure
 * as the span's error status.
 */
export async function withSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
