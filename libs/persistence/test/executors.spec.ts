import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  dropDatabase,
  migrate,
  pgExecutor,
  uniqueDatabaseName,
  withPgTransaction,
  type PostgresServer,
} from '../src/index';
import { caseDesk, testPostgres } from './support';

describe('withPgTransaction', () => {
  let server: PostgresServer;
  let name: string;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await testPostgres();
    name = uniqueDatabaseName('test_executors');
    const url = await createDatabase(server.adminUrl, name);
    await migrate({ databaseUrl: url, migrationsDir: caseDesk.migrationsDir });
    pool = new pg.Pool({ connectionString: url, max: 2 });
  });

  afterAll(async () => {
    await pool.end();
    await dropDatabase(server.adminUrl, name);
    await server.stop();
  });

  const claim =
    'INSERT INTO inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING';

  it('commits what the work wrote and reports row counts', async () => {
    const eventId = randomUUID();
    const counts = await withPgTransaction(pool, async (tx) => [
      (await tx.query(claim, ['429005.review', eventId])).rowCount,
      (await tx.query(claim, ['429005.review', eventId])).rowCount,
    ]);
    expect(counts).toEqual([1, 0]);
    const seen = await pgExecutor(pool).query(
      'SELECT consumer_group FROM inbox WHERE event_id = $1',
      [eventId],
    );
    expect(seen).toEqual({ rows: [{ consumer_group: '429005.review' }], rowCount: 1 });
  });

  it('rolls back everything when the work throws, and returns the connection', async () => {
    const eventId = randomUUID();
    await expect(
      withPgTransaction(pool, async (tx) => {
        await tx.query(claim, ['429005.review', eventId]);
        throw new Error('decision rejected by rules');
      }),
    ).rejects.toThrow('decision rejected by rules');
    const rows = await withPgTransaction(pool, (tx) =>
      tx.query('SELECT 1 FROM inbox WHERE event_id = $1', [eventId]),
    );
    expect(rows.rowCount).toBe(0);
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });

  it('gives the work its connection for what SqlExecutor does not cover', async () => {
    const level = await withPgTransaction(pool, async (tx) => {
      await tx.client.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
      const result = await tx.client.query<{ transaction_isolation: string }>(
        'SHOW transaction_isolation',
      );
      return result.rows[0]?.transaction_isolation;
    });
    expect(level).toBe('serializable');
  });
});
