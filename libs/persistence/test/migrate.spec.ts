import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  dropDatabase,
  migrate,
  uniqueDatabaseName,
  type PostgresServer,
} from '../src/index';
import { caseDesk, testPostgres } from './support';

async function tablesOf(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    return result.rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  let server: PostgresServer;
  const databases: string[] = [];
  let scratchDir: string;

  async function freshDatabase(): Promise<string> {
    const name = uniqueDatabaseName('test_migrate');
    databases.push(name);
    return createDatabase(server.adminUrl, name);
  }

  beforeAll(async () => {
    server = await testPostgres();
    scratchDir = await mkdtemp(path.join(tmpdir(), 'tongban-migrations-'));
  });

  afterEach(async () => {
    for (const name of databases.splice(0)) await dropDatabase(server.adminUrl, name);
  });

  afterAll(async () => {
    await rm(scratchDir, { recursive: true, force: true });
    await server.stop();
  });

  it('applies the SQL files in order, then has nothing left to do', async () => {
    const url = await freshDatabase();
    expect(await migrate({ databaseUrl: url, migrationsDir: caseDesk.migrationsDir })).toEqual([
      '20251122090000000_create_desk_case',
      '20251122090100000_create_outbox_inbox',
    ]);
    expect(await migrate({ databaseUrl: url, migrationsDir: caseDesk.migrationsDir })).toEqual([]);
    expect(await tablesOf(url)).toEqual([
      'desk_case',
      'inbox',
      'material',
      'outbox',
      'pgmigrations',
    ]);
  });

  it('lets concurrent runners queue on the lock: each migration runs once', async () => {
    const url = await freshDatabase();
    const runs = await Promise.all(
      [1, 2, 3].map(() => migrate({ databaseUrl: url, migrationsDir: caseDesk.migrationsDir })),
    );
    expect(runs.flat().sort()).toEqual([
      '20251122090000000_create_desk_case',
      '20251122090100000_create_outbox_inbox',
    ]);
    expect(runs.filter((applied) => applied.length === 0)).toHaveLength(2);
  });

  it('records progress in the table it is given', async () => {
    const url = await freshDatabase();
    await migrate({
      databaseUrl: url,
      migrationsDir: caseDesk.migrationsDir,
      table: 'schema_history',
    });
    expect(await tablesOf(url)).toContain('schema_history');
    expect(await tablesOf(url)).not.toContain('pgmigrations');
  });

  it('ignores files that are not SQL and rolls back every pending file when one fails', async () => {
    const dir = path.join(scratchDir, 'failing');
    await mkdir(dir);
    await writeFile(path.join(dir, 'README.md'), 'Notes about these migrations.\n');
    await writeFile(
      path.join(dir, '20251122100000000_create_partner.sql'),
      '-- Up Migration\nCREATE TABLE partner (region CHAR(6) PRIMARY KEY);\n-- Down Migration\nDROP TABLE partner;\n',
    );
    await writeFile(
      path.join(dir, '20251122100100000_broken.sql'),
      '-- Up Migration\nALTER TABLE partner ADD COLUMN name TEXT NOT NULL DEFAULT;\n',
    );
    const url = await freshDatabase();
    const logged: string[] = [];
    const logger = {
      info: () => undefined,
      warn: logged.push.bind(logged),
      error: logged.push.bind(logged),
    };
    await expect(migrate({ databaseUrl: url, migrationsDir: dir, logger })).rejects.toThrow(
      /syntax error/,
    );
    expect(logged.join('\n')).toContain('Rolling back');
    expect(await tablesOf(url)).not.toContain('partner');
  });
});
