import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertDatabaseMatchesPrismaSchema,
  createDatabase,
  dropDatabase,
  migrate,
  prismaExecutor,
  prismaGenerate,
  uniqueDatabaseName,
  type PostgresServer,
  type PrismaRawSql,
} from '../src/index';
import { caseDesk, since, testPostgres } from './support';

// The generated client is git-ignored and created by this test, so typecheck and lint cannot see
// it: these are the few members the test uses, as the generated client declares them.
interface DeskCaseRow {
  id: string;
  caseNumber: string;
  status: string;
  version: number;
}
interface OutboxRow {
  id: bigint;
  eventId: string;
  topic: string;
  messageKey: string;
  payload: Uint8Array;
  headers: unknown;
  publishedAt: Date | null;
  attempts: number;
}
interface CaseDeskTransaction extends PrismaRawSql {
  deskCase: {
    create(args: {
      data: {
        id: string;
        caseNumber: string;
        originRegion: string;
        handlerRegion: string;
        itemCode: string;
      };
    }): Promise<DeskCaseRow>;
  };
}
interface CaseDeskClient {
  $transaction<T>(work: (tx: CaseDeskTransaction) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
  deskCase: { findUnique(args: { where: { id: string } }): Promise<DeskCaseRow | null> };
  outboxMessage: { findMany(args: { where: { messageKey: string } }): Promise<OutboxRow[]> };
}
type CaseDeskClientClass = new (options: { adapter: PrismaPg }) => CaseDeskClient;

describe('case desk on its own database', () => {
  let server: PostgresServer;
  let name: string;
  let url: string;
  let prisma: CaseDeskClient;

  beforeAll(async () => {
    server = await testPostgres();
    name = uniqueDatabaseName('test_case_desk');
    url = await createDatabase(server.adminUrl, name);
  });

  afterAll(async () => {
    await prisma.$disconnect();
    await dropDatabase(server.adminUrl, name);
    await server.stop();
  });

  it('migrates, and a second run is a no-op', async () => {
    let start = performance.now();
    expect(await migrate({ databaseUrl: url, migrationsDir: caseDesk.migrationsDir })).toHaveLength(
      2,
    );
    console.log(`migrate (2 files) took ${since(start)} ms`);
    start = performance.now();
    expect(await migrate({ databaseUrl: url, migrationsDir: caseDesk.migrationsDir })).toEqual([]);
    console.log(`migrate with nothing pending took ${since(start)} ms`);
  });

  it('matches schema.prisma', async () => {
    await assertDatabaseMatchesPrismaSchema({ databaseUrl: url, schemaPath: caseDesk.schemaPath });
  });

  it('generates the Prisma client offline', async () => {
    const start = performance.now();
    await prismaGenerate(caseDesk.schemaPath);
    console.log(`prisma generate took ${since(start)} ms`);
    const { PrismaClient } = (await import(caseDesk.generatedClient)) as {
      PrismaClient: CaseDeskClientClass;
    };
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  });

  it('writes a case and its outbox event in one transaction, through prismaExecutor', async () => {
    const caseId = randomUUID();
    const eventId = randomUUID();
    await prisma.$transaction(async (tx) => {
      await tx.deskCase.create({
        data: {
          id: caseId,
          caseNumber: `411700-${caseId.slice(0, 8)}`,
          originRegion: '411700',
          handlerRegion: '429005',
          itemCode: 'hpf-withdrawal',
        },
      });
      // The statement the shared outbox writer issues.
      const sql = prismaExecutor(tx);
      const inserted = await sql.query(
        'INSERT INTO outbox (event_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, $5)',
        [
          eventId,
          '411700.intake.events.v1',
          caseId,
          Buffer.from([0x0a, 0x02, 0x08, 0x01]),
          { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        ],
      );
      expect(inserted).toEqual({ rows: [], rowCount: 1 });
    });

    expect(await prisma.deskCase.findUnique({ where: { id: caseId } })).toMatchObject({
      status: 'SUBMITTED',
      version: 0,
    });
    const [outbox] = await prisma.outboxMessage.findMany({ where: { messageKey: caseId } });
    expect(outbox).toMatchObject({
      eventId,
      topic: '411700.intake.events.v1',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      publishedAt: null,
      attempts: 0,
    });
    expect(Buffer.from(outbox!.payload)).toEqual(Buffer.from([0x0a, 0x02, 0x08, 0x01]));
  });

  it('rolls back the case and its outbox event together', async () => {
    const caseId = randomUUID();
    const failure = prisma.$transaction(async (tx) => {
      await tx.deskCase.create({
        data: {
          id: caseId,
          caseNumber: `411700-${caseId.slice(0, 8)}`,
          originRegion: '411700',
          handlerRegion: '430600',
          itemCode: 'business-licence',
        },
      });
      await prismaExecutor(tx).query(
        'INSERT INTO outbox (event_id, topic, message_key, payload) VALUES ($1, $2, $3, $4)',
        [randomUUID(), '411700.intake.events.v1', caseId, Buffer.alloc(0)],
      );
      throw new Error('identity check failed after submit');
    });
    await expect(failure).rejects.toThrow('identity check failed after submit');
    expect(await prisma.deskCase.findUnique({ where: { id: caseId } })).toBeNull();
    expect(await prisma.outboxMessage.findMany({ where: { messageKey: caseId } })).toEqual([]);
  });

  it('reports row counts and rows the way the inbox and the relay read them', async () => {
    const eventId = randomUUID();
    await prisma.$transaction(async (tx) => {
      const sql = prismaExecutor(tx);
      const claim =
        'INSERT INTO inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING';
      expect((await sql.query(claim, ['429005.review', eventId])).rowCount).toBe(1);
      expect((await sql.query(claim, ['429005.review', eventId])).rowCount).toBe(0);
      const selected = await sql.query<{ event_id: string }>(
        '/* relay */ SELECT event_id::text AS event_id FROM inbox WHERE consumer_group = $1',
        ['429005.review'],
      );
      expect(selected).toEqual({ rows: [{ event_id: eventId }], rowCount: 1 });
      const returned = await sql.query<{ attempts: number }>(
        'UPDATE outbox SET attempts = attempts + 1 WHERE published_at IS NULL RETURNING attempts',
      );
      expect(returned.rows).toEqual([{ attempts: 1 }]);
    });
  });
});
