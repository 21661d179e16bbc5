import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDatabase, resolvePostgres } from '../src/index';
import { since, testPostgres } from './support';

describe('resolvePostgres', () => {
  it('uses DATABASE_URL when set, and leaves that server running on stop', async () => {
    const running = await testPostgres();
    try {
      const server = await resolvePostgres({ env: { DATABASE_URL: running.adminUrl } });
      expect(server).toMatchObject({ source: 'env', adminUrl: running.adminUrl });
      await server.stop();
      const client = new pg.Client({ connectionString: running.adminUrl });
      await client.connect();
      await client.end();
    } finally {
      await running.stop();
    }
  });

  it('says which setting is wrong when DATABASE_URL does not answer, without its password', async () => {
    const resolving = resolvePostgres({
      env: { DATABASE_URL: 'postgresql://intake:hunter2@127.0.0.1:1/postgres' },
    });
    await expect(resolving).rejects.toThrow(
      /^DATABASE_URL \(postgresql:\/\/intake:\*\*\*@127\.0\.0\.1:1\/postgres\) does not answer/,
    );
  });

  // The fallback for machines with neither DATABASE_URL nor a local server: real PostgreSQL
  // binaries from npm, started on a free port with a throw-away cluster.
  it('starts an embedded server, serves a database, and stops it', async () => {
    const start = performance.now();
    const server = await resolvePostgres({ prefer: 'embedded' });
    console.log(`embedded PostgreSQL started in ${since(start)} ms`);
    try {
      expect(server.source).toBe('embedded');
      const url = await createDatabase(server.adminUrl, 'tb_embedded_check');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const result = await client.query<{ server_version: string }>('SHOW server_version');
      await client.end();
      expect(result.rows[0]?.server_version).toMatch(/^\d+\.\d+/);
    } finally {
      await server.stop();
    }
    const probe = new pg.Client({
      connectionString: server.adminUrl,
      connectionTimeoutMillis: 1_000,
    });
    await expect(probe.connect()).rejects.toThrow();
  });
});
