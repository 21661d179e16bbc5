import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicantKind, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import { CaseReceived } from '@tongban/contracts/tongban/exchange/v1/events';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import {
  CaseApproved,
  CaseRejected,
  ReviewStarted,
} from '@tongban/contracts/tongban/review/v1/events';
import {
  Decision,
  ReviewServiceService,
  TaskState,
} from '@tongban/contracts/tongban/review/v1/review';
import { loadRegion } from '@tongban/domain';
import {
  createKafkaClient,
  decodeEnvelope,
  decodePayload,
  ensureTopics,
  EventProducer,
  newEventMetadata,
  TopicNaming,
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
import { AppModule } from '../src/app.module';
import { loadReviewConfig, type ReviewConfig } from '../src/review-config';

const REGION = '429005';
const repo = path.resolve(__dirname, '../../..');
let database: IsolatedDatabase;
let app: INestApplication;
let context: ServiceContext<ReviewConfig>;
let naming: TopicNaming;
let producer: EventProducer;
let review: PromiseClient<typeof ReviewServiceService>;

beforeAll(async () => {
  const infrastructure = testInfrastructure();
  database = await createIsolatedDatabase({ purpose: 'review' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  const prefix = uniqueTopicPrefix();
  const config = loadReviewConfig({
    REGION,
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  });
  context = new ServiceContext(
    config,
    loadRegion(path.join(repo, `deploy/regions/${REGION}.yaml`)),
  );
  naming = context.naming;
  const client = createKafkaClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: 'review-test',
  });
  await ensureTopics(client, [naming.events('exchange')]);
  producer = new EventProducer(client);
  await producer.connect();
  app = await runService(AppModule.forRoot(context), context, { shutdownHooks: false });
  review = grpcClient(ReviewServiceService, `127.0.0.1:${String(app.get(GrpcHost).port)}`);
});

afterAll(async () => {
  review.close();
  await app.close();
  await producer.disconnect();
  await database.drop();
});

let sequence = 0;
function received(
  itemCode: string,
  fields: Record<string, string>,
  materials: string[],
): OutgoingEvent<CaseReceived> {
  sequence += 1;
  const caseId = `411700-20261122-${String(sequence).padStart(6, '0')}`;
  const submitted = CaseSubmitted.fromPartial({
    caseId,
    originRegion: '411700',
    handlingRegion: REGION,
    itemCode,
    applicant: {
      kind: ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: '110101199003070000',
      name: '王某',
      phone: '13800000000',
    },
    materials: materials.map((code) => ({
      code,
      name: code,
      sha256: 'a'.repeat(64),
      sizeBytes: 10,
    })),
    delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
    fields,
  });
  return {
    metadata: newEventMetadata({ caseId, region: REGION, service: 'exchange' }),
    type: CaseReceived,
    payload: { case: submitted, receivedAt: new Date(), messageId: `m-${String(sequence)}` },
  };
}

async function reviewEventsOf(caseId: string, count: number) {
  return eventually(async () => {
    const messages = await readTopic(testInfrastructure().kafkaBrokers, naming.events('review'), {
      count: 1_000,
      timeoutMs: 1_000,
    });
    const events = messages
      .map((message) => decodeEnvelope(message.value))
      .filter((envelope) => envelope.metadata.caseId === caseId);
    expect(events.length).toBeGreaterThanOrEqual(count);
    return events;
  });
}

const retiree = {
  withdrawal_reason: 'RETIREMENT',
  account_number: '4290050001',
  bank_account: '6222000011112222',
  bank_name: '中国工商银行潜江支行',
  outstanding_loan: 'NO',
};
const retireeMaterials = ['ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'];

describe('review service', () => {
  it('decides an INSTANT item by its rules with no human step (秒批)', async () => {
    const event = received('HPF_RETIREMENT_WITHDRAWAL', retiree, retireeMaterials);
    await producer.publish(naming.events('exchange'), [event]);
    const events = await reviewEventsOf(event.metadata.caseId, 2);
    expect(events.map((envelope) => envelope.typeName)).toEqual([
      ReviewStarted.$type,
      CaseApproved.$type,
    ]);
    const approved = decodePayload(CaseApproved, events[1]!);
    expect(approved).toMatchObject({
      caseId: event.metadata.caseId,
      originRegion: '411700',
      decidedBy: 'rule:retiree-withdrawal',
    });
    expect(events[1]!.metadata.correlationId).toBe(event.metadata.correlationId);
  });

  it('rejects an INSTANT case its rules refuse, with the rule’s reason', async () => {
    const event = received(
      'HPF_RETIREMENT_WITHDRAWAL',
      { ...retiree, outstanding_loan: 'YES' },
      retireeMaterials,
    );
    await producer.publish(naming.events('exchange'), [event]);
    const events = await reviewEventsOf(event.metadata.caseId, 2);
    const rejected = decodePayload(CaseRejected, events[1]!);
    expect(rejected.reason).toMatch(/未结清的住房公积金贷款/);
  });

  it('keeps a STANDARD item open for a reviewer, who approves it through the API', async () => {
    const event = received('PENSION_TRANSFER', {}, [
      'ID_CARD',
      'TRANSFER_APPLICATION',
      'CONTRIBUTION_CERTIFICATE',
    ]);
    await producer.publish(naming.events('exchange'), [event]);
    const [started] = await reviewEventsOf(event.metadata.caseId, 1);
    const taskId = decodePayload(ReviewStarted, started!).taskId;

    const open = await review.listTasks({
      states: [TaskState.TASK_STATE_OPEN],
      pageSize: 100,
      pageToken: '',
    });
    expect(open.tasks.map((task) => task.caseId)).toContain(event.metadata.caseId);

    const refused = await review
      .decide({
        taskId,
        decision: Decision.DECISION_REJECT,
        reason: ' ',
        reviewer: 'qj-reviewer-1',
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GrpcCallError);
    expect(refused).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'REVIEW.REASON_REQUIRED',
    });

    const decided = await review.decide({
      taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-reviewer-1',
    });
    expect(decided.task?.state).toBe(TaskState.TASK_STATE_APPROVED);
    const events = await reviewEventsOf(event.metadata.caseId, 2);
    expect(decodePayload(CaseApproved, events[1]!).decidedBy).toBe('qj-reviewer-1');

    const again = await review
      .decide({
        taskId,
        decision: Decision.DECISION_REJECT,
        reason: '重复',
        reviewer: 'qj-reviewer-2',
      })
      .catch((error: unknown) => error);
    expect(again).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'REVIEW.ALREADY_DECIDED',
    });
  });

  it('opens one task when the same event arrives twice', async () => {
    const event = received('PENSION_TRANSFER', {}, ['ID_CARD']);
    await producer.publish(naming.events('exchange'), [event, event]);
    await reviewEventsOf(event.metadata.caseId, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const tasks = await database.pool.query('SELECT id FROM review_task WHERE case_id = $1', [
      event.metadata.caseId,
    ]);
    expect(tasks.rowCount).toBe(1);
  });

  it('answers NOT_FOUND for an unknown task', async () => {
    const error = await review
      .getTask({ taskId: '00000000-0000-0000-0000-000000000000' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ grpcCode: status.NOT_FOUND, errorCode: 'REVIEW.TASK_NOT_FOUND' });
  });

  it('is ready over HTTP once started', async () => {
    const address = (app.getHttpServer() as Server).address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${String(address.port)}/health/ready`);
    expect(response.status).toBe(200);
  });

  it('has a migrated database that matches its Prisma schema', async () => {
    await assertDatabaseMatchesPrismaSchema({
      databaseUrl: database.url,
      schemaPath: path.join(__dirname, '../prisma/schema.prisma'),
      ignoreTables: PLATFORM_TABLES,
    });
  });
});
