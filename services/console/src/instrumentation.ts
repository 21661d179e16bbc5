// Imported first by main.ts: instrumentation must patch http, grpc and pg before they load.
import { startTelemetry } from '@tongban/telemetry';

export const telemetry = startTelemetry({ service: 'console', region: 'console' });
