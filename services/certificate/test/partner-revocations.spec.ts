import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimelineKind } from '@tongban/contracts/tongban/case/v1/case';
import {
  CertificateBody,
  CertificateServiceService,
  VerificationResult,
  type Certificate,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { RemoteNotice } from '@tongban/contracts/tongban/exchange/v1/events';
import type { CaseNotice } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { loadRegion } from '@tongban/domain';
import {
  createKafkaClient,
  ensureTopics,
  EventProducer,
  newEventMetadata,
  type OutgoingEvent,
} from '@tongban/kafka';
import {
  grpcClient,
  GrpcHost,
  migrateServiceDatabase,
  runService,
  ServiceContext,
  type PromiseClient,
} from '@tongban/service-kit';
import {
  createIsolatedDatabase,
  eventually,
  testInfrastructure,
  uniqueTopicPrefix,
  type IsolatedDatabase,
} from '@tongban/testing';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '@tongban/trust';
import { AppModule } from '../src/app.module';
import { loadCertificateConfig, type CertificateConfig } from '../src/certificate-config';
import type { IssuerKeys, PartnerKeyDirectory } from '../src/verification/partner-key-directory';

/** The origin region: its window took the cases, a partner handled them and issued. */
const REGION = '411700';
/** The handling region that issues (and revokes) the certificates. */
const PARTNER = '429005';
/** Another partner, which must not be able to revoke PARTNER's certificates. */
const OTHER_PARTNER = '430600';
const repo = path.resolve(__dirname, '../../..');
const DAY_MS = 24 * 60 * 60 * 1000;

let keysDir: string;
let partnerKey: SigningKeyPair;
let database: IsolatedDatabase;
let context: ServiceContext<CertificateConfig>;
let producer: EventProducer;
let app: INestApplication;
let certificates: PromiseClient<typeof CertificateServiceService>;

/** The partners' published keys, as our exchange would hand them over. */
class PublishedKeys implements PartnerKeyDirectory {
  private readonly keys = new Map<string, IssuerKeys>();
  publish(region: string, key: SigningKeyPair): void {
    this.keys.set(region, new Map([[key.keyId, { keyId: key.keyId, publicKey: key.publicKey }]]));
  }
  keysOf(region: string): Promise<IssuerKeys | undefined> {
    return Promise.resolve(this.keys.get(region));
  }
}

beforeAll(async () => {
  keysDir = await mkdtemp(path.join(tmpdir(), 'certificate-partner-revocations-'));
  await mkdir(path.join(keysDir, REGION));
  await writeFile(
    path.join(keysDir, REGION, 'signing.key.pem'),
    generateSigningKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  partnerKey = generateSigningKeyPair();
  const published = new PublishedKeys();
  published.publish(PARTNER, partnerKey);
  published.publish(OTHER_PARTNER, generateSigningKeyPair());

  const infrastructure = testInfrastructure();
  database = await createIsolatedDatabase({ purpose: 'certificate-partner-revocations' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  const config = loadCertificateConfig({
    REGION,
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    TONGBAN_KEYS_DIR: keysDir,
    // Keys and catalogs are given directly; nothing listens here.
    EXCHANGE_DIRECTORY_ADDRESS: '127.0.0.1:1',
    LOG_LEVEL: 'warn',
  });
  context = new ServiceContext(
    config,
    loadRegion(path.join(repo, `deploy/regions/${REGION}.yaml`)),
  );
  const client = createKafkaClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: 'certificate-partner-revocations-test',
  });
  await ensureTopics(client, [context.naming.events('exchange')]);
  producer = new EventProducer(client);
  await producer.connect();
  app = await runService(
    AppModule.forRoot(context, {
      partnerKeys: published,
      partnerCatalogs: { itemOf: () => Promise.resolve(undefined) },
    }),
    context,
    { shutdownHooks: false },
  );
  certificates = grpcClient(
    CertificateServiceService,
    `127.0.0.1:${String(app.get(GrpcHost).port)}`,
  );
});

afterAll(async () => {
  certificates.close();
  await app.close();
  await producer.disconnect();
  await database.drop();
  await rm(keysDir, { recursive: true, force: true });
});

let sequence = 0;

/** A certificate the partner issued for a case from our window, as the holder presents it. */
function partnerCertificate(): {
  certificate: Certificate;
  body: CertificateBody;
} {
  sequence += 1;
  const number = String(sequence).padStart(6, '0');
  const body = CertificateBody.fromPartial({
    certificateId: `${PARTNER}-CERT-20261101-${number}`,
    issuerRegion: PARTNER,
    certificateType: '小餐饮经营许可证',
    caseId: `${REGION}-20261101-${number}`,
    itemCode: 'SMALL_CATERING_LICENSE',
    holderName: '王某',
    holderIdentifier: '11010119900307001X',
    fields: { shop_name: '老王面馆' },
    issuedAt: new Date(Date.now() - DAY_MS),
    validFrom: new Date(Date.now() - DAY_MS),
    validUntil: new Date(Date.now() + 1000 * DAY_MS),
    verificationCode: 'ABCD1234EFGH',
  });
  return { certificate: signedBy(body, partnerKey), body };
}

function signedBy(body: CertificateBody, key: SigningKeyPair): Certificate {
  const bytes = Buffer.from(CertificateBody.encode(body).finish());
  return { body: bytes, signature: sign(bytes, key.privateKey), keyId: key.keyId };
}

/** What our exchange publishes when the handling region sent a notice of the case. */
function remoteNotice(
  body: CertificateBody,
  notice: Partial<CaseNotice>,
  handlingRegion = PARTNER,
): OutgoingEvent<RemoteNotice> {
  return {
    metadata: newEventMetadata({ caseId: body.caseId, region: REGION, service: 'exchange' }),
    type: RemoteNotice,
    payload: RemoteNotice.fromPartial({ caseId: body.caseId, handlingRegion, notice }),
  };
}

function revocationNotice(
  body: CertificateBody,
  reason: string,
  handlingRegion = PARTNER,
): OutgoingEvent<RemoteNotice> {
  return remoteNotice(
    body,
    {
      kind: TimelineKind.TIMELINE_KIND_CERTIFICATE_REVOKED,
      at: new Date('2026-11-20T03:00:00Z'),
      note: reason,
      certificateId: body.certificateId,
    },
    handlingRegion,
  );
}

async function publish(...events: OutgoingEvent<RemoteNotice>[]): Promise<void> {
  await producer.publish(context.naming.events('exchange'), events);
}

interface RevocationRow {
  issuer_region: string;
  certificate_id: string;
  revoked_at: Date;
  reason: string;
  case_id: string;
  exchange_event_id: string;
}

async function revocationsOf(certificateId: string): Promise<RevocationRow[]> {
  const rows = await database.pool.query<RevocationRow>(
    `SELECT issuer_region, certificate_id, revoked_at, reason, case_id, exchange_event_id
       FROM partner_certificate_revocation WHERE certificate_id = $1 ORDER BY issuer_region`,
    [certificateId],
  );
  return rows.rows;
}

async function inboxRows(eventId: string): Promise<number> {
  const rows = await database.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM inbox WHERE event_id = $1',
    [eventId],
  );
  return rows.rows[0]?.n ?? 0;
}

/**
 * Publishes a revocation of a fresh certificate under the case id of `caseBody` (same partition,
 * so consumed after everything published before for that case) and waits until it is recorded.
 */
async function afterEverythingBefore(caseBody: CertificateBody): Promise<void> {
  const { body } = partnerCertificate();
  const marker = revocationNotice({ ...body, caseId: caseBody.caseId }, '标记');
  await publish(marker);
  await eventually(async () => {
    expect(await revocationsOf(body.certificateId)).toHaveLength(1);
  });
}

describe('partners’ revocations learned over the exchange', () => {
  it('answers REVOKED for a partner’s certificate once its issuer’s notice arrived, and prints the stamp', async () => {
    const { certificate, body } = partnerCertificate();
    expect((await certificates.verifyCertificate({ certificate })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_VALID,
    );

    const notice = revocationNotice(body, '经营场所已变更，依申请注销。');
    await publish(notice);
    const verdict = await eventually(async () => {
      const answer = await certificates.verifyCertificate({ certificate });
      expect(answer.result).toBe(VerificationResult.VERIFICATION_RESULT_REVOKED);
      return answer;
    });
    expect(verdict.detail).toBe('证照已于 2026-11-20 注销：经营场所已变更，依申请注销。');
    expect(verdict.decoded).toEqual(body);
    expect(await revocationsOf(body.certificateId)).toEqual([
      {
        issuer_region: PARTNER,
        certificate_id: body.certificateId,
        revoked_at: new Date('2026-11-20T03:00:00Z'),
        reason: '经营场所已变更，依申请注销。',
        case_id: body.caseId,
        exchange_event_id: notice.metadata.eventId,
      },
    ]);

    const page = await certificates.renderCertificate({ certificate });
    expect(page.html).toContain('核验结果：已注销');
    expect(page.html).toContain('经营场所已变更');
    expect(page.html).toContain('class="stamp"');

    // A forgery of the revoked certificate is still a forgery, not a revoked certificate.
    const forged = { ...signedBy(body, generateSigningKeyPair()), keyId: partnerKey.keyId };
    expect((await certificates.verifyCertificate({ certificate: forged })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
    );
  });

  it('ignores notices of other kinds, and revocation notices that name no certificate or come from us', async () => {
    const { certificate, body } = partnerCertificate();
    const ignored = [
      remoteNotice(body, {
        kind: TimelineKind.TIMELINE_KIND_TRACKING,
        at: new Date(),
        note: '快件已揽收',
        trackingNumber: 'SF0000001',
        certificateId: body.certificateId,
      }),
      remoteNotice(body, {
        kind: TimelineKind.TIMELINE_KIND_RENEWAL_OFFERED,
        at: new Date(),
        certificateId: body.certificateId,
      }),
      remoteNotice(body, {
        kind: TimelineKind.TIMELINE_KIND_CERTIFICATE_REVOKED,
        at: new Date(),
        note: '注销',
        certificateId: '',
      }),
      // Our own certificates are revoked in our library, never by a notice.
      revocationNotice(body, '注销', REGION),
    ];
    await publish(...ignored);
    await afterEverythingBefore(body);

    expect(await revocationsOf(body.certificateId)).toEqual([]);
    for (const event of ignored) expect(await inboxRows(event.metadata.eventId)).toBe(0);
    expect((await certificates.verifyCertificate({ certificate })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_VALID,
    );
  });

  it('records a notice delivered twice once, and a later notice for the same certificate changes nothing', async () => {
    const { certificate, body } = partnerCertificate();
    const notice = revocationNotice(body, '以欺骗手段取得，依法撤销。');
    const later = revocationNotice(body, '重复注销');
    await publish(notice, notice, later);
    await afterEverythingBefore(body);

    expect(await revocationsOf(body.certificateId)).toEqual([
      expect.objectContaining({
        issuer_region: PARTNER,
        reason: '以欺骗手段取得，依法撤销。',
        exchange_event_id: notice.metadata.eventId,
      }),
    ]);
    expect(await inboxRows(notice.metadata.eventId)).toBe(1);
    const verdict = await certificates.verifyCertificate({ certificate });
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_REVOKED);
    expect(verdict.detail).toContain('以欺骗手段取得');
  });

  it('does not revoke a certificate on the notice of a region that did not issue it', async () => {
    const { certificate, body } = partnerCertificate();
    await publish(revocationNotice(body, '冒名注销', OTHER_PARTNER));
    await eventually(async () => {
      expect(await revocationsOf(body.certificateId)).toEqual([
        expect.objectContaining({ issuer_region: OTHER_PARTNER }),
      ]);
    });

    expect((await certificates.verifyCertificate({ certificate })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_VALID,
    );
  });
});
