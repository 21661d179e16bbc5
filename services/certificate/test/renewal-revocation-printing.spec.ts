import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status, type handleUnaryCall } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtoMessageType } from '@tongban/contracts';
import { ApplicantKind, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import {
  CertificateBody,
  CertificateServiceService,
  VerificationResult,
  type Certificate,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import {
  CertificateExpiring,
  CertificateIssued,
  CertificateRevoked,
} from '@tongban/contracts/tongban/certificate/v1/events';
import {
  DirectoryServiceService,
  type GetPartnerCatalogRequest,
  type GetPartnerCatalogResponse,
  type GetPartnerKeysRequest,
  type GetPartnerKeysResponse,
} from '@tongban/contracts/tongban/exchange/v1/directory';
import { CatalogItem } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { CaseApproved } from '@tongban/contracts/tongban/review/v1/events';
import { loadRegion } from '@tongban/domain';
import {
  createKafkaClient,
  decodeEnvelope,
  decodePayload,
  ensureTopics,
  EventProducer,
  newEventMetadata,
  type DecodedEnvelope,
  type OutgoingEvent,
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
  decodeQrCode,
  eventually,
  readTopic,
  testInfrastructure,
  uniqueTopicPrefix,
  type IsolatedDatabase,
} from '@tongban/testing';
import { generateSigningKeyPair, rawPublicKey, sign, type SigningKeyPair } from '@tongban/trust';
import { AppModule } from '../src/app.module';
import { loadCertificateConfig, type CertificateConfig } from '../src/certificate-config';
import { Clock } from '../src/clock';
import { ExpiryReminders } from '../src/expiry/expiry-reminders';

const REGION = '429005';
const PARTNER = '411700';
const repo = path.resolve(__dirname, '../../..');
const DAY_MS = 24 * 60 * 60 * 1000;
/** SMALL_CATERING_LICENSE in deploy/regions/429005.yaml: valid 1095 days, reminded 30 before. */
const CATERING_VALIDITY_DAYS = 1095;
const CATERING_REMIND_DAYS = 30;

/** The real clock, moved to any instant a test needs: "three years later", "just before". */
class MovableClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** From now on the clock reads `instant` (and runs on from there). */
  setTo(instant: Date): void {
    this.offsetMs = instant.getTime() - Date.now();
  }
  reset(): void {
    this.offsetMs = 0;
  }
}

let keysDir: string;
let regionKey: SigningKeyPair;
let partnerKey: SigningKeyPair;
let directory: GrpcHost;
let database: IsolatedDatabase;
let context: ServiceContext<CertificateConfig>;
let producer: EventProducer;
let app: INestApplication;
let certificates: PromiseClient<typeof CertificateServiceService>;
let reminders: ExpiryReminders;
const clock = new MovableClock();

beforeAll(async () => {
  keysDir = await mkdtemp(path.join(tmpdir(), 'certificate-keys-'));
  regionKey = generateSigningKeyPair();
  await mkdir(path.join(keysDir, REGION));
  await writeFile(
    path.join(keysDir, REGION, 'signing.key.pem'),
    regionKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );

  // The region's exchange as far as certificates need it: one partner's published key and the
  // part of its catalog we may send it, including the form's field labels.
  partnerKey = generateSigningKeyPair();
  directory = new GrpcHost(() => true);
  const getPartnerKeys: handleUnaryCall<GetPartnerKeysRequest, GetPartnerKeysResponse> = (
    call,
    callback,
  ) => {
    if (call.request.region !== PARTNER) {
      callback({ code: status.NOT_FOUND, details: `${call.request.region} is not a partner` });
      return;
    }
    callback(null, {
      keys: {
        region: PARTNER,
        keys: [
          {
            keyId: partnerKey.keyId,
            ed25519: rawPublicKey(partnerKey.publicKey),
            validFrom: new Date('2026-01-01T00:00:00Z'),
            validUntil: undefined,
          },
        ],
      },
    });
  };
  const getPartnerCatalog: handleUnaryCall<GetPartnerCatalogRequest, GetPartnerCatalogResponse> = (
    call,
    callback,
  ) => {
    if (call.request.region !== PARTNER) {
      callback({ code: status.NOT_FOUND, details: `${call.request.region} is not a partner` });
      return;
    }
    callback(null, {
      catalog: {
        region: PARTNER,
        regionName: '驻马店市',
        publishedAt: new Date('2026-11-01T00:00:00Z'),
        items: [
          CatalogItem.fromPartial({
            code: 'HOUSEHOLD_TRANSFER',
            name: '户口迁移',
            department: '驻马店市公安局',
            certificateType: '户口迁移证明',
            fields: [
              {
                name: 'move_reason',
                label: '迁移原因',
                required: true,
                values: [{ value: 'JOIN_FAMILY', label: '投靠亲属' }],
              },
              { name: 'destination', label: '迁入地', required: true, values: [] },
            ],
          }),
        ],
      },
    });
  };
  directory.addService(DirectoryServiceService, {
    getPartnerKeys,
    getPartnerCatalog,
    getOwnCatalog: (_call: unknown, callback: (error: { code: status }) => void) => {
      callback({ code: status.UNIMPLEMENTED });
    },
  });
  const directoryPort = await directory.start('127.0.0.1', 0);

  const infrastructure = testInfrastructure();
  database = await createIsolatedDatabase({ purpose: 'certificate-renewal' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  const config = loadCertificateConfig({
    REGION,
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    TONGBAN_KEYS_DIR: keysDir,
    EXCHANGE_DIRECTORY_ADDRESS: `127.0.0.1:${String(directoryPort)}`,
    // Only the start-up sweep runs by itself; the tests sweep when they moved the clock.
    CERTIFICATE_SWEEP_INTERVAL_MS: String(60 * 60_000),
    LOG_LEVEL: 'warn',
  });
  context = new ServiceContext(
    config,
    loadRegion(path.join(repo, `deploy/regions/${REGION}.yaml`)),
  );
  const client = createKafkaClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: 'certificate-renewal-test',
  });
  await ensureTopics(client, [context.naming.events('review')]);
  producer = new EventProducer(client);
  await producer.connect();
  app = await runService(AppModule.forRoot(context, { clock }), context, {
    shutdownHooks: false,
  });
  reminders = app.get(ExpiryReminders);
  certificates = grpcClient(
    CertificateServiceService,
    `127.0.0.1:${String(app.get(GrpcHost).port)}`,
  );
});

afterAll(async () => {
  certificates.close();
  await app.close();
  await producer.disconnect();
  await directory.stop(1_000);
  await database.drop();
  await rm(keysDir, { recursive: true, force: true });
});

const HOLDER_ID = '11010119900307001X';
let sequence = 0;

function approval(
  itemCode: string,
  fields: Record<string, string>,
  holderName = '王某',
): OutgoingEvent<CaseApproved> {
  sequence += 1;
  const caseId = `411700-20261122-${String(sequence).padStart(6, '0')}`;
  return {
    metadata: newEventMetadata({ caseId, region: REGION, service: 'review' }),
    type: CaseApproved,
    payload: CaseApproved.fromPartial({
      caseId,
      originRegion: '411700',
      itemCode,
      applicant: {
        kind: ApplicantKind.APPLICANT_KIND_PERSON,
        identifier: HOLDER_ID,
        name: holderName,
        phone: '13800000000',
      },
      fields,
      delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
      decidedBy: 'qj-reviewer-1',
    }),
  };
}

const eatery = { shop_name: '老王面馆', premises_address: '潜江市园林路 8 号', seats: '24' };
const retiree = {
  withdrawal_reason: 'RETIREMENT',
  account_number: '4290050001',
  bank_account: '6222000011112222',
  bank_name: '中国工商银行潜江支行',
  outstanding_loan: 'NO',
};

/** The events the service enqueued for a case (its outbox: every Kafka effect passes there). */
async function enqueued(caseId: string, typeName: string): Promise<DecodedEnvelope[]> {
  const rows = await database.pool.query<{ payload: Buffer }>(
    'SELECT payload FROM outbox WHERE message_key = $1 ORDER BY id',
    [caseId],
  );
  return rows.rows
    .map((row) => decodeEnvelope(row.payload))
    .filter((envelope) => envelope.typeName === typeName);
}

/** Every event on the service's topic, once the outbox has published all it holds. */
async function published(): Promise<DecodedEnvelope[]> {
  const topic = context.eventsTopic;
  const total = await eventually(async () => {
    const pending = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    expect(pending.rows[0]?.n).toBe(0);
    const all = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE topic = $1',
      [topic],
    );
    return all.rows[0]?.n ?? 0;
  });
  const messages = await readTopic(testInfrastructure().kafkaBrokers, topic, {
    count: total,
    settleMs: 300,
  });
  return messages.map((message) => decodeEnvelope(message.value));
}

async function publishedFor<T>(caseId: string, type: ProtoMessageType<T>): Promise<T[]> {
  return (await published())
    .filter((envelope) => envelope.metadata.caseId === caseId && envelope.typeName === type.$type)
    .map((envelope) => decodePayload(type, envelope));
}

/** Issues a certificate for the approval at the clock's current time. */
async function issue(event: OutgoingEvent<CaseApproved>): Promise<Certificate> {
  await producer.publish(context.naming.events('review'), [event]);
  return eventually(async () => {
    const [issued] = await enqueued(event.metadata.caseId, CertificateIssued.$type);
    expect(issued).toBeDefined();
    return decodePayload(CertificateIssued, issued!).certificate!;
  });
}

/** Issues a certificate as if `daysAgo` days before the clock's current time. */
async function issueDaysAgo(
  daysAgo: number,
  event: OutgoingEvent<CaseApproved>,
): Promise<{ certificate: Certificate; body: CertificateBody }> {
  const offset = clock.offsetMs;
  clock.offsetMs = offset - daysAgo * DAY_MS;
  try {
    const certificate = await issue(event);
    return { certificate, body: CertificateBody.decode(certificate.body) };
  } finally {
    clock.offsetMs = offset;
  }
}

async function remindedAt(certificateId: string): Promise<Date | null> {
  const rows = await database.pool.query<{ reminded_at: Date | null }>(
    'SELECT reminded_at FROM certificate WHERE id = $1',
    [certificateId],
  );
  return rows.rows[0]?.reminded_at ?? null;
}

function reminderDay(body: CertificateBody): Date {
  return new Date(body.validUntil!.getTime() - CATERING_REMIND_DAYS * DAY_MS);
}

async function refusal(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (error: unknown) => error,
  );
}

/** A certificate signed with `key`, as a partner (or a forger) would make it. */
function signedBy(key: SigningKeyPair, body: Partial<CertificateBody>): Certificate {
  const bytes = Buffer.from(
    CertificateBody.encode(
      CertificateBody.fromPartial({
        certificateId: `${body.issuerRegion ?? PARTNER}-CERT-20261101-000007`,
        certificateType: '户口迁移证明',
        caseId: '429005-20261101-000003',
        itemCode: 'HOUSEHOLD_TRANSFER',
        holderName: '李某',
        holderIdentifier: '420102198001010011',
        fields: { move_reason: 'JOIN_FAMILY', destination: '驻马店市驿城区' },
        issuedAt: new Date(Date.now() - DAY_MS),
        validFrom: new Date(Date.now() - DAY_MS),
        verificationCode: 'ABCD1234EFGH',
        ...body,
      }),
    ).finish(),
  );
  return { body: bytes, signature: sign(bytes, key.privateKey), keyId: key.keyId };
}

describe('renewal reminders (无感智办)', () => {
  it('reminds once, with the renewal item, when the clock passes valid_until − remindDaysBefore', async () => {
    const { body } = await issueDaysAgo(0, approval('SMALL_CATERING_LICENSE', eatery));
    expect(body.validUntil!.getTime() - body.issuedAt!.getTime()).toBe(
      CATERING_VALIDITY_DAYS * DAY_MS,
    );
    const due = reminderDay(body);
    try {
      clock.setTo(new Date(due.getTime() - 60_000));
      await reminders.sweep();
      expect(await remindedAt(body.certificateId)).toBeNull();
      expect(await enqueued(body.caseId, CertificateExpiring.$type)).toHaveLength(0);

      clock.setTo(new Date(due.getTime() + 60_000));
      expect(await reminders.sweep()).toBeGreaterThanOrEqual(1);
      const reminded = await remindedAt(body.certificateId);
      expect(reminded!.getTime()).toBeGreaterThanOrEqual(due.getTime());
      // Later sweeps find it reminded already.
      await reminders.sweep();
      clock.setTo(new Date(body.validUntil!.getTime() + DAY_MS));
      await reminders.sweep();
      expect(await remindedAt(body.certificateId)).toEqual(reminded);
    } finally {
      clock.reset();
    }

    expect(await enqueued(body.caseId, CertificateExpiring.$type)).toHaveLength(1);
    const onTopic = await publishedFor(body.caseId, CertificateExpiring);
    expect(onTopic).toEqual([
      {
        caseId: body.caseId,
        originRegion: '411700',
        certificateId: body.certificateId,
        itemCode: 'SMALL_CATERING_LICENSE',
        validUntil: body.validUntil,
        renewalItemCode: 'SMALL_CATERING_RENEWAL',
      },
    ]);
  });

  it('reminds each certificate exactly once when several replicas sweep at the same moment', async () => {
    const issued = [];
    for (let i = 0; i < 5; i += 1) {
      issued.push((await issueDaysAgo(i, approval('SMALL_CATERING_LICENSE', eatery))).body);
    }
    const countReminders = async (): Promise<number> => {
      const rows = await database.pool.query<{ payload: Buffer }>('SELECT payload FROM outbox');
      return rows.rows.filter(
        (row) => decodeEnvelope(row.payload).typeName === CertificateExpiring.$type,
      ).length;
    };
    const before = await countReminders();
    let counts: number[];
    try {
      clock.setTo(new Date(reminderDay(issued[0]!).getTime() + 60_000));
      counts = await Promise.all([reminders.sweep(), reminders.sweep(), reminders.sweep()]);
    } finally {
      clock.reset();
    }
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe((await countReminders()) - before);
    for (const body of issued) {
      expect(await enqueued(body.caseId, CertificateExpiring.$type)).toHaveLength(1);
      expect(await remindedAt(body.certificateId)).not.toBeNull();
    }
  });

  it('does not remind the holder of a revoked certificate', async () => {
    const { body } = await issueDaysAgo(0, approval('SMALL_CATERING_LICENSE', eatery));
    await certificates.revokeCertificate({
      certificateId: body.certificateId,
      reason: '经营者申请注销。',
      revokedBy: 'qj-clerk-1',
    });
    try {
      clock.setTo(new Date(reminderDay(body).getTime() + 60_000));
      await reminders.sweep();
    } finally {
      clock.reset();
    }
    expect(await remindedAt(body.certificateId)).toBeNull();
    expect(await enqueued(body.caseId, CertificateExpiring.$type)).toHaveLength(0);
  });

  it('does not remind holders of items without renewal', async () => {
    const { body } = await issueDaysAgo(
      0,
      approval('FOOD_BUSINESS_LICENSE', {
        business_type: 'CATERING',
        premises_address: '潜江市园林路 1 号',
      }),
    );
    expect(body.validUntil).toBeDefined();
    try {
      // Well past its end of validity.
      clock.setTo(new Date(body.validUntil!.getTime() + 10 * DAY_MS));
      await reminders.sweep();
    } finally {
      clock.reset();
    }
    expect(await remindedAt(body.certificateId)).toBeNull();
    expect(await enqueued(body.caseId, CertificateExpiring.$type)).toHaveLength(0);
  });

  it('lists the certificates in force that expire within a window, soonest first', async () => {
    const sooner = (await issueDaysAgo(20, approval('SMALL_CATERING_LICENSE', eatery))).body;
    const later = (await issueDaysAgo(0, approval('SMALL_CATERING_LICENSE', eatery))).body;
    const revoked = (await issueDaysAgo(10, approval('SMALL_CATERING_LICENSE', eatery))).body;
    await certificates.revokeCertificate({
      certificateId: revoked.certificateId,
      reason: '经营者申请注销。',
      revokedBy: 'qj-clerk-1',
    });
    // Past the reminder day of the sooner one (20 days earlier), not of the later one.
    const now = new Date(reminderDay(sooner).getTime() + 5 * DAY_MS);
    try {
      clock.setTo(now);
      await reminders.sweep();
      const ours = new Set([sooner.certificateId, later.certificateId, revoked.certificateId]);
      const within60 = (await certificates.listExpiring({ withinDays: 60 })).certificates;
      const validUntils = within60.map((entry) => entry.decoded!.validUntil!.getTime());
      expect(validUntils).toEqual([...validUntils].sort((a, b) => a - b));
      const listed = within60.filter((entry) => ours.has(entry.decoded!.certificateId));
      expect(listed.map((entry) => entry.decoded!.certificateId)).toEqual([
        sooner.certificateId,
        later.certificateId,
      ]);
      expect(listed[0]!.remindedAt!.getTime()).toBeGreaterThanOrEqual(now.getTime());
      expect(listed[1]!.remindedAt).toBeUndefined();
      expect(listed[0]!.decoded).toEqual(sooner);

      const within30 = (await certificates.listExpiring({ withinDays: 30 })).certificates;
      expect(within30.map((entry) => entry.decoded!.certificateId)).toContain(sooner.certificateId);
      expect(within30.map((entry) => entry.decoded!.certificateId)).not.toContain(
        later.certificateId,
      );
    } finally {
      clock.reset();
    }
    expect(await refusal(certificates.listExpiring({ withinDays: 0 }))).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'CERTIFICATE.INVALID_WITHIN_DAYS',
    });
  });
});

describe('revocation', () => {
  it('revokes through the API: CertificateRevoked on the topic, verification answers REVOKED', async () => {
    const certificate = await issue(approval('HPF_RETIREMENT_WITHDRAWAL', retiree));
    const body = CertificateBody.decode(certificate.body);
    const answer = await certificates.revokeCertificate({
      certificateId: ` ${body.certificateId} `,
      reason: ' 以欺骗手段取得，依法撤销。 ',
      revokedBy: 'qj-clerk-1',
    });
    expect(answer.revoked).toBe(true);
    expect(answer.decoded).toEqual(body);
    expect(answer.revokedAt).toBeInstanceOf(Date);

    expect(await publishedFor(body.caseId, CertificateRevoked)).toEqual([
      {
        caseId: body.caseId,
        originRegion: '411700',
        certificateId: body.certificateId,
        reason: '以欺骗手段取得，依法撤销。',
        revokedAt: answer.revokedAt,
      },
    ]);
    const verdict = await certificates.verifyCertificate({ certificate });
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_REVOKED);
    expect(verdict.detail).toContain('以欺骗手段取得');
    expect((await certificates.getCertificate({ certificateId: body.certificateId })).revoked).toBe(
      true,
    );

    // Twice is refused, and the first revocation stands as it was.
    const again = await refusal(
      certificates.revokeCertificate({
        certificateId: body.certificateId,
        reason: '重复操作',
        revokedBy: 'qj-clerk-2',
      }),
    );
    expect(again).toBeInstanceOf(GrpcCallError);
    expect(again).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'CERTIFICATE.ALREADY_REVOKED',
    });
    const rows = await database.pool.query(
      'SELECT revoked_by, reason FROM certificate_revocation WHERE certificate_id = $1',
      [body.certificateId],
    );
    expect(rows.rows).toEqual([{ revoked_by: 'qj-clerk-1', reason: '以欺骗手段取得，依法撤销。' }]);
    expect(await enqueued(body.caseId, CertificateRevoked.$type)).toHaveLength(1);
  });

  it('refuses unknown numbers, missing reason or staff account and other issuers’ certificates, changing nothing', async () => {
    const certificate = await issue(approval('HPF_RETIREMENT_WITHDRAWAL', retiree));
    const body = CertificateBody.decode(certificate.body);
    const counts = async () => {
      const rows = await database.pool.query<{ revocations: number; outbox: number }>(
        `SELECT (SELECT count(*)::int FROM certificate_revocation) AS revocations,
                (SELECT count(*)::int FROM outbox) AS outbox`,
      );
      return rows.rows[0];
    };
    const before = await counts();
    const attempts: [Parameters<typeof certificates.revokeCertificate>[0], string, status][] = [
      [
        { certificateId: '429005-CERT-20200101-000001', reason: '注销', revokedBy: 'qj-clerk-1' },
        'CERTIFICATE.NOT_FOUND',
        status.NOT_FOUND,
      ],
      [
        { certificateId: '', reason: '注销', revokedBy: 'qj-clerk-1' },
        'CERTIFICATE.ID_REQUIRED',
        status.INVALID_ARGUMENT,
      ],
      [
        { certificateId: body.certificateId, reason: '  ', revokedBy: 'qj-clerk-1' },
        'CERTIFICATE.REASON_REQUIRED',
        status.INVALID_ARGUMENT,
      ],
      [
        { certificateId: body.certificateId, reason: '理'.repeat(501), revokedBy: 'qj-clerk-1' },
        'CERTIFICATE.REASON_TOO_LONG',
        status.INVALID_ARGUMENT,
      ],
      [
        { certificateId: body.certificateId, reason: '注销', revokedBy: '' },
        'CERTIFICATE.REVOKER_REQUIRED',
        status.INVALID_ARGUMENT,
      ],
      [
        { certificateId: '411700-CERT-20261101-000007', reason: '注销', revokedBy: 'qj-clerk-1' },
        'CERTIFICATE.NOT_ISSUED_HERE',
        status.FAILED_PRECONDITION,
      ],
    ];
    for (const [request, errorCode, grpcCode] of attempts) {
      const refused = await refusal(certificates.revokeCertificate(request));
      expect(refused).toMatchObject({ errorCode, grpcCode });
      expect((refused as Error).message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await counts()).toEqual(before);
    expect((await certificates.verifyCertificate({ certificate })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_VALID,
    );
  });
});

describe('printing', () => {
  it('prints our certificate: escaped values, masked identifier, labels, and a QR code that carries the verification code', async () => {
    const holderName = '王<script>alert("x")</script>&\'';
    const certificate = await issue(
      approval(
        'SMALL_CATERING_LICENSE',
        { ...eatery, shop_name: '老王<img src=x onerror=alert(1)>面馆' },
        holderName,
      ),
    );
    const body = CertificateBody.decode(certificate.body);
    const page = await certificates.renderCertificate({ certificateId: body.certificateId });
    const { html } = page;

    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('王&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).toContain('老王&lt;img src=x onerror=alert(1)&gt;面馆');
    // Nothing is fetched from anywhere: the page prints the same offline.
    expect(html).not.toMatch(/<[^>]+\s(src|href)=/i);

    expect(html).not.toContain(HOLDER_ID);
    expect(html).toContain('110101****001X');
    for (const text of [
      '潜江市（429005）',
      '小餐饮经营许可证',
      body.certificateId,
      '店铺名称',
      '经营场所',
      '就餐座位数',
      '潜江市市场监督管理局',
      '核验结果：有效',
      regionKey.keyId,
      body.verificationCode.match(/.{4}/g)!.join('-'),
      '@page { size: A4;',
      '@media print',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).not.toContain('class="stamp"');

    const payload = `tongban:verify?issuer=${REGION}&code=${body.verificationCode}`;
    expect(page.qrPayload).toBe(payload);
    expect(html).toContain(page.qrSvg);
    expect(decodeQrCode(html)).toBe(payload);

    // What the QR code carries verifies the certificate at its issuer.
    const scanned = new URLSearchParams(payload.slice('tongban:verify?'.length));
    const verdict = await certificates.verifyCertificate({
      code: { issuerRegion: scanned.get('issuer')!, verificationCode: scanned.get('code')! },
    });
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
    expect(verdict.decoded?.certificateId).toBe(body.certificateId);
  });

  it('prints a partner’s certificate after verifying it, with the verdict and the partner’s labels', async () => {
    const partnerCertificate = signedBy(partnerKey, { issuerRegion: PARTNER });
    const page = await certificates.renderCertificate({ certificate: partnerCertificate });
    for (const text of [
      '驻马店市（411700）',
      '户口迁移证明',
      '核验结果：有效',
      '证照有效',
      '驻马店市公安局',
      '迁移原因',
      '投靠亲属',
      '迁入地',
      '420102****0011',
      'ABCD-1234-EFGH',
      partnerKey.keyId,
    ]) {
      expect(page.html).toContain(text);
    }
    expect(page.qrPayload).toBe('tongban:verify?issuer=411700&code=ABCD1234EFGH');
    expect(decodeQrCode(page.html)).toBe(page.qrPayload);

    const expired = signedBy(partnerKey, {
      issuerRegion: PARTNER,
      validUntil: new Date(Date.now() - 1_000),
    });
    const expiredPage = await certificates.renderCertificate({ certificate: expired });
    expect(expiredPage.html).toContain('核验结果：已过期');
    expect(expiredPage.html).toContain('class="stamp"');
  });

  it('stamps a revoked certificate, and refuses to print forgeries and unknown numbers', async () => {
    const certificate = await issue(approval('HPF_RETIREMENT_WITHDRAWAL', retiree));
    const body = CertificateBody.decode(certificate.body);
    await certificates.revokeCertificate({
      certificateId: body.certificateId,
      reason: '以欺骗手段取得，依法撤销。',
      revokedBy: 'qj-clerk-1',
    });
    const revokedPage = await certificates.renderCertificate({ certificate });
    expect(revokedPage.html).toContain('核验结果：已注销');
    expect(revokedPage.html).toContain('以欺骗手段取得');
    expect(revokedPage.html).toContain('class="stamp"');
    // Our catalog's labels, and the label of a chosen value rather than its code.
    expect(revokedPage.html).toContain('提取原因');
    expect(revokedPage.html).toContain('离休或退休');

    const forged = signedBy(generateSigningKeyPair(), { issuerRegion: PARTNER });
    expect(await refusal(certificates.renderCertificate({ certificate: forged }))).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'CERTIFICATE.NOT_AUTHENTIC',
    });
    const stranger = signedBy(generateSigningKeyPair(), { issuerRegion: '110000' });
    expect(await refusal(certificates.renderCertificate({ certificate: stranger }))).toMatchObject({
      errorCode: 'CERTIFICATE.NOT_AUTHENTIC',
    });
    const notOurs = signedBy(regionKey, { issuerRegion: REGION });
    expect(await refusal(certificates.renderCertificate({ certificate: notOurs }))).toMatchObject({
      errorCode: 'CERTIFICATE.NOT_AUTHENTIC',
    });
    expect(
      await refusal(
        certificates.renderCertificate({ certificateId: '429005-CERT-20200101-000001' }),
      ),
    ).toMatchObject({ grpcCode: status.NOT_FOUND, errorCode: 'CERTIFICATE.NOT_FOUND' });
    expect(await refusal(certificates.renderCertificate({}))).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'CERTIFICATE.SUBJECT_REQUIRED',
    });
  });
});

describe('schema', () => {
  it('has a migrated database that matches its Prisma schema', async () => {
    await assertDatabaseMatchesPrismaSchema({
      databaseUrl: database.url,
      schemaPath: path.join(__dirname, '../prisma/schema.prisma'),
      ignoreTables: PLATFORM_TABLES,
    });
  });
});
