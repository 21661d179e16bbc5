export {
  exportTestInfrastructure,
  readTestInfrastructure,
  testInfrastructure,
  uniqueTopicPrefix,
  TEST_ENV,
} from './test-infrastructure';
export type { TestInfrastructure } from './test-infrastructure';
export { createIsolatedDatabase } from './isolated-database';
export type { IsolatedDatabase } from './isolated-database';
export { produceRaw, readTopic } from './kafka-tools';
export type { RawMessage } from './kafka-tools';
export { spawnTsProcess } from './ts-process';
export type { TsProcess } from './ts-process';
export { eventually } from './eventually';
export { decodeQrCode } from './qr-code';
export {
  startCarrierSimulator,
  type CarrierSimulatorOptions,
  type RunningCarrierSimulator,
} from '@tongban/infra';
