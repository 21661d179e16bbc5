import path from 'node:path';
import { migrate } from '@tongban/persistence';
import { migrateServiceDatabase } from '@tongban/service-kit';
import { TRUST_MIGRATIONS_DIR, TRUST_MIGRATIONS_TABLE } from '@tongban/trust';

/** The message log of @tongban/trust first (its own migrations table), then outbox/inbox and ours. */
export async function migrateExchangeDatabase(databaseUrl: string): Promise<string[]> {
  const log = await migrate({
    databaseUrl,
    migrationsDir: TRUST_MIGRATIONS_DIR,
    table: TRUST_MIGRATIONS_TABLE,
  });
  const rest = await migrateServiceDatabase(
    databaseUrl,
    path.resolve(__dirname, '../prisma/migrations'),
  );
  return [...log, ...rest];
}
