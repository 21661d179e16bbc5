export {
  configProblems,
  loadServiceConfig,
  ServiceConfigError,
  sharedSettings,
} from './service-config';
export type { BaseServiceConfig } from './service-config';
export { ServiceClock, ServiceContext } from './service-context';
export { ServiceKitModule } from './service-kit.module';
export { ConsumerHost } from './consumer-host';
export { GrpcHost, unary, toServiceError, isCodedError, ERROR_CODE_METADATA } from './grpc-host';
export type { CodedError } from './grpc-host';
export { Readiness } from './readiness';
export type { ReadinessReport } from './readiness';
export { runService } from './run-service';
export { PinoNestLogger } from './pino-nest-logger';
export { runServiceProcess, type ServiceProcessOptions } from './run-service-process';
export { prismaTransactions } from './prisma-transactions';
export type { PrismaTransactional } from './prisma-transactions';
export {
  migrateServiceDatabase,
  PLATFORM_TABLES,
  SERVICE_MIGRATIONS_TABLE,
} from './migrate-service-database';
export { grpcClient, GrpcCallError } from './grpc-client';
export type { CallOptions, PromiseClient } from './grpc-client';
