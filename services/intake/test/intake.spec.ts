import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicantKind, CaseStatus, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import { CaseForwarded, RemoteStatusChanged } from '@tongban/contracts/tongban/exchange/v1/events';
import { CaseSubmitted, CaseWithdrawn } from '@tongban/contracts/tongban/intake/v1/events';
import {
  IntakeServiceService,
  type Case,
  type SubmitCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import {
  createKafkaClient,
  decodeEnvelope,
  decodePayload,
  DLQ_HEADERS,
  ensureTopics,
  EventProducer,
  newEventMetadata,
  type DecodedEnvelope,
  type OutgoingEvent,
  type TopicNaming,
} from '@tongban/kafka';
import { assertDatabaseMatchesPrismaSchema } from '@tongban/persistence';
import {
  grpcClient,
  GrpcCallError,
  GrpcHost,
  migrateServiceDatabase,
  PLATFORM_TABLES,
  runService,
  ServiceContext,
  type PromiseClient,
} from '@tongban/service-kit';
import {
  createIsolatedDatabase,
  eventually,
  readTopic,
  testInfrastructure,
  uniqueTopicPrefix,
  type IsolatedDatabase,
} from '@tongban/testing';
import { AppModule } from '../src/app.module';
import { IntakeSettings, loadIntakeConfig } from '../src/intake-settings';
import {
  creditCode,
  HANDLER,
  ORIGIN,
  regionFile,
  retireeSubmit,
  scan,
  startDirectory,
  upload,
  withWrongCheckDigit,
} from './support';

let database: IsolatedDatabase;
let app: INestApplication;
let naming: TopicNaming;
let producer: EventProducer;
let intake: PromiseClient<typeof IntakeServiceService>;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let blobDir: string;

beforeAll(async () => {
  const infrastructure = testInfrastructure();
  [database, directory, blobDir] = await Promise.all([
    createIsolatedDatabase({ purpose: 'intake' }),
    startDirectory(),
    fs.mkdtemp(path.join(os.tmpdir(), 'tongban-intake-blobs-')),
  ]);
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  const config = loadIntakeConfig({
    REGION: ORIGIN,
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    LOG_LEVEL: 'warn',
    EXCHANGE_DIRECTORY_ADDRESS: directory.address,
    BLOB_DIR: blobDir,
    // Long enough that the cache never expires during the run (the test counts fetches).
    CATALOG_CACHE_SECONDS: '3600',
    MATERIAL_MAX_BYTES: String(64 * 1024),
    UPLOAD_MAX_BYTES: String(256 * 1024),
  });
  const context = new ServiceContext(config, regionFile(ORIGIN));
  naming = context.naming;
  const client = createKafkaClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: 'intake-test',
  });
  await ensureTopics(client, [naming.events('exchange')]);
  producer = new EventProducer(client);
  await producer.connect();
  app = await runService(AppModule.forRoot(context, IntakeSettings.from(config)), context, {
    shutdownHooks: false,
  });
  intake = grpcClient(IntakeServiceService, `127.0.0.1:${String(app.get(GrpcHost).port)}`);
});

afterAll(async () => {
  intake.close();
  await app.close();
  await producer.disconnect();
  await directory.stop();
  await database.drop();
  await fs.rm(blobDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

async function submit(request: SubmitCaseRequest): Promise<Case> {
  const response = await intake.submitCase(request);
  if (!response.case) throw new Error('SubmitCase answered without a case');
  return response.case;
}

async function refusal(call: Promise<unknown>): Promise<GrpcCallError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrpcCallError);
  return error as GrpcCallError;
}

async function count(table: 'intake_case' | 'case_material' | 'timeline_entry' | 'outbox') {
  const result = await database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(result.rows[0]?.n);
}

async function blobFiles(): Promise<number> {
  const entries = await fs.readdir(blobDir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

async function intakeEvents(caseId: string, atLeast: number): Promise<DecodedEnvelope[]> {
  return eventually(async () => {
    const messages = await readTopic(testInfrastructure().kafkaBrokers, naming.events('intake'), {
      count: 1_000,
      timeoutMs: 1_000,
    });
    const events = messages
      .map((message) => decodeEnvelope(message.value))
      .filter((envelope) => envelope.metadata.caseId === caseId);
    expect(events.length).toBeGreaterThanOrEqual(atLeast);
    return events;
  });
}

/** What the region's exchange publishes about one of our cases. */
function fromExchange<T>(
  caseId: string,
  type: OutgoingEvent<T>['type'],
  payload: T,
): OutgoingEvent<T> {
  return {
    metadata: newEventMetadata({ caseId, region: ORIGIN, service: 'exchange' }),
    type,
    payload,
  };
}

const forwarded = (caseId: string) =>
  fromExchange(caseId, CaseForwarded, {
    caseId,
    handlingRegion: HANDLER,
    messageId: `m-${caseId}`,
    acknowledgedAt: new Date(),
  });

const reported = (
  caseId: string,
  reportedStatus: CaseStatus,
  extra: Partial<RemoteStatusChanged> = {},
) =>
  fromExchange(
    caseId,
    RemoteStatusChanged,
    RemoteStatusChanged.fromPartial({
      caseId,
      handlingRegion: HANDLER,
      status: reportedStatus,
      at: new Date(),
      ...extra,
    }),
  );

async function publish(...events: OutgoingEvent[]): Promise<void> {
  await producer.publish(naming.events('exchange'), events);
}

async function caseWhen(caseId: string, predicate: (found: Case) => boolean): Promise<Case> {
  return eventually(async () => {
    const found = (await intake.getCase({ caseId })).case;
    expect(found && predicate(found)).toBe(true);
    return found!;
  });
}

const S = CaseStatus;

// ---------------------------------------------------------------------------------------------

describe('SubmitCase', () => {
  it('accepts a valid case: case number, rows, blobs on disk, CaseSubmitted with the hashes', async () => {
    const request = retireeSubmit();
    const accepted = await submit(request);

    expect(accepted.caseId).toMatch(/^411700-\d{8}-\d{6}$/);
    expect(accepted).toMatchObject({
      originRegion: ORIGIN,
      handlingRegion: HANDLER,
      itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
      itemName: '离退休提取住房公积金',
      status: S.CASE_STATUS_SUBMITTED,
      submittedBy: 'zmd-window-07',
      completedAt: undefined,
    });
    expect(accepted.timeline.map((entry) => entry.status)).toEqual([S.CASE_STATUS_SUBMITTED]);

    const hashes = request.materials.map((material) =>
      createHash('sha256').update(material.content).digest('hex'),
    );
    expect(accepted.materials.map((material) => material.sha256)).toEqual(hashes);
    for (const [index, hash] of hashes.entries()) {
      const onDisk = await fs.readFile(
        path.join(blobDir, hash.slice(0, 2), hash.slice(2, 4), hash),
      );
      expect(onDisk.equals(request.materials[index]!.content)).toBe(true);
    }

    const [event] = await intakeEvents(accepted.caseId, 1);
    expect(event!.typeName).toBe(CaseSubmitted.$type);
    const submitted = decodePayload(CaseSubmitted, event!);
    expect(submitted).toMatchObject({
      caseId: accepted.caseId,
      originRegion: ORIGIN,
      handlingRegion: HANDLER,
      itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
      fields: request.fields,
    });
    expect(submitted.materials.map((material) => [material.code, material.sha256])).toEqual([
      ['ID_CARD', hashes[0]],
      ['RETIREMENT_PROOF', hashes[1]],
      ['BANK_CARD', hashes[2]],
    ]);
    expect(submitted.materials[0]).toMatchObject({
      name: '居民身份证',
      contentType: 'image/jpeg',
      sizeBytes: request.materials[0]!.content.length,
    });
  });

  it('numbers cases of a day consecutively', async () => {
    const first = await submit(retireeSubmit());
    const second = await submit(retireeSubmit());
    const sequence = (caseId: string) => Number(caseId.slice(-6));
    expect(second.caseId.slice(0, 15)).toBe(first.caseId.slice(0, 15));
    expect(sequence(second.caseId)).toBe(sequence(first.caseId) + 1);
  });

  it('accepts an organisation with a valid credit code, and mail where the item offers it', async () => {
    const accepted = await submit(
      retireeSubmit({
        itemCode: 'PENSION_TRANSFER',
        applicant: {
          kind: ApplicantKind.APPLICANT_KIND_ORGANIZATION,
          identifier: creditCode(),
          name: '驻马店某建筑有限公司',
          phone: '',
        },
        materials: [
          upload('ID_CARD', 'image/jpeg', scan.jpeg()),
          upload('TRANSFER_APPLICATION', 'application/pdf', scan.pdf()),
          upload('CONTRIBUTION_CERTIFICATE', 'application/pdf', scan.pdf()),
        ],
        delivery: {
          method: DeliveryMethod.DELIVERY_METHOD_MAIL,
          address: {
            recipient: '王某',
            phone: '13800000000',
            divisionCode: '411702',
            line: '驿城区某路 1 号',
            postalCode: '463000',
          },
        },
        fields: { transfer_from: '潜江市社会保险事业局' },
      }),
    );
    expect(accepted.delivery?.method).toBe(DeliveryMethod.DELIVERY_METHOD_MAIL);
    expect(accepted.delivery?.address?.divisionCode).toBe('411702');
  });

  it('refuses bad input with its code, writing no row, no event and no blob', async () => {
    const before = {
      cases: await count('intake_case'),
      outbox: await count('outbox'),
      blobs: await blobFiles(),
    };
    const applicant = retireeSubmit().applicant!;
    const cases: [string, SubmitCaseRequest, string, status][] = [
      [
        'wrong ID check digit',
        retireeSubmit({
          applicant: { ...applicant, identifier: withWrongCheckDigit(applicant.identifier) },
        }),
        'INTAKE.INVALID_ID_NUMBER',
        status.INVALID_ARGUMENT,
      ],
      [
        'bad credit code',
        retireeSubmit({
          applicant: {
            kind: ApplicantKind.APPLICANT_KIND_ORGANIZATION,
            identifier: `${creditCode().slice(0, 16)}ZZ`,
            name: '某公司',
            phone: '',
          },
        }),
        'INTAKE.INVALID_CREDIT_CODE',
        status.INVALID_ARGUMENT,
      ],
      [
        'region that is not a partner',
        retireeSubmit({ handlingRegion: '110000' }),
        'INTAKE.UNKNOWN_REGION',
        status.FAILED_PRECONDITION,
      ],
      [
        'unknown item',
        retireeSubmit({ itemCode: 'NO_SUCH_ITEM' }),
        'INTAKE.ITEM_NOT_OFFERED',
        status.FAILED_PRECONDITION,
      ],
      [
        'item outside the agreement (in 429005’s catalog, not for 411700)',
        retireeSubmit({ itemCode: 'FOOD_BUSINESS_LICENSE' }),
        'INTAKE.ITEM_NOT_OFFERED',
        status.FAILED_PRECONDITION,
      ],
      [
        'missing mandatory material',
        retireeSubmit({ materials: [upload('ID_CARD', 'image/jpeg', scan.jpeg())] }),
        'INTAKE.MISSING_MATERIAL',
        status.FAILED_PRECONDITION,
      ],
      [
        'required application field missing',
        retireeSubmit({ fields: { ...retireeSubmit().fields, bank_account: '' } }),
        'INTAKE.MISSING_FIELD',
        status.INVALID_ARGUMENT,
      ],
      [
        'application field value outside its options',
        retireeSubmit({ fields: { ...retireeSubmit().fields, withdrawal_reason: 'MOVING' } }),
        'INTAKE.INVALID_FIELD_VALUE',
        status.INVALID_ARGUMENT,
      ],
      [
        'delivery the item does not offer',
        retireeSubmit({
          delivery: { method: DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP, address: undefined },
        }),
        'INTAKE.DELIVERY_NOT_ALLOWED',
        status.FAILED_PRECONDITION,
      ],
      [
        'mail without an address',
        retireeSubmit({
          itemCode: 'PENSION_TRANSFER',
          delivery: { method: DeliveryMethod.DELIVERY_METHOD_MAIL, address: undefined },
        }),
        'INTAKE.MAIL_ADDRESS_INCOMPLETE',
        status.INVALID_ARGUMENT,
      ],
      [
        'oversized material',
        retireeSubmit({
          materials: [
            upload('ID_CARD', 'image/jpeg', Buffer.concat([scan.jpeg(), Buffer.alloc(64 * 1024)])),
          ],
        }),
        'INTAKE.MATERIAL_TOO_LARGE',
        status.INVALID_ARGUMENT,
      ],
      [
        'content type not accepted',
        retireeSubmit({ materials: [upload('ID_CARD', 'application/zip', scan.pdf())] }),
        'INTAKE.CONTENT_TYPE_NOT_ALLOWED',
        status.INVALID_ARGUMENT,
      ],
      [
        'partner exchange unreachable',
        retireeSubmit({ handlingRegion: '430600', itemCode: 'ANY_ITEM' }),
        'INTAKE.CATALOG_UNAVAILABLE',
        status.UNAVAILABLE,
      ],
    ];
    for (const [what, request, code, grpcStatus] of cases) {
      const error = await refusal(intake.submitCase(request));
      expect({ what, code: error.errorCode, status: error.grpcCode }).toEqual({
        what,
        code,
        status: grpcStatus,
      });
      expect(error.message, what).toMatch(/[\u4e00-\u9fff]/);
    }
    expect({
      cases: await count('intake_case'),
      outbox: await count('outbox'),
      blobs: await blobFiles(),
    }).toEqual(before);
  });

  it('asks the exchange for a partner catalog once and serves the next submits from cache', () => {
    // Every submit above for 429005 used one fetch; 430600 (unreachable) is asked each time.
    expect(directory.calls.get(HANDLER)).toBe(1);
  });

  it('returns the same case for a retried submit, and refuses the key for another case', async () => {
    const request = retireeSubmit({ idempotencyKey: `zmd-window-07:${randomUUID()}` });
    const outboxBefore = await count('outbox');
    const [first, raced] = await Promise.all([submit(request), submit(request)]);
    const retried = await submit(request);
    expect(raced.caseId).toBe(first.caseId);
    expect(retried.caseId).toBe(first.caseId);
    expect(await count('outbox')).toBe(outboxBefore + 1);

    const reused = await refusal(
      intake.submitCase({ ...request, fields: { ...request.fields, outstanding_loan: 'YES' } }),
    );
    expect(reused.errorCode).toBe('INTAKE.IDEMPOTENCY_KEY_REUSED');
    expect(reused.message).toContain(first.caseId);
  });

  it('checks the application fields against the partner’s catalog: the clerk learns every problem, nothing is recorded', async () => {
    const before = { cases: await count('intake_case'), outbox: await count('outbox') };
    const transfer = (fields: Record<string, string>) =>
      retireeSubmit({
        itemCode: 'PENSION_TRANSFER',
        materials: [
          upload('ID_CARD', 'image/jpeg', scan.jpeg()),
          upload('TRANSFER_APPLICATION', 'application/pdf', scan.pdf()),
          upload('CONTRIBUTION_CERTIFICATE', 'application/pdf', scan.pdf()),
        ],
        fields,
      });
    const missing = await refusal(intake.submitCase(transfer({ insured_since: '1998-07' })));
    expect(missing).toMatchObject({
      errorCode: 'INTAKE.MISSING_FIELD',
      grpcCode: status.INVALID_ARGUMENT,
    });
    expect(missing.message).toContain('缺少必填项：转出地社保经办机构（transfer_from）');

    const { bank_account: _left, ...withoutBankAccount } = retireeSubmit().fields;
    const both = await refusal(
      intake.submitCase(
        retireeSubmit({ fields: { ...withoutBankAccount, outstanding_loan: '有' } }),
      ),
    );
    expect(both.errorCode).toBe('INTAKE.MISSING_FIELD');
    expect(both.message).toContain('缺少必填项：收款银行账号（bank_account）');
    expect(both.message).toContain(
      '“是否有未结清的住房公积金贷款”（outstanding_loan）不能填“有”，可选：否（NO）、是（YES）',
    );
    expect({ cases: await count('intake_case'), outbox: await count('outbox') }).toEqual(before);

    const accepted = await submit(transfer({ transfer_from: '驻马店市社会保险中心' }));
    expect(accepted.fields).toEqual({ transfer_from: '驻马店市社会保险中心' });
  });
});

describe('timeline', () => {
  it('follows the handling region’s reports to COMPLETED, keeping the certificate', async () => {
    const { caseId } = await submit(retireeSubmit());
    const certificate = Buffer.from('signed certificate bytes');
    await publish(
      forwarded(caseId),
      reported(caseId, S.CASE_STATUS_RECEIVED),
      reported(caseId, S.CASE_STATUS_UNDER_REVIEW),
      reported(caseId, S.CASE_STATUS_APPROVED, { note: '秒批：准予销户提取' }),
      reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, {
        certificateId: 'QJ-HPF-2026-000123',
        certificate,
      }),
      // A re-sent report (new event id, same status) is stale, not a second entry.
      reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, { certificateId: 'QJ-HPF-2026-000123' }),
      reported(caseId, S.CASE_STATUS_COMPLETED),
    );
    const completed = await caseWhen(caseId, (found) => found.status === S.CASE_STATUS_COMPLETED);
    expect(completed.timeline.map((entry) => entry.status)).toEqual([
      S.CASE_STATUS_SUBMITTED,
      S.CASE_STATUS_FORWARDED,
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_CERTIFICATE_ISSUED,
      S.CASE_STATUS_COMPLETED,
    ]);
    expect(completed.timeline.map((entry) => entry.region)).toEqual([
      ORIGIN,
      ORIGIN,
      HANDLER,
      HANDLER,
      HANDLER,
      HANDLER,
      HANDLER,
    ]);
    expect(completed.timeline[4]?.note).toBe('秒批：准予销户提取');
    expect(completed.timeline[5]?.note).toBe('证照编号 QJ-HPF-2026-000123');
    expect(completed.certificateId).toBe('QJ-HPF-2026-000123');
    // Completed when the handling region says it was.
    expect(completed.completedAt).toEqual(completed.timeline.at(-1)?.at);
    expect(Buffer.from(completed.certificate).equals(certificate)).toBe(true);
  });

  it('takes a report that overtook CaseForwarded as proof of forwarding', async () => {
    const { caseId } = await submit(retireeSubmit());
    await publish(reported(caseId, S.CASE_STATUS_RECEIVED), forwarded(caseId));
    const found = await caseWhen(caseId, (c) => c.status === S.CASE_STATUS_RECEIVED);
    // Let the late CaseForwarded be consumed; it must not add an entry.
    await publish(reported(caseId, S.CASE_STATUS_UNDER_REVIEW));
    const later = await caseWhen(caseId, (c) => c.status === S.CASE_STATUS_UNDER_REVIEW);
    expect(found.timeline.map((entry) => entry.status)).toEqual([
      S.CASE_STATUS_SUBMITTED,
      S.CASE_STATUS_FORWARDED,
      S.CASE_STATUS_RECEIVED,
    ]);
    expect(later.timeline).toHaveLength(4);
  });

  it('applies a second round of 补正 but not a re-sent report of the first', async () => {
    const { caseId } = await submit(retireeSubmit());
    const t = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 1, 0, seconds));
    const firstRequest = reported(caseId, S.CASE_STATUS_SUPPLEMENT_REQUESTED, {
      at: t(3),
      note: '请补交退休证明',
    });
    await publish(
      forwarded(caseId),
      reported(caseId, S.CASE_STATUS_RECEIVED, { at: t(1) }),
      reported(caseId, S.CASE_STATUS_UNDER_REVIEW, { at: t(2) }),
      firstRequest,
      reported(caseId, S.CASE_STATUS_SUPPLEMENTED, { at: t(4) }),
      // The exchange re-sent the first request under a new event id.
      reported(caseId, S.CASE_STATUS_SUPPLEMENT_REQUESTED, { at: t(3), note: '请补交退休证明' }),
      reported(caseId, S.CASE_STATUS_SUPPLEMENT_REQUESTED, { at: t(5), note: '证明不清晰' }),
      reported(caseId, S.CASE_STATUS_SUPPLEMENTED, { at: t(6) }),
      reported(caseId, S.CASE_STATUS_APPROVED, { at: t(7) }),
    );
    const approved = await caseWhen(caseId, (c) => c.status === S.CASE_STATUS_APPROVED);
    expect(approved.timeline.map((entry) => [entry.status, entry.note])).toEqual([
      [S.CASE_STATUS_SUBMITTED, expect.any(String)],
      [S.CASE_STATUS_FORWARDED, expect.any(String)],
      [S.CASE_STATUS_RECEIVED, ''],
      [S.CASE_STATUS_UNDER_REVIEW, ''],
      [S.CASE_STATUS_SUPPLEMENT_REQUESTED, '请补交退休证明'],
      [S.CASE_STATUS_SUPPLEMENTED, ''],
      [S.CASE_STATUS_SUPPLEMENT_REQUESTED, '证明不清晰'],
      [S.CASE_STATUS_SUPPLEMENTED, ''],
      [S.CASE_STATUS_APPROVED, ''],
    ]);
    expect(approved.timeline[4]?.at).toEqual(firstRequest.payload.at);
  });

  it('records a rejection with its reason', async () => {
    const { caseId } = await submit(retireeSubmit());
    await publish(
      forwarded(caseId),
      reported(caseId, S.CASE_STATUS_RECEIVED),
      reported(caseId, S.CASE_STATUS_UNDER_REVIEW),
      reported(caseId, S.CASE_STATUS_REJECTED, { note: '尚有未结清的住房公积金贷款' }),
    );
    const rejected = await caseWhen(caseId, (c) => c.status === S.CASE_STATUS_REJECTED);
    expect(rejected.rejectionReason).toBe('尚有未结清的住房公积金贷款');
  });

  it('refuses an illegal transition: dead-lettered with the reason, the case unchanged', async () => {
    const { caseId } = await submit(retireeSubmit());
    await publish(forwarded(caseId));
    await caseWhen(caseId, (c) => c.status === S.CASE_STATUS_FORWARDED);

    // FORWARDED → APPROVED skips reception and review.
    const illegal = reported(caseId, S.CASE_STATUS_APPROVED);
    await publish(illegal, reported(caseId, S.CASE_STATUS_RECEIVED));
    const received = await caseWhen(caseId, (c) => c.status === S.CASE_STATUS_RECEIVED);
    expect(received.timeline.map((entry) => entry.status)).not.toContain(S.CASE_STATUS_APPROVED);

    const dead = await eventually(async () => {
      const messages = await readTopic(
        testInfrastructure().kafkaBrokers,
        naming.deadLetters('intake'),
        { count: 100, timeoutMs: 1_000 },
      );
      const found = messages.find(
        (message) => decodeEnvelope(message.value).metadata.eventId === illegal.metadata.eventId,
      );
      expect(found).toBeDefined();
      return found!;
    });
    expect(dead.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.REJECTED');
    expect(dead.headers[DLQ_HEADERS.error]).toContain('CASE.ILLEGAL_TRANSITION');
  });
});

describe('WithdrawCase', () => {
  it('withdraws an open case and tells the handling region, in the case’s correlation', async () => {
    const { caseId } = await submit(retireeSubmit());
    const missingReason = await refusal(
      intake.withdrawCase({ caseId, reason: ' ', withdrawnBy: 'zmd-window-07' }),
    );
    expect(missingReason.errorCode).toBe('INTAKE.REASON_REQUIRED');

    const withdrawn = await intake.withdrawCase({
      caseId,
      reason: '申请人已回潜江办理',
      withdrawnBy: 'zmd-window-07',
    });
    expect(withdrawn.case?.status).toBe(S.CASE_STATUS_WITHDRAWN);
    expect(withdrawn.case?.timeline.at(-1)).toMatchObject({
      status: S.CASE_STATUS_WITHDRAWN,
      region: ORIGIN,
      note: '申请人撤回：申请人已回潜江办理',
    });

    const events = await intakeEvents(caseId, 2);
    expect(events.map((event) => event.typeName)).toEqual([
      CaseSubmitted.$type,
      CaseWithdrawn.$type,
    ]);
    expect(decodePayload(CaseWithdrawn, events[1]!)).toEqual({
      caseId,
      handlingRegion: HANDLER,
      reason: '申请人已回潜江办理',
    });
    expect(events[1]!.metadata.correlationId).toBe(events[0]!.metadata.correlationId);

    const again = await refusal(
      intake.withdrawCase({ caseId, reason: '重复', withdrawnBy: 'zmd-window-07' }),
    );
    expect(again).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'CASE.ILLEGAL_TRANSITION',
    });

    // Reports that crossed the withdrawal are expected: handled (in the inbox), not applied, not
    // dead-lettered (a dead-lettered event rolls its inbox row back).
    const crossing = [forwarded(caseId), reported(caseId, S.CASE_STATUS_RECEIVED)];
    await publish(...crossing);
    await eventually(async () => {
      const handled = await database.pool.query('SELECT 1 FROM inbox WHERE event_id = ANY($1)', [
        crossing.map((event) => event.metadata.eventId),
      ]);
      expect(handled.rowCount).toBe(2);
    });
    const after = (await intake.getCase({ caseId })).case;
    expect(after?.status).toBe(S.CASE_STATUS_WITHDRAWN);
    expect(after?.timeline).toHaveLength(2);
  });

  it('answers NOT_FOUND for an unknown case', async () => {
    const error = await refusal(
      intake.withdrawCase({ caseId: '411700-20200101-000001', reason: 'x', withdrawnBy: 'y' }),
    );
    expect(error).toMatchObject({ grpcCode: status.NOT_FOUND, errorCode: 'INTAKE.CASE_NOT_FOUND' });
  });
});

describe('GetCase and ListCases', () => {
  it('lists newest first, filtered by status and handling region, page by page', async () => {
    const all = await intake.listCases({
      statuses: [],
      handlingRegion: '',
      pageSize: 1_000,
      pageToken: '',
      query: '',
      overdueOnly: false,
    });
    const ids = all.cases.map((found) => found.caseId);
    expect(ids).toEqual([...ids].sort().reverse());

    const pages: string[] = [];
    let pageToken = '';
    do {
      const page = await intake.listCases({
        statuses: [],
        handlingRegion: HANDLER,
        pageSize: 3,
        pageToken,
        query: '',
        overdueOnly: false,
      });
      expect(page.cases.length).toBeLessThanOrEqual(3);
      pages.push(...page.cases.map((found) => found.caseId));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(pages).toEqual(ids);

    const completed = await intake.listCases({
      statuses: [S.CASE_STATUS_COMPLETED, S.CASE_STATUS_WITHDRAWN],
      handlingRegion: HANDLER,
      pageSize: 100,
      pageToken: '',
      query: '',
      overdueOnly: false,
    });
    expect(completed.cases.length).toBe(2);
    expect(new Set(completed.cases.map((found) => found.status))).toEqual(
      new Set([S.CASE_STATUS_COMPLETED, S.CASE_STATUS_WITHDRAWN]),
    );
    expect(completed.cases.every((found) => found.timeline.length > 1)).toBe(true);

    const elsewhere = await intake.listCases({
      statuses: [],
      handlingRegion: '430600',
      pageSize: 100,
      pageToken: '',
      query: '',
      overdueOnly: false,
    });
    expect(elsewhere.cases).toEqual([]);

    const badToken = await refusal(
      intake.listCases({
        statuses: [],
        handlingRegion: '',
        pageSize: 10,
        pageToken: 'nope',
        query: '',
        overdueOnly: false,
      }),
    );
    expect(badToken.errorCode).toBe('INTAKE.INVALID_PAGE_TOKEN');
  });

  it('answers NOT_FOUND for an unknown case number', async () => {
    const error = await refusal(intake.getCase({ caseId: '411700-20200101-000001' }));
    expect(error).toMatchObject({ grpcCode: status.NOT_FOUND, errorCode: 'INTAKE.CASE_NOT_FOUND' });
  });
});

describe('database', () => {
  it('has a migrated database that matches its Prisma schema', async () => {
    await assertDatabaseMatchesPrismaSchema({
      databaseUrl: database.url,
      schemaPath: path.join(__dirname, '../prisma/schema.prisma'),
      ignoreTables: PLATFORM_TABLES,
    });
  });
});
