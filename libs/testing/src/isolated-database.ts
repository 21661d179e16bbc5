import { Pool } from 'pg';
import { createDatabase, dropDatabase, migrate, uniqueDatabaseName } from '@tongban/persistence';
import { testInfrastructure } from './test-infrastructure';

export interface IsolatedDatabase {
  name: string;
  url: string;
  pool: Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database on the test PostgreSQL server, migrated with the given migration folders in
 * order (each recorded in its own node-pg-migrate table). Each test file creates its own, so tests never see each other's rows.
 */
export async function createIsolatedDatabase(
  options: { purpose?: string; migrations?: { dir: string; table?: string }[] } = {},
): Promise<IsolatedDatabase> {
  const { postgresAdminUrl } = testInfrastructure();
  const name = uniqueDatabaseName(`test_${options.purpose ?? 'db'}`);
  const url = await createDatabase(postgresAdminUrl, name);
  for (const migrations of options.migrations ?? []) {
    await migrate({ databaseUrl: url, migrationsDir: migrations.dir, table: migrations.table });
  }
  const pool = new Pool({ connectionString: url, max: 5 });
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(postgresAdminUrl, name);
    },
  };
}
