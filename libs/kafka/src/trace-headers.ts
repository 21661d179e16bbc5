import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';

/** Kafka header values as kafkajs hands them over. */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

const headerGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/** W3C `traceparent`/`tracestate` (and baggage) of `from` as plain string headers. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** The trace context a producer put into the headers; the root context when there is none. */
export function contextFromHeaders(headers: KafkaHeaders | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

export function headerString(headers: KafkaHeaders | undefined, key: string): string | undefined {
  const value = headers?.[key];
  if (value === undefined) return undefined;
  return String(Array.isArray(value) ? value[0] : value);
}
