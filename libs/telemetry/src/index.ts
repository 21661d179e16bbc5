export { startTelemetry, REGION_ATTRIBUTE } from './start-telemetry';
export type { Telemetry, TelemetryOptions } from './start-telemetry';
export { createLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { CASE_ID_ATTRIBUTE, withSpan } from './spans';
