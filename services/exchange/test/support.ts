import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { expect } from 'vitest';
import { PartnerExchangeServiceService } from '@tongban/contracts/tongban/exchange/v1/exchange';
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
  type TopicNaming,
} from '@tongban/kafka';
import {
  grpcClient,
  GrpcHost,
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
  clientCredentials,
  loadRegionSigningKeys,
  PublicKeyRing,
  regionKeyFiles,
  type SigningKeyPair,
} from '@tongban/trust';
import type { ProtoMessageType } from '@tongban/contracts';
import { AppModule } from '../src/app.module';
import { loadExchangeConfig, type ExchangeConfig } from '../src/config/exchange-config';
import { migrateExchangeDatabase } from '../src/migrate-exchange-database';
import { PartnerServer } from '../src/partners/partner-server';

const run = promisify(execFile);
export const repo = path.resolve(__dirname, '../../..');

/** Runs infra's dev PKI command line, the way setup runs it (the exchange never makes keys). */
export async function devPki(...args: string[]): Promise<void> {
  await run(
    process.execPath,
    ['--import', 'tsx', path.join(repo, 'infra/src/cli/dev-pki.ts'), ...args],
    {
      cwd: repo,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(repo, 'tsconfig.base.json') },
    },
  );
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

export interface RegionUnderTest {
  code: string;
  database: IsolatedDatabase;
  prefix: string;
  blobDir: string;
  partnerPort: number;
  context: ServiceContext<ExchangeConfig>;
  app: INestApplication;
  naming: TopicNaming;
  grpcAddress: string;
}

export interface RegionOptions {
  code: string;
  database: IsolatedDatabase;
  prefix: string;
  keysDir: string;
  blobDir: string;
  partnerPort: number;
  endpoints: Record<string, string>;
  env?: Record<string, string>;
}

/** One exchange in-process, as main.ts would start it (minus telemetry and signal hooks). */
export async function startExchange(options: RegionOptions): Promise<RegionUnderTest> {
  mkdirSync(options.blobDir, { recursive: true });
  const config = loadExchangeConfig({
    REGION: options.code,
    DATABASE_URL: options.database.url,
    KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: options.prefix,
    LOG_LEVEL: 'warn',
    TONGBAN_KEYS_DIR: options.keysDir,
    PARTNER_PORT: String(options.partnerPort),
    BLOB_DIR: options.blobDir,
    ...options.env,
  });
  const region = loadRegion(path.join(repo, `deploy/regions/${options.code}.yaml`), {
    endpointOverrides: options.endpoints,
    env: {},
  });
  const context = new ServiceContext(config, region);
  const { naming } = context;
  await ensureTopics(context.kafka, [
    naming.events('intake'),
    naming.events('review'),
    naming.events('certificate'),
    naming.events('logistics'),
    naming.events('exchange'),
  ]);
  const app = await runService(AppModule.forRoot(context), context, { shutdownHooks: false });
  const partnerPort = app.get(PartnerServer).port;
  if (partnerPort !== options.partnerPort) throw new Error(`bound ${String(partnerPort)}`);
  return {
    code: options.code,
    database: options.database,
    prefix: options.prefix,
    blobDir: options.blobDir,
    partnerPort: options.partnerPort,
    context,
    app,
    naming,
    grpcAddress: `127.0.0.1:${String(app.get(GrpcHost).port)}`,
  };
}

/** Every event of a region's topic, decoded, in topic order. */
export async function eventsOf(naming: TopicNaming, service: string): Promise<DecodedEnvelope[]> {
  const messages = await readTopic(testInfrastructure().kafkaBrokers, naming.events(service), {
    count: 100_000,
    timeoutMs: 1_500,
  });
  return messages.map((message) => decodeEnvelope(message.value));
}

/** The payloads of one type about one case, in topic order. */
export function payloadsOf<T>(
  events: DecodedEnvelope[],
  type: ProtoMessageType<T>,
  caseId: string,
): T[] {
  return events
    .filter((event) => event.typeName === type.$type && event.metadata.caseId === caseId)
    .map((event) => decodePayload(type, event));
}

/**
 * Two regions' exchanges — 411700 (origin, A) and 429005 (handler, B) — each with its own
 * database, topics, blob store and keys (430600's keys too: both name it as a partner), talking
 * gRPC over mutual TLS on loopback, with real Kafka and PostgreSQL.
 */
export interface TwoRegions {
  a: RegionUnderTest;
  b: RegionUnderTest;
  keysDir: string;
  /** The signing keys of A and B: what verifies either region's log and receipts. */
  ring: PublicKeyRing;
  signerA: SigningKeyPair;
  signerB: SigningKeyPair;
  producer: EventProducer;
  /** Stops B's exchange: a partner's outage, as A sees it. */
  stopB(): Promise<void>;
  /** Starts B's exchange again (same database, keys and partner port); `b` is the new one. */
  startB(): Promise<void>;
  close(): Promise<void>;
}

/** `env` adds to (or overrides) the fast retries every test runs with. */
export async function startTwoRegions(
  purpose: string,
  options: { env?: Record<string, string> } = {},
): Promise<TwoRegions> {
  const root = mkdtempSync(path.join(tmpdir(), `tongban-${purpose}-`));
  const keysDir = path.join(root, 'keys');
  await devPki('--keys-dir', keysDir, '411700', '429005', '430600');
  const [portA, portB, portC] = [await freePort(), await freePort(), await freePort()];
  const endpoints = {
    '411700': `127.0.0.1:${String(portA)}`,
    '429005': `127.0.0.1:${String(portB)}`,
    '430600': `127.0.0.1:${String(portC)}`,
  };
  const [databaseA, databaseB] = await Promise.all([
    createIsolatedDatabase({ purpose: `${purpose}_a` }),
    createIsolatedDatabase({ purpose: `${purpose}_b` }),
  ]);
  await Promise.all([
    migrateExchangeDatabase(databaseA.url),
    migrateExchangeDatabase(databaseB.url),
  ]);
  const env = { EXCHANGE_RETRY_INITIAL_MS: '100', EXCHANGE_RETRY_MAX_MS: '500', ...options.env };
  const optionsOf = (
    code: string,
    database: IsolatedDatabase,
    partnerPort: number,
  ): RegionOptions => ({
    code,
    database,
    prefix: uniqueTopicPrefix(),
    keysDir,
    blobDir: path.join(root, code, 'blobs'),
    partnerPort,
    endpoints,
    env,
  });
  const a = await startExchange(optionsOf('411700', databaseA, portA));
  const bOptions = optionsOf('429005', databaseB, portB);
  const b = await startExchange(bOptions);
  let bRunning = true;
  const producer = new EventProducer(
    createKafkaClient({ brokers: testInfrastructure().kafkaBrokers, clientId: `${purpose}-test` }),
  );
  await producer.connect();
  const signerA = loadRegionSigningKeys(keysDir, '411700');
  const signerB = loadRegionSigningKeys(keysDir, '429005');
  const ring = new PublicKeyRing();
  ring.add('411700', signerA.publicKey);
  ring.add('429005', signerB.publicKey);
  const regions: TwoRegions = {
    a,
    b,
    keysDir,
    ring,
    signerA,
    signerB,
    producer,
    async stopB() {
      bRunning = false;
      await regions.b.app.close();
    },
    async startB() {
      regions.b = await startExchange(bOptions);
      bRunning = true;
    },
    async close() {
      await producer.disconnect();
      await a.app.close();
      if (bRunning) await regions.b.app.close();
      await Promise.all([databaseA.drop(), databaseB.drop()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
  return regions;
}

/** An event of `service` in `region` about one case, as that service would publish it. */
export function eventOf<T>(
  region: string,
  service: string,
  caseId: string,
  type: OutgoingEvent<T>['type'],
  payload: T,
): OutgoingEvent {
  return { metadata: newEventMetadata({ caseId, region, service }), type, payload };
}

/** Waits until the region's exchange consumed these events (its inbox holds them). */
export async function consumed(region: RegionUnderTest, events: OutgoingEvent[]): Promise<void> {
  const ids = events.map((e) => e.metadata.eventId);
  await eventually(async () => {
    const { rows } = await region.database.pool.query(
      'SELECT event_id FROM inbox WHERE event_id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
  });
}

export interface OutboundRow {
  message_id: string;
  sequence: number;
  kind: string;
  status: string | null;
  round: number;
  state: string;
  error_code: string | null;
  envelope: Buffer;
}

/** The region's messages about one case, in sequence order. */
export async function outboundOf(region: RegionUnderTest, caseId: string): Promise<OutboundRow[]> {
  const { rows } = await region.database.pool.query<OutboundRow>(
    'SELECT * FROM outbound_message WHERE case_id = $1 ORDER BY sequence',
    [caseId],
  );
  return rows;
}

/** Waits until every message of the case is delivered and the region published its outbox. */
export async function allDelivered(region: RegionUnderTest, caseId: string): Promise<void> {
  await eventually(async () => {
    const rows = await outboundOf(region, caseId);
    expect(rows.filter((row) => row.state !== 'DELIVERED')).toEqual([]);
  });
}

/** Waits until the region published everything its outbox holds. */
export async function outboxFlushedOf(region: RegionUnderTest): Promise<void> {
  await eventually(async () => {
    const { rows } = await region.database.pool.query(
      'SELECT 1 FROM outbox WHERE published_at IS NULL',
    );
    expect(rows).toHaveLength(0);
  });
}

/** The partner API of `to` as region `from` calls it: `from`'s certificate, `to`'s CA and name. */
export function partnerClientOf(
  keysDir: string,
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
