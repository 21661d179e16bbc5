import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import { createLogger } from './logger';

export interface TelemetryOptions {
  /** The service, e.g. `intake`; becomes `service.name` (Zipkin shows it as `<region>/<service>`). */
  service: string;
  /** GB/T 2260 code of the region this process serves, e.g. `411700`. */
  region: string;
  /** Zipkin base URL; defaults to `ZIPKIN_URL`. Without one, spans are created but not exported. */
  zipkinUrl?: string;
  version?: string;
}

export interface Telemetry {
  /** Exports every finished span now; call before a short-lived process exits. */
  flush(): Promise<void>;
  /** Flushes and stops the SDK. */
  shutdown(): Promise<void>;
}

export const REGION_ATTRIBUTE = 'tongban.region';

let running: Telemetry | undefined;

/**
 * The first call of every service's main.ts: starts OpenTelemetry with HTTP, gRPC, pg and Prisma
 * instrumentation before those modules are loaded (instrumentation patches modules as they are
 * required), and exports spans to Zipkin. Calling it twice returns the first instance.
 *
 * Kafka is traced by @tongban/kafka itself rather than by the generic kafkajs instrumentation:
 * that instrumentation parents every produced message on the *active* context, so an outbox relay
 * publishing rows written by many requests in one batch would cut each case's trace in two. The
 * Kafka lib parents each message's span on the trace context stored with its outbox row instead.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (running) return running;
  const log = createLogger({ service: options.service, region: options.region }).child({
    component: 'telemetry',
  });
  diag.setLogger(diagLogger(log), DiagLogLevel.WARN);

  const zipkinUrl = options.zipkinUrl ?? process.env.ZIPKIN_URL;
  // One Zipkin "service" per region and service, so a cross-region trace shows both sides apart.
  const serviceName = `${options.region}/${options.service}`;
  const spanProcessors = zipkinUrl
    ? [
        new BatchSpanProcessor({
          exporter: new ZipkinExporter({
            url: new URL('/api/v2/spans', zipkinUrl).toString(),
            serviceName,
          }),
          // Short delay: operators open a case's trace seconds after acting on it.
          scheduledDelayMillis: 500,
          maxExportBatchSize: 512,
          maxQueueSize: 8192,
        }),
      ]
    : [];

  // Traces only, for now: without these the SDK would also export metrics and logs over OTLP to a
  // collector that does not exist here (and log a failure every minute).
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_TRACES_EXPORTER ??= 'none';

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: serviceName,
      [ATTR_SERVICE_VERSION]: options.version ?? '0.0.0',
      'service.namespace': 'tongban',
      [REGION_ATTRIBUTE]: options.region,
    }),
    autoDetectResources: false,
    spanProcessors,
    instrumentations: [
      new HttpInstrumentation({
        // Health probes every few seconds would drown the traces of real cases.
        ignoreIncomingRequestHook: (request) => request.url?.startsWith('/health') ?? false,
      }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new PrismaInstrumentation(),
    ],
  });
  sdk.start();
  log.debug({ zipkinUrl: zipkinUrl ?? null }, 'telemetry started');

  const telemetry: Telemetry = {
    async flush() {
      await Promise.all(spanProcessors.map((processor) => processor.forceFlush()));
    },
    async shutdown() {
      running = undefined;
      await sdk.shutdown();
    },
  };
  running = telemetry;
  return telemetry;
}

function diagLogger(log: ReturnType<typeof createLogger>): DiagLogger {
  return {
    error: (message, ...args) => {
      log.error({ args }, message);
    },
    warn: (message, ...args) => {
      log.warn({ args }, message);
    },
    info: (message, ...args) => {
      log.info({ args }, message);
    },
    debug: (message, ...args) => {
      log.debug({ args }, message);
    },
    verbose: (message, ...args) => {
      log.trace({ args }, message);
    },
  };
}
