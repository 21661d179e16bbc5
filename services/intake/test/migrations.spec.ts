import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicantKind, Channel, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import { migrateServiceDatabase } from '@tongban/service-kit';
import { createIsolatedDatabase, type IsolatedDatabase } from '@tongban/testing';
import { creditCode, HANDLER, ORIGIN, residentId } from './support';

const MIGRATIONS = path.join(__dirname, '../prisma/migrations');
/** The first migration that keeps what the console reads in columns of their own. */
const CONSOLE_READS = '20261205090000000_intake-console-reads';

let database: IsolatedDatabase;
let before: string;

beforeAll(async () => {
  database = await createIsolatedDatabase({ purpose: 'intake-migrations' });
  // The database as it was before: every migration up to the console's.
  before = await fs.mkdtemp(path.join(os.tmpdir(), 'tongban-intake-migrations-'));
  for (const file of await fs.readdir(MIGRATIONS)) {
    if (file < CONSOLE_READS)
      await fs.copyFile(path.join(MIGRATIONS, file), path.join(before, file));
  }
  await migrateServiceDatabase(database.url, before);
});

afterAll(async () => {
  await database.drop();
  await fs.rm(before, { recursive: true, force: true });
});

const submitted = (caseId: string, overrides: Partial<CaseSubmitted>) =>
  Buffer.from(
    CaseSubmitted.encode(
      CaseSubmitted.fromPartial({
        caseId,
        originRegion: ORIGIN,
        handlingRegion: HANDLER,
        itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
        // Around the fields read: nested messages, repeated ones and a map to step over.
        materials: [
          { code: 'ID_CARD', name: '居民身份证', sha256: 'a'.repeat(64), sizeBytes: 300_000 },
          { code: 'BANK_CARD', name: '银行卡', sha256: 'b'.repeat(64), sizeBytes: 70_000 },
        ],
        delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
        fields: { withdrawal_reason: 'RETIREMENT', bank_name: '中国工商银行潜江支行' },
        ...overrides,
      }),
    ).finish(),
  );

async function insertCase(
  caseId: string,
  status: 'SUBMITTED' | 'COMPLETED',
  submission: Buffer,
  submittedAt: Date,
): Promise<void> {
  await database.pool.query(
    `INSERT INTO intake_case (id, handling_region, item_code, item_name, status, submission,
       submitted_at, submitted_by, request_sha256, correlation_id, updated_at)
     VALUES ($1, $2, 'HPF_RETIREMENT_WITHDRAWAL', '离退休提取住房公积金', $3, $4, $5,
       'zmd-window-07', $6, $1, now())`,
    [caseId, HANDLER, status, submission, submittedAt, 'c'.repeat(64)],
  );
}

describe('migration of the cases accepted before', () => {
  it('takes channel, applicant, completion and trace from what was stored with them', async () => {
    const traced = `${ORIGIN}-20261201-000001`;
    const untraced = `${ORIGIN}-20261201-000002`;
    const submittedAt = new Date('2026-12-01T01:00:00.000Z');
    const completedAt = new Date('2026-12-03T07:30:00.000Z');
    const person = residentId('41170219900101007');
    const organization = creditCode('MA7K2P0C');
    await insertCase(
      traced,
      'COMPLETED',
      submitted(traced, {
        applicant: {
          kind: ApplicantKind.APPLICANT_KIND_PERSON,
          identifier: person,
          name: '欧阳某',
          phone: '13800000000',
        },
        channel: Channel.CHANNEL_TERMINAL,
      }),
      submittedAt,
    );
    await insertCase(
      untraced,
      'SUBMITTED',
      submitted(untraced, {
        applicant: {
          kind: ApplicantKind.APPLICANT_KIND_ORGANIZATION,
          identifier: organization,
          name: '驻马店某建材有限公司',
          phone: '',
        },
        channel: Channel.CHANNEL_ONLINE,
      }),
      submittedAt,
    );
    await database.pool.query(
      `INSERT INTO timeline_entry (case_id, status, at, region) VALUES
         ($1, 'SUBMITTED', $2, $4), ($1, 'COMPLETED', $3, $5), ($6, 'SUBMITTED', $2, $4)`,
      [traced, submittedAt, completedAt, ORIGIN, HANDLER, untraced],
    );
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await database.pool.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload, headers) VALUES
         (gen_random_uuid(), 'intake', $1, '\\x00', $2), (gen_random_uuid(), 'intake', $1, '\\x00', $3),
         (gen_random_uuid(), 'intake', $4, '\\x00', $5)`,
      [
        traced,
        {
          traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
          'tongban-event-type': CaseSubmitted.$type,
        },
        // A later event of the case, in another trace: not the one the case was accepted in.
        {
          traceparent: `00-${'1'.repeat(32)}-00f067aa0ba902b7-01`,
          'tongban-event-type': 'tongban.intake.v1.CaseWithdrawn',
        },
        untraced,
        { 'tongban-event-type': CaseSubmitted.$type },
      ],
    );

    expect(await migrateServiceDatabase(database.url, MIGRATIONS)).toEqual([CONSOLE_READS]);

    const rows = await database.pool.query<Record<string, unknown>>(
      `SELECT id, channel::text AS channel, applicant_identifier, applicant_name, completed_at,
              trace_id
         FROM intake_case ORDER BY id`,
    );
    expect(rows.rows).toEqual([
      {
        id: traced,
        channel: 'TERMINAL',
        applicant_identifier: person,
        applicant_name: '欧阳某',
        completed_at: completedAt,
        trace_id: traceId,
      },
      {
        id: untraced,
        channel: 'ONLINE',
        applicant_identifier: organization,
        applicant_name: '驻马店某建材有限公司',
        completed_at: null,
        trace_id: '',
      },
    ]);
  });
});
