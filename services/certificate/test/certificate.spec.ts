import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status, type handleUnaryCall } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicantKind, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import {
  CertificateBody,
  CertificateServiceService,
  VerificationResult,
  type Certificate,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import {
  DirectoryServiceService,
  type GetPartnerKeysRequest,
  type GetPartnerKeysResponse,
} from '@tongban/contracts/tongban/exchange/v1/directory';
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
  eventually,
  readTopic,
  testInfrastructure,
  uniqueTopicPrefix,
  type IsolatedDatabase,
} from '@tongban/testing';
import {
  generateSigningKeyPair,
  rawPublicKey,
  sign,
  verify,
  type SigningKeyPair,
} from '@tongban/trust';
import { AppModule } from '../src/app.module';
import { loadCertificateConfig, type CertificateConfig } from '../src/certificate-config';
import { CertificatesService } from '../src/certificates/certificates.service';
import { Clock } from '../src/clock';

const REGION = '429005';
const PARTNER = '411700';
const repo = path.resolve(__dirname, '../../..');
const DAY_MS = 24 * 60 * 60 * 1000;

/** The real clock, shifted while a test issues certificates "in the past" or "in the future". */
class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

let keysDir: string;
let regionKey: SigningKeyPair;
let partnerKey: SigningKeyPair;
let directory: GrpcHost;
const directoryCalls: string[] = [];
let database: IsolatedDatabase;
let context: ServiceContext<CertificateConfig>;
let producer: EventProducer;
let app: INestApplication;
let certificates: PromiseClient<typeof CertificateServiceService>;
const clock = new ShiftedClock();

beforeAll(async () => {
  // The region's signing key, in the layout the dev PKI makes: <keysDir>/<region>/signing.key.pem.
  keysDir = await mkdtemp(path.join(tmpdir(), 'certificate-keys-'));
  regionKey = generateSigningKeyPair();
  await mkdir(path.join(keysDir, REGION));
  await writeFile(
    path.join(keysDir, REGION, 'signing.key.pem'),
    regionKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );

  // The region's exchange as far as certificates need it: a real DirectoryService that knows
  // one partner's published key and no other region.
  partnerKey = generateSigningKeyPair();
  directory = new GrpcHost(() => true);
  const getPartnerKeys: handleUnaryCall<GetPartnerKeysRequest, GetPartnerKeysResponse> = (
    call,
    callback,
  ) => {
    directoryCalls.push(call.request.region);
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
  directory.addService(DirectoryServiceService, {
    getPartnerKeys,
    getPartnerCatalog: (_call: unknown, callback: (error: { code: status }) => void) => {
      callback({ code: status.UNIMPLEMENTED });
    },
  });
  const directoryPort = await directory.start('127.0.0.1', 0);

  const infrastructure = testInfrastructure();
  database = await createIsolatedDatabase({ purpose: 'certificate' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  const config = loadCertificateConfig({
    REGION,
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    TONGBAN_KEYS_DIR: keysDir,
    EXCHANGE_DIRECTORY_ADDRESS: `127.0.0.1:${String(directoryPort)}`,
    LOG_LEVEL: 'warn',
  });
  context = new ServiceContext(
    config,
    loadRegion(path.join(repo, `deploy/regions/${REGION}.yaml`)),
  );
  const client = createKafkaClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: 'certificate-test',
  });
  await ensureTopics(client, [context.naming.events('review')]);
  producer = new EventProducer(client);
  await producer.connect();
  app = await runService(AppModule.forRoot(context, { clock }), context, {
    shutdownHooks: false,
  });
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

let sequence = 0;
function approval(
  itemCode: string,
  fields: Record<string, string> = {},
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
        identifier: '11010119900307001X',
        name: '王某',
        phone: '13800000000',
      },
      fields,
      delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
      decidedBy: 'rule:retiree-withdrawal',
    }),
  };
}

/** Another delivery of the same approval under a new event id (e.g. review published it twice). */
function redelivered(event: OutgoingEvent<CaseApproved>): OutgoingEvent<CaseApproved> {
  return {
    ...event,
    metadata: newEventMetadata({
      caseId: event.metadata.caseId,
      region: REGION,
      service: 'review',
    }),
  };
}

async function certificateEvents(): Promise<DecodedEnvelope[]> {
  const messages = await readTopic(
    testInfrastructure().kafkaBrokers,
    context.naming.events('certificate'),
    { count: 1_000, timeoutMs: 1_000 },
  );
  return messages.map((message) => decodeEnvelope(message.value));
}

async function issuedFor(
  caseId: string,
): Promise<{ envelope: DecodedEnvelope; issued: CertificateIssued }> {
  return eventually(async () => {
    const envelope = (await certificateEvents()).find(
      (candidate) => candidate.metadata.caseId === caseId,
    );
    expect(envelope).toBeDefined();
    return { envelope: envelope!, issued: decodePayload(CertificateIssued, envelope!) };
  });
}

async function issue(event: OutgoingEvent<CaseApproved>): Promise<Certificate> {
  await producer.publish(context.naming.events('review'), [event]);
  const { issued } = await issuedFor(event.metadata.caseId);
  return issued.certificate!;
}

async function verdict(certificate: Certificate) {
  return certificates.verifyCertificate({ certificate });
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
        issuedAt: new Date(Date.now() - DAY_MS),
        validFrom: new Date(Date.now() - DAY_MS),
        verificationCode: 'ABCD1234EFGH',
        ...body,
      }),
    ).finish(),
  );
  return { body: bytes, signature: sign(bytes, key.privateKey), keyId: key.keyId };
}

const retiree = {
  withdrawal_reason: 'RETIREMENT',
  account_number: '4290050001',
  bank_account: '6222000011112222',
  bank_name: '中国工商银行潜江支行',
  outstanding_loan: 'NO',
};

describe('certificate service', () => {
  let issued: Certificate;

  it('issues one signed certificate per approved case, however often the approval arrives', async () => {
    const event = approval('HPF_RETIREMENT_WITHDRAWAL', retiree);
    await producer.publish(context.naming.events('review'), [event, event, redelivered(event)]);
    const { envelope, issued: payload } = await issuedFor(event.metadata.caseId);
    // Let the duplicates be consumed before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const events = (await certificateEvents()).filter(
      (candidate) => candidate.metadata.caseId === event.metadata.caseId,
    );
    expect(events).toHaveLength(1);
    const rows = await database.pool.query('SELECT id FROM certificate WHERE case_id = $1', [
      event.metadata.caseId,
    ]);
    expect(rows.rowCount).toBe(1);

    expect(envelope.metadata.correlationId).toBe(event.metadata.correlationId);
    expect(envelope.metadata.causationId).toBe(event.metadata.eventId);
    expect(payload.originRegion).toBe('411700');
    expect(payload.delivery?.method).toBe(DeliveryMethod.DELIVERY_METHOD_ELECTRONIC);
    issued = payload.certificate!;
    expect(issued.keyId).toBe(regionKey.keyId);
    expect(verify(issued.body, issued.signature, regionKey.publicKey)).toBe(true);

    const body = CertificateBody.decode(issued.body);
    expect(payload.certificateId).toBe(body.certificateId);
    expect(body).toMatchObject({
      issuerRegion: REGION,
      certificateType: '住房公积金提取业务凭证',
      caseId: event.metadata.caseId,
      itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
      holderName: '王某',
      holderIdentifier: '11010119900307001X',
      fields: retiree,
      validUntil: undefined,
    });
    expect(body.certificateId).toMatch(/^429005-CERT-\d{8}-\d{6}$/);
    expect(body.verificationCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(body.validFrom).toEqual(body.issuedAt);
  });

  it('verifies its own certificate as VALID', async () => {
    const answer = await verdict(issued);
    expect(answer.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
    expect(answer.decoded).toEqual(CertificateBody.decode(issued.body));
    expect(answer.detail).toMatch(/^证照有效：住房公积金提取业务凭证.*长期有效。$/);
  });

  it('finds a certificate by the verification code printed on it', async () => {
    const body = CertificateBody.decode(issued.body);
    // Typed from paper: lower case, in groups of four.
    const typed = body.verificationCode.toLowerCase().match(/.{4}/g)!.join('-');
    const found = await certificates.verifyCertificate({
      code: { issuerRegion: REGION, verificationCode: typed },
    });
    expect(found.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
    expect(found.decoded?.certificateId).toBe(body.certificateId);

    const unknown = await certificates.verifyCertificate({
      code: { issuerRegion: REGION, verificationCode: 'ZZZZ-ZZZZ-ZZZZ' },
    });
    expect(unknown.result).toBe(VerificationResult.VERIFICATION_RESULT_NOT_FOUND);
    expect(unknown.decoded).toBeUndefined();

    const malformed = await certificates
      .verifyCertificate({ code: { issuerRegion: REGION, verificationCode: '12345' } })
      .catch((error: unknown) => error);
    expect(malformed).toBeInstanceOf(GrpcCallError);
    expect(malformed).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'CERTIFICATE.INVALID_VERIFICATION_CODE',
    });

    const elsewhere = await certificates
      .verifyCertificate({
        code: { issuerRegion: PARTNER, verificationCode: body.verificationCode },
      })
      .catch((error: unknown) => error);
    expect(elsewhere).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'CERTIFICATE.CODE_NOT_VERIFIABLE_HERE',
    });

    const nothing = await certificates.verifyCertificate({}).catch((error: unknown) => error);
    expect(nothing).toMatchObject({ errorCode: 'CERTIFICATE.SUBJECT_REQUIRED' });
  });

  it('answers GetCertificate with the signed bytes, and NOT_FOUND for an unknown id', async () => {
    const body = CertificateBody.decode(issued.body);
    const found = await certificates.getCertificate({ certificateId: body.certificateId });
    expect(Buffer.from(found.certificate!.body).equals(Buffer.from(issued.body))).toBe(true);
    expect(found.decoded).toEqual(body);
    expect(found.revoked).toBe(false);

    const missing = await certificates
      .getCertificate({ certificateId: '429005-CERT-20200101-000001' })
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({
      grpcCode: status.NOT_FOUND,
      errorCode: 'CERTIFICATE.NOT_FOUND',
    });
  });

  it('answers BAD_SIGNATURE for a tampered certificate', async () => {
    const body = CertificateBody.decode(issued.body);
    const renamed = Buffer.from(CertificateBody.encode({ ...body, holderName: '张某' }).finish());
    expect((await verdict({ ...issued, body: renamed })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
    );
    const flipped = Buffer.from(issued.body);
    flipped[flipped.length - 1]! ^= 0x01;
    expect((await verdict({ ...issued, body: flipped })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
    );
    // Made up under our name with another key.
    const forged = signedBy(generateSigningKeyPair(), { issuerRegion: REGION });
    expect((await verdict(forged)).result).toBe(
      VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
    );
    const garbage = await verdict({ ...issued, body: Buffer.from([0xff, 0xff, 0xff]) });
    expect(garbage.result).toBe(VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE);
    expect(garbage.decoded).toBeUndefined();
  });

  it('answers NOT_FOUND for a certificate signed with our key that our library never issued', async () => {
    const forged = signedBy(regionKey, { issuerRegion: REGION });
    expect((await verdict(forged)).result).toBe(VerificationResult.VERIFICATION_RESULT_NOT_FOUND);
  });

  it('answers EXPIRED after validityDays, NOT_YET_VALID before valid_from', async () => {
    clock.offsetMs = -6 * 365 * DAY_MS;
    let expired: Certificate;
    let future: Certificate;
    try {
      expired = await issue(
        approval('FOOD_BUSINESS_LICENSE', {
          business_type: 'CATERING',
          premises_address: '潜江市园林路 1 号',
        }),
      );
      clock.offsetMs = 2 * DAY_MS;
      future = await issue(approval('HPF_RETIREMENT_WITHDRAWAL', retiree));
    } finally {
      clock.offsetMs = 0;
    }
    const body = CertificateBody.decode(expired.body);
    expect(body.certificateType).toBe('食品经营许可证');
    expect(body.validUntil!.getTime() - body.validFrom!.getTime()).toBe(1826 * DAY_MS);
    const answer = await verdict(expired);
    expect(answer.result).toBe(VerificationResult.VERIFICATION_RESULT_EXPIRED);
    expect(answer.detail).toMatch(/^证照已过期，有效期至 \d{4}-\d{2}-\d{2}。$/);
    expect((await verdict(future)).result).toBe(
      VerificationResult.VERIFICATION_RESULT_NOT_YET_VALID,
    );
  });

  it('answers REVOKED once the library revoked the certificate', async () => {
    const certificate = await issue(approval('HPF_RETIREMENT_WITHDRAWAL', retiree));
    const body = CertificateBody.decode(certificate.body);
    const library = app.get(CertificatesService);
    await library.revoke({
      certificateId: body.certificateId,
      reason: '以欺骗手段取得，依法撤销。',
      revokedBy: 'qj-clerk-1',
    });
    const answer = await verdict(certificate);
    expect(answer.result).toBe(VerificationResult.VERIFICATION_RESULT_REVOKED);
    expect(answer.detail).toContain('以欺骗手段取得');
    const byCode = await certificates.verifyCertificate({
      code: { issuerRegion: REGION, verificationCode: body.verificationCode },
    });
    expect(byCode.result).toBe(VerificationResult.VERIFICATION_RESULT_REVOKED);
    expect((await certificates.getCertificate({ certificateId: body.certificateId })).revoked).toBe(
      true,
    );
    await expect(
      library.revoke({
        certificateId: body.certificateId,
        reason: '重复',
        revokedBy: 'qj-clerk-2',
      }),
    ).rejects.toMatchObject({ code: 'CERTIFICATE.ALREADY_REVOKED' });
  });

  it('verifies a partner’s certificate with the keys its exchange publishes', async () => {
    const partnerCertificate = signedBy(partnerKey, { issuerRegion: PARTNER });
    const answer = await verdict(partnerCertificate);
    expect(answer.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
    expect(answer.detail).toContain('驻马店市（411700）');
    expect(answer.decoded?.holderName).toBe('李某');

    // Signed by someone else under the partner's name.
    const forged = signedBy(generateSigningKeyPair(), { issuerRegion: PARTNER });
    expect((await verdict(forged)).result).toBe(
      VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
    );
    expect((await verdict({ ...forged, keyId: partnerKey.keyId })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
    );

    const expired = signedBy(partnerKey, {
      issuerRegion: PARTNER,
      validUntil: new Date(Date.now() - 1_000),
    });
    expect((await verdict(expired)).result).toBe(VerificationResult.VERIFICATION_RESULT_EXPIRED);
    // Fetched once, then cached; an unknown key id asks again only after a minimum interval.
    expect(directoryCalls.filter((region) => region === PARTNER)).toHaveLength(1);
  });

  it('answers UNKNOWN_ISSUER for a region that is not a partner', async () => {
    const stranger = signedBy(generateSigningKeyPair(), { issuerRegion: '110000' });
    expect((await verdict(stranger)).result).toBe(
      VerificationResult.VERIFICATION_RESULT_UNKNOWN_ISSUER,
    );
    // 430600 is in our region file, but the exchange knows no keys of it.
    const unpublished = signedBy(generateSigningKeyPair(), { issuerRegion: '430600' });
    expect((await verdict(unpublished)).result).toBe(
      VerificationResult.VERIFICATION_RESULT_UNKNOWN_ISSUER,
    );
    expect(directoryCalls).toContain('430600');
    expect(directoryCalls).not.toContain('110000');
  });

  it('has a migrated database that matches its Prisma schema', async () => {
    await assertDatabaseMatchesPrismaSchema({
      databaseUrl: database.url,
      schemaPath: path.join(__dirname, '../prisma/schema.prisma'),
      ignoreTables: PLATFORM_TABLES,
    });
  });
});
