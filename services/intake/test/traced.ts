// Imported first by a spec that follows traces: OpenTelemetry (spans, W3C propagation, the gRPC
// instrumentation) starts before anything loads grpc-js, as src/instrumentation.ts does for
// main.ts, and exports to the test Zipkin (without an exporter the SDK registers no tracer).
import { startTelemetry } from '@tongban/telemetry';
import { testInfrastructure } from '@tongban/testing';

export const telemetry = startTelemetry({
  service: 'intake',
  // ORIGIN of support.ts, which loads grpc-js and so comes after this.
  region: '411700',
  zipkinUrl: testInfrastructure().zipkinUrl,
});
