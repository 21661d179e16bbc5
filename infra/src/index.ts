export { startKafka } from './kafka-broker';
export type { KafkaOptions, RunningKafka } from './kafka-broker';
export { startZipkin } from './zipkin-server';
export type { RunningZipkin, ZipkinOptions } from './zipkin-server';
export { cacheRoot, resolveMavenArtifacts } from './maven-artifacts';
export type { ResolvedArtifacts } from './maven-artifacts';
export { waitForBroker } from './wait-for-broker';
export {
  startCarrierSimulator,
  type CarrierSimulatorOptions,
  type RunningCarrierSimulator,
} from './carrier-simulator/carrier-simulator';
export {
  DevPkiError,
  REGION_PKI_FILES,
  defaultKeysDir,
  ensureDevPki,
  ensureRegionPki,
  exchangeIdentity,
  issueRogueCertificate,
  regionPkiFiles,
  type DevPkiErrorCode,
  type RegionPki,
  type RegionPkiFiles,
  type RogueCertificate,
} from './dev-pki';
export { startRegionStack, formatLine, REGION_SERVICES } from './region-stack';
export type {
  RegionService,
  RegionStackOptions,
  RunningRegionStack,
  RegionEndpoints,
  ServiceEndpoints,
  CarrierEndpoint,
} from './region-stack';
export { ensureDemoStaff, startConsoleProcess } from './console-process';
export type { ConsoleProcessOptions, DemoAccount, RunningConsole } from './console-process';
