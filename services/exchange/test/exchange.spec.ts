// Two regions' exchanges in one process — 411700 (origin, A) and 429005 (handler, B) — each with
// its own database, topics, blob store and keys, talking gRPC over mutual TLS on loopback, with
// real Kafka and PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ChannelCredentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemBlobStore } from '@tongban/blobs';
import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  HandlingMode,
  type MaterialRef,
} from '@tongban/contracts/tongban/case/v1/case';
import { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import { DirectoryServiceService } from '@tongban/contracts/tongban/exchange/v1/directory';
import {
  CaseForwarded,
  CaseReceived,
  DeliveryFailed,
  RemoteStatusChanged,
} from '@tongban/contracts/tongban/exchange/v1/events';
import {
  Envelope,
  PartnerExchangeServiceService,
  ReceiptStatus,
  type SignedEnvelope,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { CaseSubmitted, CaseWithdrawn } from '@tongban/contracts/tongban/intake/v1/events';
import {
  ShipmentDelivered,
  ShipmentDispatched,
} from '@tongban/contracts/tongban/logistics/v1/events';
import { CaseApproved, ReviewStarted } from '@tongban/contracts/tongban/review/v1/events';
import { loadRegion } from '@tongban/domain';
import {
  createKafkaClient,
  EVENT_TYPE_HEADER,
  EventProducer,
  newEventMetadata,
  type OutgoingEvent,
  type TopicNaming,
} from '@tongban/kafka';
import { assertDatabaseMatchesPrismaSchema } from '@tongban/persistence';
import {
  grpcClient,
  GrpcCallError,
  PLATFORM_TABLES,
  ServiceConfigError,
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
  clientCredentials,
  generateSigningKeyPair,
  loadRegionSigningKeys,
  openReceipt,
  PublicKeyRing,
  readLog,
  regionKeyFiles,
  sealEnvelope,
  TRUST_MIGRATIONS_TABLE,
  verifyLog,
  type Signer,
  type SigningKeyPair,
} from '@tongban/trust';
import { startTelemetry, withSpan, type Telemetry } from '@tongban/telemetry';
import { ExchangeTrust } from '../src/trust/exchange-trust';
import { PartnerCallError } from '../src/partners/partner-call-error';
import { PartnerClients } from '../src/partners/partner-clients';
import { migrateExchangeDatabase } from '../src/migrate-exchange-database';
import {
  devPki,
  eventsOf,
  freePort,
  payloadsOf,
  repo,
  startExchange,
  type RegionOptions,
  type RegionUnderTest,
} from './support';

const A = '411700';
const B = '429005';
const C = '430600'; // a partner of A that is never running

let root: string;
let keysDir: string;
let producer: EventProducer;
let a: RegionUnderTest;
let b: RegionUnderTest;
let bOptions: RegionOptions;
let databases: IsolatedDatabase[] = [];
/** The keys of both running regions: what verifies either log. */
const ring = new PublicKeyRing();
let signerA: SigningKeyPair;
let telemetry: Telemetry;
const deadPartnerCase = `${A}-20261122-900001`;

beforeAll(async () => {
  // Spans and W3C propagation, exported to the test Zipkin: lets the tests follow a case's trace
  // across regions. (Without an exporter the SDK registers no tracer at all.)
  telemetry = startTelemetry({
    service: 'exchange-test',
    region: A,
    zipkinUrl: testInfrastructure().zipkinUrl,
  });
  root = mkdtempSync(path.join(tmpdir(), 'tongban-exchange-'));
  keysDir = path.join(root, 'keys');
  const started = Date.now();
  await devPki('--keys-dir', keysDir, A, B, C);
  await devPki(
    'rogue',
    '--identity',
    `exchange.${A}.tongban.local`,
    '--out',
    path.join(root, 'rogue'),
  );
  const pkiMs = Date.now() - started;

  const [portA, portB, portC] = [await freePort(), await freePort(), await freePort()];
  const endpoints = {
    [A]: `127.0.0.1:${String(portA)}`,
    [B]: `127.0.0.1:${String(portB)}`,
    [C]: `127.0.0.1:${String(portC)}`,
  };
  const [databaseA, databaseB] = await Promise.all([
    createIsolatedDatabase({ purpose: 'exchange_a' }),
    createIsolatedDatabase({ purpose: 'exchange_b' }),
  ]);
  databases = [databaseA, databaseB];
  await Promise.all([
    migrateExchangeDatabase(databaseA.url),
    migrateExchangeDatabase(databaseB.url),
  ]);
  // Fast retries, so a partner's short outage and a dead partner fit in a test.
  const env = {
    EXCHANGE_RETRY_INITIAL_MS: '100',
    EXCHANGE_RETRY_MAX_MS: '500',
    EXCHANGE_MAX_ATTEMPTS: '30',
    EXCHANGE_POLL_MS: '500',
  };
  a = await startExchange({
    code: A,
    database: databaseA,
    prefix: uniqueTopicPrefix(),
    keysDir,
    blobDir: path.join(root, A, 'blobs'),
    partnerPort: portA,
    endpoints,
    env,
  });
  bOptions = {
    code: B,
    database: databaseB,
    prefix: uniqueTopicPrefix(),
    keysDir,
    blobDir: path.join(root, B, 'blobs'),
    partnerPort: portB,
    endpoints,
    env,
  };
  b = await startExchange(bOptions);
  producer = new EventProducer(
    createKafkaClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'exchange-test' }),
  );
  await producer.connect();
  signerA = loadRegionSigningKeys(keysDir, A);
  ring.add(A, signerA.publicKey);
  ring.add(B, loadRegionSigningKeys(keysDir, B).publicKey);
  // A case for 430600, which never answers: its retries run while the other tests do.
  await publish(a.naming, 'intake', [
    event(
      A,
      'intake',
      deadPartnerCase,
      CaseSubmitted,
      submitted(deadPartnerCase, [], {
        handlingRegion: C,
        itemCode: 'ANY',
      }),
    ),
  ]);
  console.info(`dev PKI for 3 regions in ${String(pkiMs)} ms`);
});

afterAll(async () => {
  await producer.disconnect();
  await a.app.close();
  await b.app.close().catch(() => undefined);
  await Promise.all(databases.map((database) => database.drop()));
  rmSync(root, { recursive: true, force: true });
  await telemetry.shutdown();
});

let caseNumber = 0;
function caseId(): string {
  caseNumber += 1;
  return `${A}-20261122-${String(caseNumber).padStart(6, '0')}`;
}

async function storeMaterial(code: string, content: string): Promise<MaterialRef> {
  const stored = await new FilesystemBlobStore(a.blobDir).put(Buffer.from(content));
  return {
    code,
    name: code,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    contentType: 'image/jpeg',
  };
}

function submitted(
  id: string,
  materials: MaterialRef[],
  overrides: Partial<CaseSubmitted> = {},
): CaseSubmitted {
  return CaseSubmitted.fromPartial({
    caseId: id,
    originRegion: A,
    handlingRegion: B,
    itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
    applicant: {
      kind: ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: '110101199003070000',
      name: '王某',
      phone: '13800000000',
    },
    materials,
    delivery: { method: DeliveryMethod.DELIVERY_METHOD_MAIL },
    channel: Channel.CHANNEL_WINDOW,
    fields: { withdrawal_reason: 'RETIREMENT' },
    ...overrides,
  });
}

function event<T>(
  region: string,
  service: string,
  id: string,
  type: OutgoingEvent<T>['type'],
  payload: T,
): OutgoingEvent {
  return {
    metadata: newEventMetadata({ caseId: id, region, service }),
    type,
    payload,
  };
}

async function publish(naming: TopicNaming, service: string, events: OutgoingEvent[]) {
  await producer.publish(naming.events(service), events);
}

async function outbound(region: RegionUnderTest, id: string) {
  const { rows } = await region.database.pool.query<{
    message_id: string;
    sequence: number;
    state: string;
    attempts: number;
    error_code: string | null;
    receipt: Buffer | null;
    envelope: Buffer;
    signature: Buffer;
    key_id: string;
  }>('SELECT * FROM outbound_message WHERE case_id = $1 ORDER BY sequence', [id]);
  return rows;
}

/** Waits until the region published everything its outbox holds. */
async function outboxFlushed(region: RegionUnderTest): Promise<void> {
  await eventually(async () => {
    const { rows } = await region.database.pool.query(
      'SELECT 1 FROM outbox WHERE published_at IS NULL',
    );
    expect(rows).toHaveLength(0);
  });
}

/** The partner API of `to` as region `from` calls it: `from`'s certificate, `to`'s CA and name. */
function partnerClient(
  from: string,
  to: RegionUnderTest,
): PromiseClient<typeof PartnerExchangeServiceService> {
  const channel = clientCredentials({
    keysDir,
    region: from,
    partnerCa: regionKeyFiles(keysDir, to.code).caCert,
    partnerIdentity: `exchange.${to.code}.tongban.local`,
  });
  return grpcClient(PartnerExchangeServiceService, `127.0.0.1:${String(to.partnerPort)}`, {
    credentials: channel.credentials,
    channelOptions: channel.options,
  });
}

function partnerClientOfA(): PromiseClient<typeof PartnerExchangeServiceService> {
  return partnerClient(A, b);
}

const golden = { id: '', materials: [] as MaterialRef[] };

describe('exchange between two regions', () => {
  it('forwards a submitted case with its materials: CaseForwarded and RECEIVED at A, CaseReceived at B', async () => {
    const started = Date.now();
    golden.id = caseId();
    golden.materials = [
      await storeMaterial('ID_CARD', `身份证扫描件 ${golden.id}`),
      await storeMaterial('RETIREMENT_PROOF', `退休证 ${golden.id}`),
      await storeMaterial('BANK_CARD', `银行卡 ${golden.id}`),
    ];
    const cause = event(
      A,
      'intake',
      golden.id,
      CaseSubmitted,
      submitted(golden.id, golden.materials),
    );
    // The window's request starts the case's trace.
    const traceId = await withSpan('window submits', {}, async (span) => {
      await publish(a.naming, 'intake', [cause]);
      return span.spanContext().traceId;
    });

    await eventually(async () => {
      const rows = await outbound(a, golden.id);
      expect(rows.map((row) => row.state)).toEqual(['DELIVERED']);
    });
    const elapsed = Date.now() - started;
    await outboxFlushed(a);
    await outboxFlushed(b);
    const atA = await eventsOf(a.naming, 'exchange');
    const forwarded = payloadsOf(atA, CaseForwarded, golden.id);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]).toMatchObject({ caseId: golden.id, handlingRegion: B });
    const forwardedEvent = atA.find(
      (e) => e.typeName === CaseForwarded.$type && e.metadata.caseId === golden.id,
    );
    expect(forwardedEvent?.metadata.correlationId).toBe(cause.metadata.correlationId);
    expect(payloadsOf(atA, RemoteStatusChanged, golden.id).map((s) => s.status)).toEqual([
      CaseStatus.CASE_STATUS_RECEIVED,
    ]);
    const received = payloadsOf(await eventsOf(b.naming, 'exchange'), CaseReceived, golden.id);
    expect(received).toHaveLength(1);
    expect(received[0]?.case?.itemCode).toBe('HPF_RETIREMENT_WITHDRAWAL');
    expect(received[0]?.messageId).toBe(forwarded[0]?.messageId);
    const blobsOfB = new FilesystemBlobStore(b.blobDir);
    for (const material of golden.materials) {
      expect((await blobsOfB.get(material.sha256)).length).toBe(material.sizeBytes);
    }
    console.info(`case forwarded and receipted in ${String(elapsed)} ms`);

    // One case, one trace: the envelope carries it, and B's CaseReceived continues it.
    const [transfer] = await outbound(a, golden.id);
    expect(Envelope.decode(transfer!.envelope).traceparent).toContain(traceId);
    const traceOf = async (region: RegionUnderTest, type: string) => {
      const raw = await readTopic(
        testInfrastructure().kafkaBrokers,
        region.naming.events('exchange'),
        {
          count: 100_000,
          timeoutMs: 1_500,
        },
      );
      const message = raw.find((m) => m.key === golden.id && m.headers[EVENT_TYPE_HEADER] === type);
      return message?.headers.traceparent?.split('-')[1];
    };
    expect(await traceOf(b, CaseReceived.$type)).toBe(traceId);
    expect(await traceOf(a, RemoteStatusChanged.$type)).toBe(traceId);
  });

  it('reports the handler’s progress to the origin in lifecycle order, even when events arrive out of order', async () => {
    const id = golden.id;
    const certificate = {
      body: Buffer.from('证照正文'),
      signature: Buffer.alloc(64, 7),
      keyId: 'k1',
    };
    // The certificate topic overtakes the review topic: it must wait for APPROVED.
    await publish(b.naming, 'certificate', [
      event(B, 'certificate', id, CertificateIssued, {
        caseId: id,
        originRegion: A,
        certificateId: 'CERT-429005-1',
        certificate,
        delivery: { method: DeliveryMethod.DELIVERY_METHOD_MAIL, address: undefined },
      }),
    ]);
    await eventually(async () => {
      const { rows } = await b.database.pool.query(
        'SELECT status FROM held_status WHERE case_id = $1',
        [id],
      );
      expect(rows).toEqual([{ status: 'CERTIFICATE_ISSUED' }]);
    });
    await publish(b.naming, 'review', [
      event(
        B,
        'review',
        id,
        ReviewStarted,
        ReviewStarted.fromPartial({
          caseId: id,
          originRegion: A,
          taskId: randomUUID(),
          mode: HandlingMode.HANDLING_MODE_INSTANT,
        }),
      ),
      event(
        B,
        'review',
        id,
        CaseApproved,
        CaseApproved.fromPartial({
          caseId: id,
          originRegion: A,
          decidedBy: 'rule:retiree-withdrawal',
        }),
      ),
    ]);
    await publish(b.naming, 'logistics', [
      // Without a kind, as logistics published them before kinds existed: results.
      event(
        B,
        'logistics',
        id,
        ShipmentDispatched,
        ShipmentDispatched.fromPartial({
          caseId: id,
          originRegion: A,
          shipmentId: 's1',
          carrier: 'SIM',
          trackingNumber: 'SF100',
        }),
      ),
      event(
        B,
        'logistics',
        id,
        ShipmentDelivered,
        ShipmentDelivered.fromPartial({
          caseId: id,
          originRegion: A,
          shipmentId: 's1',
          trackingNumber: 'SF100',
        }),
      ),
    ]);
    await eventually(async () => {
      const rows = await outbound(b, id);
      expect(rows.map((row) => row.state)).toEqual(Array(6).fill('DELIVERED'));
    });
    await outboxFlushed(a);
    const statuses = payloadsOf(await eventsOf(a.naming, 'exchange'), RemoteStatusChanged, id);
    expect(statuses.map((s) => s.status)).toEqual([
      CaseStatus.CASE_STATUS_RECEIVED,
      CaseStatus.CASE_STATUS_UNDER_REVIEW,
      CaseStatus.CASE_STATUS_APPROVED,
      CaseStatus.CASE_STATUS_CERTIFICATE_ISSUED,
      CaseStatus.CASE_STATUS_DISPATCHED,
      CaseStatus.CASE_STATUS_DELIVERED,
      CaseStatus.CASE_STATUS_COMPLETED,
    ]);
    const issued = statuses[3]!;
    expect(issued).toMatchObject({ handlingRegion: B, certificateId: 'CERT-429005-1' });
    expect(Buffer.from(issued.certificate).length).toBeGreaterThan(0);
    expect(statuses[4]?.trackingNumber).toBe('SF100');
  });

  it('keeps both message logs verifiable, holding the same messages of the case', async () => {
    for (const region of [a, b]) {
      const verification = await verifyLog(region.database.pool, { keys: ring });
      expect(verification).toMatchObject({ ok: true });
    }
    const outOfA = await readLog(a.database.pool, { caseId: golden.id, direction: 'OUT' });
    const inOfB = await readLog(b.database.pool, { caseId: golden.id, direction: 'IN' });
    const ids = (entries: { messageId: string }[]) =>
      [...new Set(entries.map((e) => e.messageId))].sort();
    expect(ids(outOfA)).toEqual(ids(inOfB));
    expect(outOfA.filter((e) => e.status === 'ACCEPTED')).toHaveLength(1);
    const outOfB = await readLog(b.database.pool, { caseId: golden.id, direction: 'OUT' });
    const inOfA = await readLog(a.database.pool, { caseId: golden.id, direction: 'IN' });
    expect(ids(outOfB)).toEqual(ids(inOfA));
    expect(ids(inOfA)).toHaveLength(6);
  });

  it('answers an envelope delivered twice with the first receipt and applies it once', async () => {
    const [transfer] = await outbound(a, golden.id);
    const client = partnerClientOfA();
    try {
      const again = await client.deliver({
        envelope: {
          envelope: transfer!.envelope,
          signature: transfer!.signature,
          keyId: transfer!.key_id,
        },
      });
      expect(Buffer.from(again.receipt!.receipt).equals(transfer!.receipt!)).toBe(true);
    } finally {
      client.close();
    }
    await outboxFlushed(b);
    const received = payloadsOf(await eventsOf(b.naming, 'exchange'), CaseReceived, golden.id);
    expect(received).toHaveLength(1);
    const duplicates = await readLog(b.database.pool, { messageId: transfer!.message_id });
    expect(duplicates.map((entry) => entry.status)).toEqual(['ACCEPTED', 'DUPLICATE']);
  });

  it('refuses forged, foreign, misaddressed and unagreed envelopes with signed receipts, publishing nothing', async () => {
    const material = await storeMaterial('ID_CARD', 'x');
    const transfer = (id: string, overrides: Partial<CaseSubmitted> = {}, sender = A) =>
      Envelope.fromPartial({
        messageId: randomUUID(),
        senderRegion: sender,
        recipientRegion: B,
        caseId: id,
        sequence: 1,
        createdAt: new Date(),
        caseTransfer: { case: submitted(id, [material], { originRegion: sender, ...overrides }) },
      });
    const forger: Signer = {
      keyId: signerA.keyId,
      privateKey: generateSigningKeyPair().privateKey,
    };
    const cSigner = loadRegionSigningKeys(keysDir, C);
    const stranger = generateSigningKeyPair();
    const cases = {
      forged: caseId(),
      stranger: caseId(),
      impersonated: caseId(),
      unagreed: caseId(),
      unknownKey: caseId(),
      impostor: caseId(),
    };
    const attempts: [string, SignedEnvelope, string][] = [
      ['EXCHANGE.BAD_SIGNATURE', sealEnvelope(transfer(cases.forged), forger), cases.forged],
      [
        'EXCHANGE.UNKNOWN_SENDER',
        sealEnvelope(transfer(cases.stranger, {}, '110000'), stranger),
        cases.stranger,
      ],
      // Correctly signed by 430600, but the connection is 411700's: one partner cannot speak for another.
      [
        'EXCHANGE.PEER_MISMATCH',
        sealEnvelope(transfer(cases.impersonated, {}, C), cSigner),
        cases.impersonated,
      ],
      [
        'EXCHANGE.ITEM_NOT_IN_AGREEMENT',
        sealEnvelope(transfer(cases.unagreed, { itemCode: 'FOOD_BUSINESS_LICENSE' }), signerA),
        cases.unagreed,
      ],
      // A key 411700 never published: B asks 411700 for its current keys, then refuses.
      [
        'EXCHANGE.UNKNOWN_KEY',
        sealEnvelope(transfer(cases.unknownKey), stranger),
        cases.unknownKey,
      ],
    ];
    const client = partnerClientOfA();
    try {
      for (const [code, envelope] of attempts) {
        const answer = await client.deliver({ envelope });
        const { receipt } = openReceipt(answer.receipt!, ring);
        expect(receipt).toMatchObject({
          status: ReceiptStatus.RECEIPT_STATUS_REJECTED,
          errorCode: code,
          receiverRegion: B,
        });
        expect(receipt.errorMessage).toMatch(/拒|不能|不在/);
      }
    } finally {
      client.close();
    }

    // 430600's CA vouching for the name of 411700: the handshake passes (B trusts that CA), but
    // the certificate is not 411700's, so the call speaks for nobody.
    const impostorDir = path.join(root, 'impostor');
    await devPki(
      'rogue',
      '--identity',
      `exchange.${A}.tongban.local`,
      '--out',
      impostorDir,
      '--issuer-region',
      C,
      '--keys-dir',
      keysDir,
    );
    const impostor = grpcClient(
      PartnerExchangeServiceService,
      `127.0.0.1:${String(b.partnerPort)}`,
      {
        credentials: ChannelCredentials.createSsl(
          readFileSync(regionKeyFiles(keysDir, B).caCert),
          readFileSync(path.join(impostorDir, 'rogue.key')),
          readFileSync(path.join(impostorDir, 'rogue.crt')),
        ),
        channelOptions: { 'grpc.ssl_target_name_override': `exchange.${B}.tongban.local` },
      },
    );
    try {
      const answer = await impostor.deliver({
        envelope: sealEnvelope(transfer(cases.impostor), signerA),
      });
      expect(openReceipt(answer.receipt!, ring).receipt).toMatchObject({
        status: ReceiptStatus.RECEIPT_STATUS_REJECTED,
        errorCode: 'EXCHANGE.PEER_MISMATCH',
      });
      const catalog = await impostor.getCatalog({}).catch((error: unknown) => error);
      expect(catalog).toMatchObject({
        grpcCode: status.PERMISSION_DENIED,
        errorCode: 'EXCHANGE.NOT_A_PARTNER',
      });
    } finally {
      impostor.close();
    }

    // A certificate that names 411700 but comes from a CA nobody trusts: no handshake, no call.
    const logBefore = (await readLog(b.database.pool)).length;
    const rogue = path.join(root, 'rogue');
    const rogueClient = grpcClient(
      PartnerExchangeServiceService,
      `127.0.0.1:${String(b.partnerPort)}`,
      {
        credentials: ChannelCredentials.createSsl(
          readFileSync(regionKeyFiles(keysDir, B).caCert),
          readFileSync(path.join(rogue, 'rogue.key')),
          readFileSync(path.join(rogue, 'rogue.crt')),
          { checkServerIdentity: () => undefined },
        ),
        channelOptions: { 'grpc.ssl_target_name_override': `exchange.${B}.tongban.local` },
      },
    );
    try {
      const refused = await rogueClient
        .deliver({ envelope: sealEnvelope(transfer(caseId()), signerA) }, { deadlineMs: 3_000 })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(GrpcCallError);
      expect((refused as GrpcCallError).grpcCode).toBe(status.UNAVAILABLE);
    } finally {
      rogueClient.close();
    }
    expect(await readLog(b.database.pool)).toHaveLength(logBefore);

    await outboxFlushed(b);
    const published = await eventsOf(b.naming, 'exchange');
    for (const id of Object.values(cases)) {
      expect(published.filter((e) => e.metadata.caseId === id)).toEqual([]);
    }
    const stored = await b.database.pool.query(
      "SELECT message_id FROM inbound_message WHERE case_id = ANY($1) AND state <> 'REJECTED'",
      [Object.values(cases)],
    );
    expect(stored.rows).toEqual([]);
    expect(await verifyLog(b.database.pool, { keys: ring })).toMatchObject({ ok: true });
  });

  it('marks a case the partner refuses as REJECTED and raises DeliveryFailed at the origin', async () => {
    const id = caseId();
    await publish(a.naming, 'intake', [
      event(
        A,
        'intake',
        id,
        CaseSubmitted,
        submitted(id, [], { itemCode: 'FOOD_BUSINESS_LICENSE' }),
      ),
    ]);
    await eventually(async () => {
      const rows = await outbound(a, id);
      expect(rows.map((row) => [row.state, row.error_code])).toEqual([
        ['REJECTED', 'EXCHANGE.ITEM_NOT_IN_AGREEMENT'],
      ]);
    });
    await outboxFlushed(a);
    const failed = payloadsOf(await eventsOf(a.naming, 'exchange'), DeliveryFailed, id);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ recipientRegion: B, attempts: 1 });
    expect(failed[0]?.lastError).toContain('EXCHANGE.ITEM_NOT_IN_AGREEMENT');
  });

  it('delivers in order what piled up while the partner was down, after it returns', async () => {
    const [x, y] = [caseId(), caseId()];
    const material = await storeMaterial('ID_CARD', `离线期间 ${x}`);
    await b.app.close();
    const stoppedAt = Date.now();
    await publish(a.naming, 'intake', [
      event(A, 'intake', x, CaseSubmitted, submitted(x, [material])),
      event(A, 'intake', x, CaseWithdrawn, { caseId: x, handlingRegion: B, reason: '申请人撤回' }),
      event(A, 'intake', y, CaseSubmitted, submitted(y, [material])),
    ]);
    await eventually(async () => {
      const rows = await outbound(a, x);
      expect(rows).toHaveLength(2);
      expect(rows[0]?.attempts).toBeGreaterThanOrEqual(2);
      // The withdrawal never overtakes the case it withdraws.
      expect(rows[1]?.attempts).toBe(0);
    });
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, 3_000 - (Date.now() - stoppedAt))),
    );
    b = await startExchange(bOptions);
    const restartedAt = Date.now();
    await eventually(async () => {
      const rows = [...(await outbound(a, x)), ...(await outbound(a, y))];
      expect(rows.map((row) => row.state)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
    });
    console.info(
      `partner down ${String(restartedAt - stoppedAt)} ms; backlog delivered ${String(Date.now() - restartedAt)} ms after its return`,
    );
    await outboxFlushed(b);
    const atB = await eventsOf(b.naming, 'exchange');
    const ofX = atB.filter((e) => e.metadata.caseId === x).map((e) => e.typeName);
    expect(ofX).toEqual([CaseReceived.$type, RemoteStatusChanged.$type]);
    expect(payloadsOf(atB, RemoteStatusChanged, x)[0]).toMatchObject({
      status: CaseStatus.CASE_STATUS_WITHDRAWN,
      handlingRegion: B,
      note: '申请人撤回',
    });
    expect(payloadsOf(atB, CaseReceived, y)).toHaveLength(1);
  });

  it('applies a partner’s reports in sequence order, holding one whose predecessor has not arrived', async () => {
    const id = caseId();
    await publish(a.naming, 'intake', [event(A, 'intake', id, CaseSubmitted, submitted(id, []))]);
    await eventually(async () => {
      expect((await outbound(a, id)).map((row) => row.state)).toEqual(['DELIVERED']);
    });
    const signerB = loadRegionSigningKeys(keysDir, B);
    const report = (sequence: number, status: CaseStatus) =>
      sealEnvelope(
        Envelope.fromPartial({
          messageId: randomUUID(),
          senderRegion: B,
          recipientRegion: A,
          caseId: id,
          sequence,
          createdAt: new Date(),
          statusReport: { status, at: new Date() },
        }),
        signerB,
      );
    const client = partnerClient(B, a);
    try {
      const second = await client.deliver({ envelope: report(2, CaseStatus.CASE_STATUS_APPROVED) });
      expect(openReceipt(second.receipt!, ring).receipt.status).toBe(
        ReceiptStatus.RECEIPT_STATUS_ACCEPTED,
      );
      const held = await a.database.pool.query(
        'SELECT sequence, state FROM inbound_message WHERE case_id = $1',
        [id],
      );
      expect(held.rows).toEqual([{ sequence: 2, state: 'HELD' }]);
      await client.deliver({ envelope: report(1, CaseStatus.CASE_STATUS_UNDER_REVIEW) });
    } finally {
      client.close();
    }
    await outboxFlushed(a);
    const statuses = payloadsOf(await eventsOf(a.naming, 'exchange'), RemoteStatusChanged, id);
    expect(statuses.map((s) => s.status)).toEqual([
      CaseStatus.CASE_STATUS_RECEIVED,
      CaseStatus.CASE_STATUS_UNDER_REVIEW,
      CaseStatus.CASE_STATUS_APPROVED,
    ]);

    // A report on a case whose transfer has no receipt yet waits for it (here: forever, as
    // 430600 never answers) — the origin never sees a handler status before RECEIVED.
    const signerC = loadRegionSigningKeys(keysDir, C);
    const early = sealEnvelope(
      Envelope.fromPartial({
        messageId: randomUUID(),
        senderRegion: C,
        recipientRegion: A,
        caseId: deadPartnerCase,
        sequence: 1,
        statusReport: { status: CaseStatus.CASE_STATUS_UNDER_REVIEW },
      }),
      signerC,
    );
    const fromC = partnerClient(C, a);
    try {
      const answer = await fromC.deliver({ envelope: early });
      expect(openReceipt(answer.receipt!, ring).receipt.status).toBe(
        ReceiptStatus.RECEIPT_STATUS_ACCEPTED,
      );
    } finally {
      fromC.close();
    }
    const waiting = await a.database.pool.query(
      'SELECT state FROM inbound_message WHERE case_id = $1',
      [deadPartnerCase],
    );
    expect(waiting.rows).toEqual([{ state: 'HELD' }]);
  });

  it('accepts a blob only when its content matches the announced hash and size', async () => {
    const regionA = loadRegion(path.join(repo, `deploy/regions/${A}.yaml`), {
      endpointOverrides: { [B]: `127.0.0.1:${String(b.partnerPort)}` },
      env: {},
    });
    const clients = new PartnerClients(ExchangeTrust.load(keysDir, regionA));
    const content = Buffer.from(`现场踏勘视频 ${randomUUID()}`);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const header = {
      sha256,
      sizeBytes: content.length,
      contentType: 'video/mp4',
      caseId: golden.id,
    };
    // Small chunks, so the content really arrives in pieces.
    const chunks = (bytes: Buffer) => {
      const pieces: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += 7) {
        pieces.push(bytes.subarray(offset, offset + 7));
      }
      return Readable.from(pieces) as AsyncIterable<Buffer>;
    };
    const blobsOfB = new FilesystemBlobStore(b.blobDir);
    try {
      const tampered = Buffer.from(content);
      tampered[0] = (tampered[0] ?? 0) ^ 1;
      const refused = await clients
        .putBlob(B, header, chunks(tampered), 5_000)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PartnerCallError);
      expect(refused).toMatchObject({ errorCode: 'EXCHANGE.BLOB_MISMATCH' });
      expect(await blobsOfB.has(sha256)).toBe(false);

      const tooLarge = await clients
        .putBlob(B, { ...header, sizeBytes: 64 * 1024 * 1024 }, chunks(content), 5_000)
        .catch((e: unknown) => e);
      expect(tooLarge).toMatchObject({ errorCode: 'EXCHANGE.BLOB_TOO_LARGE' });

      expect(await clients.putBlob(B, header, chunks(content), 5_000)).toEqual({
        sha256,
        alreadyPresent: false,
      });
      expect(await clients.putBlob(B, header, chunks(content), 5_000)).toEqual({
        sha256,
        alreadyPresent: true,
      });
      expect((await blobsOfB.get(sha256)).equals(content)).toBe(true);
    } finally {
      clients.onApplicationShutdown();
    }
  });

  it('publishes to each partner only the items of its agreement, and caches partners’ catalogs and keys', async () => {
    const directory = grpcClient(DirectoryServiceService, a.grpcAddress);
    try {
      const { catalog } = await directory.getPartnerCatalog({ region: B });
      expect(catalog?.region).toBe(B);
      // 429005's agreement with 411700 (deploy/regions/429005.yaml), in catalog order.
      expect(catalog?.items.map((item) => item.code)).toEqual([
        'HPF_RETIREMENT_WITHDRAWAL',
        'PENSION_TRANSFER',
        'FUNERAL_SUBSIDY',
        'SMALL_CATERING_LICENSE',
        'SMALL_CATERING_RENEWAL',
      ]);
      const { keys } = await directory.getPartnerKeys({ region: B });
      expect(keys?.keys.map((key) => key.keyId)).toEqual([loadRegionSigningKeys(keysDir, B).keyId]);

      const unknown = await directory
        .getPartnerCatalog({ region: '110000' })
        .catch((e: unknown) => e);
      expect(unknown).toMatchObject({
        grpcCode: status.NOT_FOUND,
        errorCode: 'EXCHANGE.UNKNOWN_PARTNER',
      });
      const unreachable = await directory.getPartnerCatalog({ region: C }).catch((e: unknown) => e);
      expect(unreachable).toMatchObject({
        grpcCode: status.UNAVAILABLE,
        errorCode: 'EXCHANGE.PARTNER_UNAVAILABLE',
      });
    } finally {
      directory.close();
    }
  });

  it('fails a message whose partner never answers, once the retry budget is spent', async () => {
    const id = deadPartnerCase;
    await eventually(
      async () => {
        const rows = await outbound(a, id);
        expect(rows.map((row) => [row.state, row.attempts, row.error_code])).toEqual([
          ['FAILED', 30, 'EXCHANGE.RETRY_BUDGET_SPENT'],
        ]);
      },
      { timeoutMs: 45_000, intervalMs: 500 },
    );
    await outboxFlushed(a);
    const failed = payloadsOf(await eventsOf(a.naming, 'exchange'), DeliveryFailed, id);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ recipientRegion: C, attempts: 30 });
    const log = await readLog(a.database.pool, { caseId: id, direction: 'OUT' });
    expect(log.map((entry) => entry.status)).toEqual(['PENDING', 'FAILED']);
  }, 60_000);

  it('refuses to start without its key material, naming the missing file', () => {
    const region = loadRegion(path.join(repo, `deploy/regions/${A}.yaml`), { env: {} });
    const empty = path.join(root, 'no-keys');
    let error: unknown;
    try {
      ExchangeTrust.load(empty, region);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServiceConfigError);
    expect((error as Error).message).toContain(path.join(empty, `${A}/exchange.crt`));
    expect((error as Error).message).toContain('dev-pki');
  });

  it('has migrated databases that match its Prisma schema', async () => {
    for (const region of [a, b]) {
      await assertDatabaseMatchesPrismaSchema({
        databaseUrl: region.database.url,
        schemaPath: path.join(__dirname, '../prisma/schema.prisma'),
        ignoreTables: [
          ...PLATFORM_TABLES,
          'message_log',
          'message_log_head',
          TRUST_MIGRATIONS_TABLE,
        ],
      });
    }
  });
});
