import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { expect } from 'vitest';
import type { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import {
  CaseForwarded,
  RemoteNotice,
  RemoteStatusChanged,
} from '@tongban/contracts/tongban/exchange/v1/events';
import type { CaseNotice } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { IntakeServiceService, type Case } from '@tongban/contracts/tongban/intake/v1/intake';
import {
  createKafkaClient,
  decodeEnvelope,
  ensureTopics,
  EventProducer,
  newEventMetadata,
  type DecodedEnvelope,
  type OutgoingEvent,
  type TopicNaming,
} from '@tongban/kafka';
import {
  grpcClient,
  GrpcCallError,
  GrpcHost,
  migrateServiceDatabase,
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
import { createLogger } from '@tongban/telemetry';
import { AppModule } from '../src/app.module';
import { IntakeSettings, loadIntakeConfig } from '../src/intake-settings';
import { HANDLER, ORIGIN, regionFile, startDirectory } from './support';

/**
 * Intake of 411700 as it runs: its own database, a fresh topic prefix, real Kafka, the partner
 * catalogs from a real gRPC DirectoryService stand-in, and a producer playing the region's
 * exchange. Small upload limits so the limit checks are cheap to reach.
 */
export async function startIntake(reachable: readonly string[] = [HANDLER]) {
  const infrastructure = testInfrastructure();
  const [database, directory, blobDir] = await Promise.all([
    createIsolatedDatabase({ purpose: 'intake' }),
    startDirectory(reachable),
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
    CATALOG_CACHE_SECONDS: '3600',
    MATERIAL_MAX_BYTES: String(64 * 1024),
    UPLOAD_MAX_BYTES: String(256 * 1024),
    SURVEY_MEDIUM_MAX_BYTES: String(64 * 1024),
    SURVEY_UPLOAD_MAX_BYTES: String(256 * 1024),
  });
  const context = new ServiceContext(config, regionFile(ORIGIN));
  // Every line intake's own code logs, at every level, kept for the test to read (personal data
  // must never be among them); the platform's clients keep logging warnings to the console.
  const logLines: string[] = [];
  Object.assign(context, {
    logger: createLogger({
      service: config.service,
      region: config.REGION,
      level: 'debug',
      destination: { write: (line: string) => void logLines.push(line) },
    }),
  });
  const naming = context.naming;
  const client = createKafkaClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: 'intake-test',
  });
  await ensureTopics(client, [naming.events('exchange')]);
  const producer = new EventProducer(client);
  await producer.connect();
  const app: INestApplication = await runService(
    AppModule.forRoot(context, IntakeSettings.from(config)),
    context,
    { shutdownHooks: false },
  );
  const intake = grpcClient(IntakeServiceService, `127.0.0.1:${String(app.get(GrpcHost).port)}`);
  return new IntakeHarness(database, naming, producer, intake, blobDir, logLines, async () => {
    intake.close();
    await app.close();
    await producer.disconnect();
    await directory.stop();
    await database.drop();
    await fs.rm(blobDir, { recursive: true, force: true });
  });
}

type Table =
  | 'intake_case'
  | 'case_material'
  | 'timeline_entry'
  | 'outbox'
  | 'bundle'
  | 'case_reply'
  | 'survey_medium'
  | 'renewal_offer';

export class IntakeHarness {
  constructor(
    readonly database: IsolatedDatabase,
    readonly naming: TopicNaming,
    private readonly producer: EventProducer,
    readonly intake: PromiseClient<typeof IntakeServiceService>,
    readonly blobDir: string,
    /** What intake logged so far, one JSON line each. */
    readonly logLines: readonly string[],
    readonly stop: () => Promise<void>,
  ) {}

  async count(table: Table): Promise<number> {
    const result = await this.database.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table}`,
    );
    return Number(result.rows[0]?.n);
  }

  /** What a refused request must leave as it was: rows, events, blobs. */
  async footprint(): Promise<Record<string, number>> {
    const tables: Table[] = [
      'intake_case',
      'case_material',
      'timeline_entry',
      'outbox',
      'bundle',
      'case_reply',
      'survey_medium',
      'renewal_offer',
    ];
    const counts = await Promise.all(tables.map((table) => this.count(table)));
    const entries = await fs.readdir(this.blobDir, { recursive: true, withFileTypes: true });
    return {
      ...Object.fromEntries(tables.map((table, index) => [table, counts[index] ?? -1])),
      blobs: entries.filter((entry) => entry.isFile()).length,
    };
  }

  async blob(sha256: string): Promise<Buffer> {
    return fs.readFile(path.join(this.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256));
  }

  /** The case's events on intake's topic, once at least `atLeast` are there. */
  async intakeEvents(caseId: string, atLeast: number): Promise<DecodedEnvelope[]> {
    return eventually(async () => {
      const messages = await readTopic(
        testInfrastructure().kafkaBrokers,
        this.naming.events('intake'),
        { count: 1_000, timeoutMs: 1_000 },
      );
      const events = messages
        .map((message) => decodeEnvelope(message.value))
        .filter((envelope) => envelope.metadata.caseId === caseId);
      expect(events.length).toBeGreaterThanOrEqual(atLeast);
      return events;
    });
  }

  async publish(...events: OutgoingEvent[]): Promise<void> {
    await this.producer.publish(this.naming.events('exchange'), events);
  }

  async caseWhen(caseId: string, predicate: (found: Case) => boolean): Promise<Case> {
    return eventually(async () => {
      const found = (await this.intake.getCase({ caseId })).case;
      expect(found && predicate(found)).toBe(true);
      return found!;
    });
  }

  /** Waits until the events were consumed and committed (a dead-lettered one never is). */
  async handled(events: readonly OutgoingEvent[]): Promise<void> {
    await eventually(async () => {
      const found = await this.database.pool.query('SELECT 1 FROM inbox WHERE event_id = ANY($1)', [
        events.map((event) => event.metadata.eventId),
      ]);
      expect(found.rowCount).toBe(events.length);
    });
  }
}

/** What the region's exchange publishes about one of our cases. */
export function fromExchange<T>(
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

export const forwarded = (caseId: string, handlingRegion = HANDLER) =>
  fromExchange(caseId, CaseForwarded, {
    caseId,
    handlingRegion,
    messageId: `m-${caseId}`,
    acknowledgedAt: new Date(),
  });

export const reported = (
  caseId: string,
  status: CaseStatus,
  extra: Partial<RemoteStatusChanged> = {},
) =>
  fromExchange(
    caseId,
    RemoteStatusChanged,
    RemoteStatusChanged.fromPartial({
      caseId,
      handlingRegion: HANDLER,
      status,
      at: new Date(),
      ...extra,
    }),
  );

export const noticed = (caseId: string, notice: Partial<CaseNotice>, handlingRegion = HANDLER) =>
  fromExchange(
    caseId,
    RemoteNotice,
    RemoteNotice.fromPartial({ caseId, handlingRegion, notice: { at: new Date(), ...notice } }),
  );

export async function refusal(call: Promise<unknown>): Promise<GrpcCallError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrpcCallError);
  return error as GrpcCallError;
}
