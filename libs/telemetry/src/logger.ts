import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  region: string;
  level?: string;
  /** Where lines go; standard output by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * Personal data never reaches the logs: these keys are censored wherever they appear one or two
 * levels deep (`applicant.idNumber`, `case.applicant.phone`, ...).
 */
const PERSONAL_DATA_KEYS = [
  'idNumber',
  'id_number',
  'creditCode',
  'phone',
  'mobile',
  'address',
  'applicantName',
  'holderName',
  'holderIdentifier',
  'identifier',
];
const REDACT_PATHS = PERSONAL_DATA_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/**
 * pino JSON logs for one service of one region. Every line carries `trace_id` and `span_id`
 * of the active span, so an operator can jump from a log line to the case's trace in Zipkin.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: options.service, region: options.region },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const context = trace.getActiveSpan()?.spanContext();
        if (!context || !isSpanContextValid(context)) return {};
        return { trace_id: context.traceId, span_id: context.spanId };
      },
    },
    options.destination,
  );
}
