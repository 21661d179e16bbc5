import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  databaseNameOf,
  databaseUrl,
  dropDatabase,
  dropStaleTestDatabases,
  uniqueDatabaseName,
  type PostgresServer,
} from '../src/index';
import { testPostgres } from './support';

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

/** A pid no process has: above the kernel's pid limit (4194304 at most). */
const DEAD_PID = 4_194_305;

describe('database names and URLs', () => {
  it('builds valid, distinct names that carry purpose and pid', () => {
    const first = uniqueDatabaseName('test intake/411700');
    const second = uniqueDatabaseName('test intake/411700');
    expect(first).toMatch(new RegExp(`^tb_test_intake_411700_${process.pid}_[0-9a-f]{8}$`));
    expect(second).not.toBe(first);
  });

  it('keeps long purposes within the 63-character identifier limit', () => {
    const name = uniqueDatabaseName('test_' + 'certificate_'.repeat(10));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(new RegExp(`_${process.pid}_[0-9a-f]{8}$`));
  });

  it('points a URL at another database, keeping credentials and options', () => {
    const url = databaseUrl(
      'postgresql://svc:s3cret@db.internal:6543/postgres?sslmode=require',
      'tb_x',
    );
    expect(url).toBe('postgresql://svc:s3cret@db.internal:6543/tb_x?sslmode=require');
    expect(databaseNameOf(url)).toBe('tb_x');
  });
});

describe('isolated databases', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await testPostgres();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('creates a database, connects to it, and drops it despite an open session', async () => {
    const name = uniqueDatabaseName('test_databases');
    const url = await createDatabase(server.adminUrl, name);
    const forgotten = new pg.Client({ connectionString: url });
    forgotten.on('error', () => undefined);
    await forgotten.connect();
    const result = await forgotten.query<{ db: string }>('SELECT current_database() AS db');
    expect(result.rows[0]?.db).toBe(name);

    await dropDatabase(server.adminUrl, name);
    expect(await databaseExists(server.adminUrl, name)).toBe(false);
    await forgotten.end().catch(() => undefined);
  });

  it('refuses names that would need quoting or be truncated', async () => {
    await expect(createDatabase(server.adminUrl, 'Robert"); DROP')).rejects.toThrow(
      /Invalid database name/,
    );
    await expect(createDatabase(server.adminUrl, 'a'.repeat(64))).rejects.toThrow(
      /Invalid database name/,
    );
  });

  it('drops test databases of dead processes and keeps those of live ones', async () => {
    const abandoned = `tb_test_killed_run_${DEAD_PID}_${randomBytes(4).toString('hex')}`;
    const mine = uniqueDatabaseName('test_still_running');
    await createDatabase(server.adminUrl, abandoned);
    await createDatabase(server.adminUrl, mine);
    try {
      // A concurrent run's sweep may get to the abandoned database first: check the outcome.
      const dropped = await dropStaleTestDatabases(server.adminUrl);
      expect(dropped).not.toContain(mine);
      expect(await databaseExists(server.adminUrl, abandoned)).toBe(false);
      expect(await databaseExists(server.adminUrl, mine)).toBe(true);
    } finally {
      await dropDatabase(server.adminUrl, abandoned);
      await dropDatabase(server.adminUrl, mine);
    }
  });
});
