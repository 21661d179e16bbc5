import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { createIsolatedDatabase, testInfrastructure } from '../src';

describe('createIsolatedDatabase', () => {
  it('gives each caller its own migrated database and drops it afterwards', async () => {
    const migrations = mkdtempSync(path.join(tmpdir(), 'tongban-migrations-'));
    writeFileSync(
      path.join(migrations, '20261122000000000_window.sql'),
      '-- Up Migration\nCREATE TABLE service_window (code TEXT PRIMARY KEY);\n-- Down Migration\nDROP TABLE service_window;\n',
    );
    const first = await createIsolatedDatabase({
      purpose: 'isolation',
      migrations: [{ dir: migrations }],
    });
    const second = await createIsolatedDatabase({
      purpose: 'isolation',
      migrations: [{ dir: migrations }],
    });
    try {
      expect(first.name).not.toBe(second.name);
      await first.pool.query("INSERT INTO service_window VALUES ('411700-01')");
      const seen = await second.pool.query('SELECT count(*)::int AS n FROM service_window');
      expect(seen.rows[0]).toEqual({ n: 0 });
    } finally {
      await first.drop();
      await second.drop();
    }
    const admin = new Client({ connectionString: testInfrastructure().postgresAdminUrl });
    await admin.connect();
    try {
      const left = await admin.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [
        [first.name, second.name],
      ]);
      expect(left.rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });
});
