import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { loadRegion } from '@tongban/domain';
import {
  decodeEnvelope,
  decodePayload,
  ensureTopics,
  type DecodedEnvelope,
  type TopicNaming,
} from '@tongban/kafka';
import { GrpcHost, runService, ServiceContext } from '@tongban/service-kit';
import { readTopic, testInfrastructure, type IsolatedDatabase } from '@tongban/testing';
import type { ProtoMessageType } from '@tongban/contracts';
import { AppModule } from '../src/app.module';
import { loadExchangeConfig, type ExchangeConfig } from '../src/config/exchange-config';
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
