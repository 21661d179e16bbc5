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
 * order. Each test file creates its own, so tests never see each other's rows.
 */
export async function createIsolatedDatabase(
  options: { purpose?: string; migrationsDirs?: string[] } = {},
): Promise<IsolatedDatabase> {
  const { postgresAdminUrl } = testInfrastructure();
  const name = uniqueDatabaseName(`test_${options.purpose ?? 'db'}`);
  const url = await createDatabase(postgresAdminUrl, name);
  for (const [index, migrationsDir] of (options.migrationsDirs ?? []).entries()) {
    await migrate({ databaseUrl: url, migrationsDir, table: `pgmigrations_${index}` });
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
