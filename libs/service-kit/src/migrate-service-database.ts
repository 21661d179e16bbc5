import { KAFKA_MIGRATIONS_DIR, KAFKA_MIGRATIONS_TABLE } from '@tongban/kafka';
import { migrate } from '@tongban/persistence';

/** The node-pg-migrate table of a service's own migrations. */
export const SERVICE_MIGRATIONS_TABLE = 'pgmigrations';

/**
 * Brings a service's database up to date: the shared outbox and inbox tables first, then the
 * service's own SQL migrations (next to its schema.prisma). Safe to run from several instances at
 * once (node-pg-migrate locks), and a no-op when nothing is pending.
 */
export async function migrateServiceDatabase(
  databaseUrl: string,
  serviceMigrationsDir: string,
): Promise<string[]> {
  const platform = await migrate({
    databaseUrl,
    migrationsDir: KAFKA_MIGRATIONS_DIR,
    table: KAFKA_MIGRATIONS_TABLE,
  });
  const own = await migrate({
    databaseUrl,
    migrationsDir: serviceMigrationsDir,
    table: SERVICE_MIGRATIONS_TABLE,
  });
  return [...platform, ...own];
}

/** Tables in a service database that belong to the platform, not to its Prisma schema. */
export const PLATFORM_TABLES = [
  'outbox',
  'inbox',
  KAFKA_MIGRATIONS_TABLE,
  SERVICE_MIGRATIONS_TABLE,
];
