export type { SqlExecutor } from './sql-executor';
export {
  resolvePostgres,
  redactPassword,
  type PostgresServer,
  type ResolvePostgresOptions,
} from './postgres-server';
export {
  assertDatabaseName,
  createDatabase,
  databaseNameOf,
  databaseUrl,
  dropDatabase,
  dropStaleTestDatabases,
  ensureDatabase,
  uniqueDatabaseName,
  type CreateDatabaseOptions,
} from './databases';
export { migrate, MIGRATIONS_TABLE, type MigrateOptions, type MigrationLogger } from './migrate';
export {
  pgExecutor,
  prismaExecutor,
  withPgTransaction,
  type PgTransaction,
  type PrismaRawSql,
} from './executors';
export {
  offlinePrismaEnv,
  prismaGenerate,
  runPrismaCli,
  type PrismaGenerateOptions,
} from './prisma-cli';
export { loadPrismaDatamodel, type PrismaDatamodel } from './prisma-datamodel';
export {
  assertDatabaseMatchesPrismaSchema,
  compareDatabaseToPrismaSchema,
  formatSchemaDifferences,
  type CompareDatabaseOptions,
  type SchemaDifference,
  type SchemaDifferenceKind,
} from './schema-drift';
export {
  PgNotificationListener,
  type NotificationListenerLogger,
  type PgNotificationListenerOptions,
} from './notification-listener';
