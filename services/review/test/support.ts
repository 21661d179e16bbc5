import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { expect } from 'vitest';
import type { ProtoMessageType } from '@tongban/contracts';
import {
  ApplicantKind,
  CaseStatus,
  DeliveryMethod,
  type Agent,
  type MaterialRef,
  type PostalAddress,
  type SurveyMedium,
} from '@tongban/contracts/tongban/case/v1/case';
import {
  CaseReceived,
  RemoteStatusChanged,
  SupplementArrived,
  SurveyMediaArrived,
} from '@tongban/contracts/tongban/exchange/v1/events';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import {
  CaseApproved,
  CaseRejected,
  DeadlineApproaching,
  DeadlineOverdue,
  PreReviewPassed,
  ReviewStarted,
  SupplementReceived,
  SupplementRequested,
  SurveyAccepted,
  SurveyEvidenceReceived,
  SurveyRequested,
} from '@tongban/contracts/tongban/review/v1/events';
import { ReviewServiceService } from '@tongban/contracts/tongban/review/v1/review';
import { loadRegion, type Region } from '@tongban/domain';
import {
  createKafkaClient,
  ensureTopics,
  EventConsumer,
  EventProducer,
  newEventMetadata,
  on,
  TopicNaming,
  type ConsumedEvent,
  type EventMetadata,
  type OutgoingEvent,
} from '@tongban/kafka';
import {
  grpcClient,
  GrpcHost,
  runService,
  ServiceClock,
  ServiceContext,
  type PromiseClient,
} from '@tongban/service-kit';
import { eventually, testInfrastructure } from '@tongban/testing';
import { AppModule } from '../src/app.module';
import { loadReviewConfig } from '../src/review-config';

export const REGION = '429005';
export const ORIGIN = '411700';
const repo = path.resolve(__dirname, '../../..');

export function regionFile(code = REGION): Region {
  return loadRegion(path.join(repo, `deploy/regions/${code}.yaml`));
}

/** A clock the test moves by hand: the service reads every business "now" from it. */
export class TestClock extends ServiceClock {
  private at: number;

  constructor(start: Date) {
    super(0);
    this.at = start.getTime();
  }

  override now(): Date {
    return new Date(this.at);
  }

  set(at: Date): Date {
    this.at = at.getTime();
    return this.now();
  }

  advance(ms: number): Date {
    this.at += ms;
    return this.now();
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export type Review = PromiseClient<typeof ReviewServiceService>;

/** One running review service on a test database and topic prefix. */
export interface RunningReview {
  app: INestApplication;
  context: ServiceContext;
  review: Review;
  /** host:port of the gRPC server, for calls the promise client cannot make (streams). */
  address: string;
  stop(): Promise<void>;
}

export async function startReview(options: {
  databaseUrl: string;
  prefix: string;
  region?: Region;
  clock?: ServiceClock;
  env?: Record<string, string>;
}): Promise<RunningReview> {
  const infrastructure = testInfrastructure();
  const config = loadReviewConfig({
    REGION,
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: options.prefix,
    LOG_LEVEL: 'warn',
    // Tests sweep when they moved the clock; the start-up sweep still runs.
    REVIEW_SWEEP_INTERVAL_MS: '3600000',
    ...options.env,
  });
  const context = new ServiceContext(config, options.region ?? regionFile());
  // The context's clock is read at every call: a test clock set here drives the whole service.
  if (options.clock) Object.assign(context, { clock: options.clock });
  const app = await runService(AppModule.forRoot(context), context, { shutdownHooks: false });
  const address = `127.0.0.1:${String(app.get(GrpcHost).port)}`;
  const review = grpcClient(ReviewServiceService, address);
  return {
    app,
    context,
    review,
    address,
    stop: async () => {
      review.close();
      await app.close();
    },
  };
}

/** Publishes what the exchange would publish, on the exchange's topic of the test prefix. */
export class ExchangeStub {
  private constructor(
    private readonly producer: EventProducer,
    readonly topic: string,
  ) {}

  static async start(prefix: string): Promise<ExchangeStub> {
    const client = createKafkaClient({
      brokers: testInfrastructure().kafkaBrokers,
      clientId: 'review-test-exchange',
    });
    const topic = new TopicNaming(REGION, prefix).events('exchange');
    await ensureTopics(client, [topic]);
    const producer = new EventProducer(client);
    await producer.connect();
    return new ExchangeStub(producer, topic);
  }

  async publish(...events: OutgoingEvent[]): Promise<void> {
    await this.producer.publish(this.topic, events);
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}

const REVIEW_EVENTS = [
  ReviewStarted,
  CaseApproved,
  CaseRejected,
  PreReviewPassed,
  SupplementRequested,
  SupplementReceived,
  SurveyRequested,
  SurveyEvidenceReceived,
  SurveyAccepted,
  DeadlineApproaching,
  DeadlineOverdue,
] as const;

export type CollectedEvent = ConsumedEvent<unknown>;

/** Every review event of the test prefix, in partition (so per case) order. */
export class ReviewEventLog {
  private constructor(
    private readonly consumer: EventConsumer,
    private readonly producer: EventProducer,
    readonly events: CollectedEvent[],
  ) {}

  static async start(prefix: string): Promise<ReviewEventLog> {
    const naming = new TopicNaming(REGION, prefix);
    const client = createKafkaClient({
      brokers: testInfrastructure().kafkaBrokers,
      clientId: 'review-test-log',
    });
    const producer = new EventProducer(client);
    await producer.connect();
    await ensureTopics(client, [naming.events('review'), naming.deadLetters('review-test')]);
    const events: CollectedEvent[] = [];
    const collect = (event: CollectedEvent) => {
      events.push(event);
      return Promise.resolve();
    };
    const consumer = new EventConsumer(client, {
      groupId: `review-test-${randomUUID()}`,
      topics: [naming.events('review')],
      routes: REVIEW_EVENTS.map((type) => on(type as ProtoMessageType<unknown>, collect)),
      deadLetterTopic: naming.deadLetters('review-test'),
      producer,
    });
    await consumer.start();
    return new ReviewEventLog(consumer, producer, events);
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.producer.disconnect();
  }

  of(caseId: string): CollectedEvent[] {
    return this.events.filter((event) => event.metadata.caseId === caseId);
  }

  /** Type names of the case's events once the last one is `last` (the barrier of a test). */
  async until(caseId: string, last: ProtoMessageType<unknown>, count = 1): Promise<string[]> {
    return eventually(() => {
      const events = this.of(caseId);
      expect(events.filter((event) => event.typeName === last.$type).length).toBeGreaterThanOrEqual(
        count,
      );
      return events.map((event) => event.typeName);
    });
  }

  /** The `index`-th (0-based) event of `type` for the case, waiting for it. */
  async payload<T>(caseId: string, type: ProtoMessageType<T>, index = 0): Promise<T> {
    return eventually(() => {
      const matching = this.of(caseId).filter((event) => event.typeName === type.$type);
      expect(matching.length).toBeGreaterThan(index);
      return matching[index]!.payload as T;
    });
  }
}

let sequence = 0;
/** A case id of the origin, unique per test run. */
export function nextCaseId(origin = ORIGIN): string {
  sequence += 1;
  return `${origin}-20261201-${String(process.pid % 1000).padStart(3, '0')}${String(sequence).padStart(3, '0')}`;
}

function metadata(caseId: string): EventMetadata {
  return newEventMetadata({ caseId, region: REGION, service: 'exchange' });
}

export function material(code: string): MaterialRef {
  return {
    code,
    name: code,
    sha256: randomUUID().replaceAll('-', '').padEnd(64, '0'),
    sizeBytes: 1_024,
    contentType: 'application/pdf',
  };
}

export const zhumadianHome: PostalAddress = {
  recipient: '李某',
  phone: '13912345678',
  divisionCode: '411702',
  line: '河南省驻马店市驿城区交通路18号',
  postalCode: '463000',
};

/** The exchange accepted a case of the origin for one of our items. */
export function caseReceived(options: {
  itemCode: string;
  receivedAt: Date;
  fields?: Record<string, string>;
  /** Material codes (with made-up content addresses), or the materials as they are. */
  materials?: (string | MaterialRef)[];
  caseId?: string;
  origin?: string;
  agent?: Agent;
  materialsPickup?: PostalAddress;
  applicantKind?: ApplicantKind;
}): OutgoingEvent<CaseReceived> {
  const origin = options.origin ?? ORIGIN;
  const caseId = options.caseId ?? nextCaseId(origin);
  const submitted = CaseSubmitted.fromPartial({
    caseId,
    originRegion: origin,
    handlingRegion: REGION,
    itemCode: options.itemCode,
    applicant: {
      kind: options.applicantKind ?? ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: '110101199003070000',
      name: '王某',
      phone: '13800000000',
    },
    materials: (options.materials ?? []).map((ref) =>
      typeof ref === 'string' ? material(ref) : ref,
    ),
    delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
    fields: options.fields ?? {},
    agent: options.agent,
    materialsPickup: options.materialsPickup,
  });
  return {
    metadata: metadata(caseId),
    type: CaseReceived,
    payload: { case: submitted, receivedAt: options.receivedAt, messageId: randomUUID() },
  };
}

export function supplementArrived(
  caseId: string,
  round: number,
  materials: (string | MaterialRef)[],
  note = '已按要求补正',
): OutgoingEvent<SupplementArrived> {
  return {
    metadata: metadata(caseId),
    type: SupplementArrived,
    payload: {
      caseId,
      originRegion: ORIGIN,
      supplement: {
        round,
        materials: materials.map((ref) => (typeof ref === 'string' ? material(ref) : ref)),
        note,
      },
      receivedAt: new Date(),
      messageId: randomUUID(),
    },
  };
}

export function surveyMediaArrived(
  caseId: string,
  round: number,
  media: (Pick<SurveyMedium, 'checkpoint' | 'contentType' | 'capturedAt'> &
    Partial<Pick<SurveyMedium, 'sha256' | 'sizeBytes' | 'description'>>)[],
): OutgoingEvent<SurveyMediaArrived> {
  return {
    metadata: metadata(caseId),
    type: SurveyMediaArrived,
    payload: {
      caseId,
      originRegion: ORIGIN,
      evidence: {
        round,
        media: media.map((medium) => ({
          sha256: randomUUID().replaceAll('-', '').padEnd(64, 'f'),
          sizeBytes: 204_800,
          description: `${medium.checkpoint} 现场照片`,
          ...medium,
        })),
      },
      receivedAt: new Date(),
      messageId: randomUUID(),
    },
  };
}

export function remoteStatusChanged(
  caseId: string,
  status: CaseStatus,
  handlingRegion: string,
): OutgoingEvent<RemoteStatusChanged> {
  return {
    metadata: metadata(caseId),
    type: RemoteStatusChanged,
    payload: RemoteStatusChanged.fromPartial({
      caseId,
      handlingRegion,
      status,
      at: new Date(),
      note: '申请人撤回',
    }),
  };
}

export { CaseStatus };

/** The error a refused call answered with (the call must be refused). */
export async function refusal(
  call: Promise<unknown>,
): Promise<{ grpcCode: number; errorCode: string; message: string }> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error as { grpcCode: number; errorCode: string; message: string },
  );
  expect(outcome, 'the call should have been refused').toBeDefined();
  return outcome!;
}
