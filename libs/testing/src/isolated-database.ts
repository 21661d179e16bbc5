import { Client, Pool } from 'pg';
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
      // Let connections of other pools on this database (a service under test) finish closing:
      // a forced drop would terminate them mid-close, and node-postgres reports that as an
      // unhandled error in the test run.
      await sessionsClosed(postgresAdminUrl, name, 5_000);
      await dropDatabase(postgresAdminUrl, name);
    },
  };
}

async function sessionsClosed(
  adminUrl: string,
  database: string,
  timeoutMs: number,
): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const open = await admin.query<{ count: string }>(
        'SELECT count(*) FROM pg_stat_activity WHERE datname = $1',
        [database],
      );
      if (Number(open.rows[0]?.count ?? 0) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await admin.end();
  }
}
