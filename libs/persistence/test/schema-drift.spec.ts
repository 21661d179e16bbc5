import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertDatabaseMatchesPrismaSchema,
  compareDatabaseToPrismaSchema,
  createDatabase,
  dropDatabase,
  migrate,
  uniqueDatabaseName,
  type PostgresServer,
  type SchemaDifference,
} from '../src/index';
import { caseDesk, since, testPostgres } from './support';

// Each case clones a database migrated once (CREATE DATABASE … TEMPLATE), breaks one thing with
// SQL, and expects the drift check to name exactly that.
describe('drift check against the case-desk schema', () => {
  let server: PostgresServer;
  let template: string;

  beforeAll(async () => {
    server = await testPostgres();
    template = uniqueDatabaseName('test_drift_template');
    const url = await createDatabase(server.adminUrl, template);
    await migrate({ databaseUrl: url, migrationsDir: caseDesk.migrationsDir });
  });

  afterAll(async () => {
    await dropDatabase(server.adminUrl, template);
    await server.stop();
  });

  /** The differences after applying `change` to a fresh copy of the migrated database. */
  async function differencesAfter(change: string): Promise<SchemaDifference[]> {
    const name = uniqueDatabaseName('test_drift');
    const url = await createDatabase(server.adminUrl, name, { template });
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(change);
      } finally {
        await client.end();
      }
      return await compareDatabaseToPrismaSchema({
        databaseUrl: url,
        schemaPath: caseDesk.schemaPath,
      });
    } finally {
      await dropDatabase(server.adminUrl, name);
    }
  }

  it('finds no difference on the migrated database', async () => {
    const url = await createDatabase(server.adminUrl, uniqueDatabaseName('test_drift'), {
      template,
    });
    const name = new URL(url).pathname.slice(1);
    try {
      const start = performance.now();
      await assertDatabaseMatchesPrismaSchema({
        databaseUrl: url,
        schemaPath: caseDesk.schemaPath,
      });
      console.log(`drift check (schema parse + introspection) took ${since(start)} ms`);
    } finally {
      await dropDatabase(server.adminUrl, name);
    }
  });

  it('reports a missing table', async () => {
    expect(await differencesAfter('DROP TABLE inbox')).toEqual([
      expect.objectContaining({ kind: 'missing-table', table: 'inbox' }),
    ]);
  });

  it('reports a table no model maps to', async () => {
    expect(await differencesAfter('CREATE TABLE audit_note (id INT PRIMARY KEY)')).toEqual([
      expect.objectContaining({ kind: 'extra-table', table: 'audit_note' }),
    ]);
  });

  it('reports a missing column', async () => {
    expect(await differencesAfter('ALTER TABLE outbox DROP COLUMN last_error')).toEqual([
      expect.objectContaining({ kind: 'missing-column', table: 'outbox', column: 'last_error' }),
    ]);
  });

  it('reports a column of the wrong type', async () => {
    expect(
      await differencesAfter(
        'ALTER TABLE outbox ALTER COLUMN headers TYPE json USING headers::json',
      ),
    ).toEqual([
      expect.objectContaining({
        kind: 'column-type',
        table: 'outbox',
        column: 'headers',
        expected: 'jsonb',
        actual: 'json',
      }),
    ]);
  });

  it('reports a timestamp without time zone where the schema says @db.Timestamptz', async () => {
    expect(
      await differencesAfter('ALTER TABLE inbox ALTER COLUMN processed_at TYPE timestamp(3)'),
    ).toEqual([
      expect.objectContaining({
        kind: 'column-type',
        column: 'processed_at',
        expected: 'timestamp(6) with time zone',
        actual: 'timestamp(3) without time zone',
      }),
    ]);
  });

  it('reports wrong nullability', async () => {
    expect(await differencesAfter('ALTER TABLE outbox ALTER COLUMN topic DROP NOT NULL')).toEqual([
      expect.objectContaining({
        kind: 'column-nullability',
        table: 'outbox',
        column: 'topic',
        expected: 'NOT NULL',
        actual: 'nullable',
      }),
    ]);
  });

  it('reports a missing or different default', async () => {
    expect(
      await differencesAfter(
        `ALTER TABLE outbox ALTER COLUMN attempts DROP DEFAULT;
         ALTER TABLE desk_case ALTER COLUMN status SET DEFAULT 'FORWARDED'`,
      ),
    ).toEqual([
      expect.objectContaining({ kind: 'column-default', table: 'desk_case', column: 'status' }),
      expect.objectContaining({ kind: 'column-default', table: 'outbox', column: 'attempts' }),
    ]);
  });

  it('reports a missing unique constraint', async () => {
    expect(
      await differencesAfter('ALTER TABLE outbox DROP CONSTRAINT outbox_event_id_key'),
    ).toEqual([
      expect.objectContaining({ kind: 'missing-unique', table: 'outbox', expected: '(event_id)' }),
    ]);
  });

  it('reports a missing index', async () => {
    expect(await differencesAfter('DROP INDEX desk_case_handler_region_status_idx')).toEqual([
      expect.objectContaining({
        kind: 'missing-index',
        table: 'desk_case',
        expected: '(handler_region, status)',
      }),
    ]);
  });

  it('reports an index the schema does not declare', async () => {
    expect(await differencesAfter('CREATE INDEX outbox_topic_idx ON outbox (topic)')).toEqual([
      expect.objectContaining({ kind: 'extra-index', table: 'outbox' }),
    ]);
  });

  it('reports a missing foreign key', async () => {
    expect(
      await differencesAfter('ALTER TABLE material DROP CONSTRAINT material_case_id_fkey'),
    ).toEqual([
      expect.objectContaining({
        kind: 'missing-foreign-key',
        table: 'material',
        expected: 'material(case_id) → desk_case(id)',
      }),
    ]);
  });

  it('reports a foreign key whose ON DELETE differs from the relation', async () => {
    expect(
      await differencesAfter(
        `ALTER TABLE material DROP CONSTRAINT material_case_id_fkey;
         ALTER TABLE material ADD CONSTRAINT material_case_id_fkey
           FOREIGN KEY (case_id) REFERENCES desk_case (id) ON DELETE RESTRICT`,
      ),
    ).toEqual([
      expect.objectContaining({
        kind: 'foreign-key-action',
        expected: 'ON DELETE CASCADE',
        actual: 'ON DELETE RESTRICT',
      }),
    ]);
  });

  it('reports a different primary key', async () => {
    expect(
      await differencesAfter(
        'ALTER TABLE inbox DROP CONSTRAINT inbox_pkey; ALTER TABLE inbox ADD PRIMARY KEY (event_id)',
      ),
    ).toEqual([
      expect.objectContaining({
        kind: 'primary-key',
        table: 'inbox',
        expected: '(consumer_group, event_id)',
        actual: '(event_id)',
      }),
    ]);
  });

  it('reports enum values that differ', async () => {
    expect(await differencesAfter(`ALTER TYPE case_status ADD VALUE 'ARCHIVED'`)).toEqual([
      expect.objectContaining({
        kind: 'enum-values',
        table: 'case_status',
        actual: expect.stringContaining('ARCHIVED') as unknown,
      }),
    ]);
    expect(
      await differencesAfter(`ALTER TYPE case_status RENAME VALUE 'UNDER_REVIEW' TO 'IN_REVIEW'`),
    ).toEqual([
      expect.objectContaining({
        kind: 'enum-values',
        message: 'enum type "case_status": the database lacks UNDER_REVIEW and has extra IN_REVIEW',
      }),
    ]);
  });

  it('throws one readable line per difference', async () => {
    const name = uniqueDatabaseName('test_drift');
    const url = await createDatabase(server.adminUrl, name, { template });
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('DROP TABLE inbox; ALTER TABLE outbox ALTER COLUMN topic DROP NOT NULL');
      await client.end();
      const failure = assertDatabaseMatchesPrismaSchema({
        databaseUrl: url,
        schemaPath: caseDesk.schemaPath,
      });
      await expect(failure).rejects.toThrow(
        [
          `does not match Prisma schema ${caseDesk.schemaPath} (2 differences):`,
          '  - [column-nullability] column "outbox"."topic" is nullable, the schema expects NOT NULL',
          '  - [missing-table] table "inbox" (model InboxMessage) is missing',
        ].join('\n'),
      );
    } finally {
      await dropDatabase(server.adminUrl, name);
    }
  });
});

// The reference SQL is what `prisma migrate` writes for the schema; the drift check must accept it
// as is, so every type, default and index spelling Prisma uses is covered.
describe('drift check type mapping', () => {
  const typeMapping = {
    schemaPath: path.join(__dirname, 'fixtures', 'type-mapping', 'schema.prisma'),
    sql: path.join(__dirname, 'fixtures', 'type-mapping', 'migration.sql'),
  };
  let server: PostgresServer;

  beforeAll(async () => {
    server = await testPostgres();
  });

  afterAll(async () => {
    await server.stop();
  });

  async function differencesFor(
    sql: string,
    options: { ignoreColumns?: string[] } = {},
  ): Promise<SchemaDifference[]> {
    const name = uniqueDatabaseName('test_drift_types');
    const url = await createDatabase(server.adminUrl, name);
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
      return await compareDatabaseToPrismaSchema({
        databaseUrl: url,
        schemaPath: typeMapping.schemaPath,
        ...options,
      });
    } finally {
      await dropDatabase(server.adminUrl, name);
    }
  }

  it('accepts the SQL prisma migrate writes for every scalar, @db type, list, enum and default', async () => {
    expect(await differencesFor(await readFile(typeMapping.sql, 'utf8'))).toEqual([]);
  });

  it('accepts NOT NULL list columns, which Prisma itself leaves nullable', async () => {
    const sql = await readFile(typeMapping.sql, 'utf8');
    expect(
      await differencesFor(sql.replace('"sla_days" INTEGER[],', '"sla_days" INTEGER[] NOT NULL,')),
    ).toEqual([]);
  });

  it('reports a hash index built as btree and a lost sort order', async () => {
    const sql = (await readFile(typeMapping.sql, 'utf8'))
      .replace('USING HASH ("owner_id")', '("owner_id")')
      .replace('"title" DESC', '"title"');
    expect(await differencesFor(sql)).toEqual([
      expect.objectContaining({
        kind: 'index-mismatch',
        message: expect.stringContaining('has a different sort order') as unknown,
      }),
      expect.objectContaining({
        kind: 'index-mismatch',
        message: expect.stringContaining('uses btree, the schema expects hash') as unknown,
      }),
    ]);
  });

  it('reports columns no field maps to unless told to ignore them (Unsupported types)', async () => {
    const sql = `${await readFile(typeMapping.sql, 'utf8')}
      ALTER TABLE catalogue ADD COLUMN search tsvector;`;
    expect(await differencesFor(sql)).toEqual([
      expect.objectContaining({ kind: 'extra-column', table: 'catalogue', column: 'search' }),
    ]);
    expect(await differencesFor(sql, { ignoreColumns: ['catalogue.search'] })).toEqual([]);
  });
});
