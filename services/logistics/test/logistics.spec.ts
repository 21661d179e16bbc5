import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryMethod, PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { CertificateBody } from '@tongban/contracts/tongban/certificate/v1/certificate';
import { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import {
  ShipmentDelivered,
  ShipmentDispatched,
  ShipmentException,
  ShipmentExceptionResolved,
  ShipmentTracked,
} from '@tongban/contracts/tongban/logistics/v1/events';
import {
  ExceptionState,
  LogisticsServiceService,
  Resolution,
  ShipmentKind,
  ShipmentState,
  type ResolveExceptionRequest,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import { PreReviewPassed } from '@tongban/contracts/tongban/review/v1/events';
import { loadRegion } from '@tongban/domain';
import {
  createKafkaClient,
  DLQ_HEADERS,
  ensureTopics,
  EventConsumer,
  EventProducer,
  newEventMetadata,
  on,
  type ConsumedEvent,
  type OutgoingEvent,
} from '@tongban/kafka';
import { assertDatabaseMatchesPrismaSchema } from '@tongban/persistence';
import {
  grpcClient,
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
  startCarrierSimulator,
  testInfrastructure,
  uniqueTopicPrefix,
  type IsolatedDatabase,
  type RunningCarrierSimulator,
} from '@tongban/testing';
import { AppModule } from '../src/app.module';
import {
  CarrierAdapter,
  type CarrierShipment,
  type CreatedShipment,
  type CreateShipmentRequest,
  type TrackingUpdate,
  type WebhookHeaders,
} from '../src/carrier/carrier.adapter';
import { SimulatorCarrierAdapter } from '../src/carrier/simulator-carrier.adapter';
import { signWebhook } from '../src/carrier/webhook-signature';
import { loadLogisticsConfig, webhookUrl, type LogisticsConfig } from '../src/logistics-config';

const REGION = '429005';
const SECRET = 'whsec_logistics_service_test';
const repo = path.resolve(__dirname, '../../..');

/**
 * The real simulator adapter, which a test can interrupt the way a crash would: after the carrier
 * accepted an order and before the service stored the tracking number.
 */
class InterruptibleCarrier extends CarrierAdapter {
  readonly carrier: string;
  /** Every accepted order: case id and the tracking number the carrier answered. */
  readonly accepted: { caseId: string; trackingNumber: string }[] = [];
  private readonly interruptions = new Map<
    string,
    { onAccepted: (created: CreatedShipment) => void; resume: Promise<void> }
  >();

  constructor(private readonly real: CarrierAdapter) {
    super();
    this.carrier = real.carrier;
  }

  /** The next order of `caseId` dies once the carrier accepted it, when `resume` is called. */
  interruptAfterAccepting(caseId: string): {
    accepted: Promise<CreatedShipment>;
    resume: () => void;
  } {
    let onAccepted!: (created: CreatedShipment) => void;
    let resume!: () => void;
    const accepted = new Promise<CreatedShipment>((resolve) => (onAccepted = resolve));
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    this.interruptions.set(caseId, { onAccepted, resume: resumed });
    return { accepted, resume };
  }

  async createShipment(request: CreateShipmentRequest): Promise<CreatedShipment> {
    const created = await this.real.createShipment(request);
    this.accepted.push({ caseId: request.caseId, trackingNumber: created.trackingNumber });
    const interruption = this.interruptions.get(request.caseId);
    if (interruption) {
      this.interruptions.delete(request.caseId);
      interruption.onAccepted(created);
      await interruption.resume;
      throw new Error('the process died before it stored the tracking number');
    }
    return created;
  }

  getShipment(trackingNumber: string): Promise<CarrierShipment> {
    return this.real.getShipment(trackingNumber);
  }

  parseWebhook(headers: WebhookHeaders, rawBody: Uint8Array | string): TrackingUpdate {
    return this.real.parseWebhook(headers, rawBody);
  }
}

type LogisticsEvent = ConsumedEvent<
  | ShipmentDispatched
  | ShipmentTracked
  | ShipmentDelivered
  | ShipmentException
  | ShipmentExceptionResolved
>;

let database: IsolatedDatabase;
let simulator: RunningCarrierSimulator;
let carrier: InterruptibleCarrier;
let app: INestApplication;
let context: ServiceContext<LogisticsConfig>;
let producer: EventProducer;
let collector: EventConsumer;
let logistics: PromiseClient<typeof LogisticsServiceService>;
let webhookEndpoint: string;
/** The result mailed by the first test, delivered: a parcel without an exception. */
let mailed: OutgoingEvent<CertificateIssued>;
/** Every event the service published, in topic order (one partition per case). */
const published: LogisticsEvent[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

beforeAll(async () => {
  const infrastructure = testInfrastructure();
  database = await createIsolatedDatabase({ purpose: 'logistics' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  simulator = await startCarrierSimulator({
    webhookSecret: SECRET,
    speed: 100_000,
    seed: 'logistics-service',
    webhook: { retryInitialMs: 50, retryMaxMs: 500 },
    // Some acknowledged webhooks come again, as when an acknowledgement is lost.
    failures: { webhookErrorRate: 0.2 },
  });
  const httpPort = await freePort();
  const config = loadLogisticsConfig({
    REGION,
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    LOG_LEVEL: 'warn',
    HTTP_PORT: String(httpPort),
    CARRIER_URL: simulator.url,
    CARRIER_API_KEY: simulator.apiKey,
    CARRIER_WEBHOOK_SECRET: SECRET,
    LOGISTICS_PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
    // No sender settings, as the region stack starts it: the placeholders must do for the carrier.
  });
  webhookEndpoint = webhookUrl(config, 'SIM');
  context = new ServiceContext(
    config,
    loadRegion(path.join(repo, `deploy/regions/${REGION}.yaml`)),
  );
  carrier = new InterruptibleCarrier(
    new SimulatorCarrierAdapter({
      baseUrl: config.CARRIER_URL,
      apiKey: config.CARRIER_API_KEY,
      webhookSecret: config.CARRIER_WEBHOOK_SECRET,
      callbackUrl: webhookEndpoint,
    }),
  );
  const client = createKafkaClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: 'logistics-test',
  });
  await ensureTopics(client, [
    context.naming.events('certificate'),
    context.naming.events('review'),
  ]);
  producer = new EventProducer(client);
  await producer.connect();
  app = await runService(AppModule.forRoot(context, { carrier }), context, {
    shutdownHooks: false,
  });
  const collect = (event: LogisticsEvent) => {
    published.push(event);
    return Promise.resolve();
  };
  collector = new EventConsumer(client, {
    groupId: `logistics-test-${randomUUID()}`,
    topics: [context.naming.events('logistics')],
    routes: [
      on(ShipmentDispatched, collect),
      on(ShipmentTracked, collect),
      on(ShipmentDelivered, collect),
      on(ShipmentException, collect),
      on(ShipmentExceptionResolved, collect),
    ],
    deadLetterTopic: context.naming.deadLetters('logistics-test'),
    producer,
  });
  await ensureTopics(client, [context.naming.deadLetters('logistics-test')]);
  await collector.start();
  logistics = grpcClient(LogisticsServiceService, `127.0.0.1:${String(app.get(GrpcHost).port)}`);
});

afterAll(async () => {
  logistics.close();
  await collector.stop();
  await app.close();
  await simulator.stop();
  await producer.disconnect();
  await database.drop();
});

const zhumadian: PostalAddress = {
  recipient: '王芳',
  phone: '13912345678',
  divisionCode: '411702',
  line: '河南省驻马店市驿城区交通路18号',
  postalCode: '463000',
};

let sequence = 0;
function nextCaseId(originRegion = '411700'): string {
  sequence += 1;
  return `${originRegion}-20261201-${String(sequence).padStart(6, '0')}`;
}

function certificateIssued(
  method: DeliveryMethod,
  address: PostalAddress = zhumadian,
  originRegion = '411700',
): OutgoingEvent<CertificateIssued> {
  const caseId = nextCaseId(originRegion);
  const certificateId = randomUUID();
  const body = CertificateBody.fromPartial({
    certificateId,
    issuerRegion: REGION,
    certificateType: '基本养老保险关系转移接续联系函',
    caseId,
    itemCode: 'PENSION_TRANSFER',
    holderName: '王芳',
    issuedAt: new Date(),
    verificationCode: 'QJ-TEST',
  });
  return {
    metadata: newEventMetadata({ caseId, region: REGION, service: 'certificate' }),
    type: CertificateIssued,
    payload: {
      caseId,
      originRegion,
      certificateId,
      certificate: {
        body: Buffer.from(CertificateBody.encode(body).finish()),
        signature: Buffer.alloc(64),
        keyId: 'test',
      },
      delivery: {
        method,
        address: method === DeliveryMethod.DELIVERY_METHOD_MAIL ? address : undefined,
      },
    },
  };
}

/** The applicant's address where the carrier collects the original materials. */
const pickupAtHome: PostalAddress = {
  recipient: '李强',
  phone: '13812345678',
  divisionCode: '411702',
  line: '河南省驻马店市驿城区解放路66号',
  postalCode: '463000',
};

function preReviewPassed(
  caseId: string,
  materialsPickup: PostalAddress | undefined,
): OutgoingEvent<PreReviewPassed> {
  return {
    metadata: newEventMetadata({ caseId, region: REGION, service: 'review' }),
    type: PreReviewPassed,
    payload: {
      caseId,
      originRegion: '411700',
      reviewer: 'reviewer-wang',
      note: '材料齐全，请寄送原件',
      materialsPickup,
      itemCode: 'SMALL_CATERING_LICENSE',
    },
  };
}

function eventsOf(caseId: string): LogisticsEvent[] {
  return published.filter((event) => event.metadata.caseId === caseId);
}

/**
 * `Dispatched`, `Tracked:PICKED_UP`, `Delivered`, `Exception`, `ExceptionResolved`: the event
 * types and tracked states, in order.
 */
function journey(caseId: string): string[] {
  return eventsOf(caseId).map((event) => {
    const name = event.typeName.replace('tongban.logistics.v1.Shipment', '');
    const tracked = event.payload as ShipmentTracked;
    return event.typeName === ShipmentTracked.$type
      ? `${name}:${String(ShipmentState[tracked.event?.state ?? 0]).replace('SHIPMENT_STATE_', '')}`
      : name;
  });
}

const DELIVERED_JOURNEY = [
  'Tracked:CREATED',
  'Dispatched',
  'Tracked:PICKED_UP',
  'Tracked:IN_TRANSIT',
  'Tracked:IN_TRANSIT',
  'Tracked:IN_TRANSIT',
  'Tracked:DELIVERED',
  'Delivered',
];

const LOST_JOURNEY = [
  'Tracked:CREATED',
  'Dispatched',
  'Tracked:PICKED_UP',
  'Tracked:IN_TRANSIT',
  'Tracked:IN_TRANSIT',
  'Tracked:FAILED',
  'Exception',
];

async function untilJourneyEnds(caseId: string, last: string): Promise<string[]> {
  return eventually(
    () => {
      const events = journey(caseId);
      expect(events.at(-1)).toBe(last);
      return events;
    },
    { timeoutMs: 30_000 },
  );
}

async function shipmentRows(caseId: string) {
  const result = await database.pool.query<{
    id: string;
    tracking_number: string | null;
    state: string;
  }>('SELECT id, tracking_number, state FROM shipment WHERE case_id = $1', [caseId]);
  return result.rows;
}

async function postWebhook(
  body: string,
  signature: string,
): Promise<{ status: number; code?: string }> {
  const response = await fetch(webhookEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-carrier-signature': signature,
    },
    body,
  });
  const text = await response.text();
  const answer = text === '' ? {} : (JSON.parse(text) as { code?: string });
  return { status: response.status, code: answer.code };
}

function webhookBody(update: {
  trackingNumber: string;
  reference: string;
  sequence: number;
  state: string;
}): string {
  return JSON.stringify({
    ...update,
    at: new Date().toISOString(),
    location: '潜江市',
    description: '通达速运已接单，等待快递员上门揽收',
  });
}

const now = () => Math.floor(Date.now() / 1000);

describe('logistics service', () => {
  it('mails a result: one shipment, tracked by webhooks to DELIVERED, with events in order', async () => {
    mailed = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL);
    const caseId = mailed.metadata.caseId;
    const begun = Date.now();
    await producer.publish(context.naming.events('certificate'), [mailed]);

    expect(await untilJourneyEnds(caseId, 'Delivered')).toEqual(DELIVERED_JOURNEY);
    console.log(`CertificateIssued → ShipmentDelivered in ${Date.now() - begun} ms`);
    const events = eventsOf(caseId);
    const dispatched = events[1]!.payload as ShipmentDispatched;
    for (const event of events) {
      expect(event.metadata.correlationId).toBe(mailed.metadata.correlationId);
      expect(event.metadata.causationId).toBe(mailed.metadata.eventId);
      expect(event.payload).toMatchObject({
        caseId,
        originRegion: '411700',
        kind: ShipmentKind.SHIPMENT_KIND_RESULT,
        trackingNumber: dispatched.trackingNumber,
      });
    }
    expect((events.at(-1)!.payload as ShipmentDelivered).toWindow).toBe(false);
    expect(dispatched.carrier).toBe('SIM');
    expect(dispatched.trackingNumber).toMatch(/^SIM\d{12}$/);
    expect((events.at(-1)!.payload as ShipmentDelivered).trackingNumber).toBe(
      dispatched.trackingNumber,
    );

    const rows = await shipmentRows(caseId);
    expect(rows).toEqual([
      { id: dispatched.shipmentId, tracking_number: dispatched.trackingNumber, state: 'DELIVERED' },
    ]);

    const byCase = await logistics.getShipment({ caseId });
    expect(byCase.shipment).toMatchObject({
      shipmentId: dispatched.shipmentId,
      caseId,
      carrier: 'SIM',
      trackingNumber: dispatched.trackingNumber,
      state: ShipmentState.SHIPMENT_STATE_DELIVERED,
      address: zhumadian,
      kind: ShipmentKind.SHIPMENT_KIND_RESULT,
      exception: ExceptionState.EXCEPTION_STATE_NONE,
      replacedBy: '',
    });
    expect(byCase.shipment?.tracking.map((event) => event.state)).toEqual([
      ShipmentState.SHIPMENT_STATE_CREATED,
      ShipmentState.SHIPMENT_STATE_PICKED_UP,
      ShipmentState.SHIPMENT_STATE_IN_TRANSIT,
      ShipmentState.SHIPMENT_STATE_IN_TRANSIT,
      ShipmentState.SHIPMENT_STATE_IN_TRANSIT,
      ShipmentState.SHIPMENT_STATE_DELIVERED,
    ]);
    expect(byCase.shipment?.tracking.at(-1)?.location).toBe('驻马店市');
    const byId = await logistics.getShipment({ shipmentId: dispatched.shipmentId });
    expect(byId.shipment).toEqual(byCase.shipment);
  });

  it('mails once when the certificate event comes twice, or a second one for the same case', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL);
    const caseId = event.metadata.caseId;
    const reissued: OutgoingEvent<CertificateIssued> = {
      ...event,
      metadata: newEventMetadata({ caseId, region: REGION, service: 'certificate' }),
    };
    await producer.publish(context.naming.events('certificate'), [event, event, reissued]);
    await untilJourneyEnds(caseId, 'Delivered');
    // Time for anything doubled to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(journey(caseId)).toEqual(DELIVERED_JOURNEY);
    expect(await shipmentRows(caseId)).toHaveLength(1);
    expect(carrier.accepted.filter((order) => order.caseId === caseId)).toHaveLength(1);
  });

  it('mails nothing for an electronic result', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_ELECTRONIC);
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    await eventually(async () => {
      const inbox = await database.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [
        event.metadata.eventId,
      ]);
      expect(inbox.rowCount).toBe(1);
    });
    expect(await shipmentRows(caseId)).toEqual([]);
    expect(eventsOf(caseId)).toEqual([]);
    const error = await logistics.getShipment({ caseId }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      grpcCode: status.NOT_FOUND,
      errorCode: 'LOGISTICS.SHIPMENT_NOT_FOUND',
    });
  });

  it('parks a MAIL certificate without an address on the dead-letter topic, mailing nothing', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL);
    event.payload.delivery = { method: DeliveryMethod.DELIVERY_METHOD_MAIL, address: undefined };
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    const [parked] = await readTopic(
      testInfrastructure().kafkaBrokers,
      context.naming.deadLetters('logistics'),
      { count: 1, timeoutMs: 20_000 },
    );
    expect(parked?.key).toBe(caseId);
    expect(parked?.headers[DLQ_HEADERS.errorCode]).toBe('EVENT.INVALID_PAYLOAD');
    expect(await shipmentRows(caseId)).toEqual([]);
    expect(eventsOf(caseId)).toEqual([]);
  });

  it('refuses a tampered webhook with 401 and changes nothing', async () => {
    const caseId = mailed.metadata.caseId;
    const [shipment] = await shipmentRows(caseId);
    const trackingNumber = shipment!.tracking_number!;
    const eventsBefore = eventsOf(caseId).length;
    const rowsBefore = await database.pool.query('SELECT * FROM tracking_event ORDER BY 1, 2');

    const genuine = webhookBody({
      trackingNumber,
      reference: caseId,
      sequence: 7,
      state: 'IN_TRANSIT',
    });
    const signature = signWebhook(SECRET, genuine, now());
    const tampered = genuine.replace('"state":"IN_TRANSIT"', '"state":"FAILED"');
    expect(tampered).not.toBe(genuine);
    expect(await postWebhook(tampered, signature)).toEqual({
      status: 401,
      code: 'LOGISTICS.BAD_WEBHOOK_SIGNATURE',
    });
    expect(
      await postWebhook(genuine, signWebhook('whsec_guessed_by_someone_else', genuine, now())),
    ).toEqual({
      status: 401,
      code: 'LOGISTICS.BAD_WEBHOOK_SIGNATURE',
    });
    expect(await postWebhook(genuine, '')).toMatchObject({ status: 401 });

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await shipmentRows(caseId)).toEqual([shipment]);
    expect((await database.pool.query('SELECT * FROM tracking_event ORDER BY 1, 2')).rows).toEqual(
      rowsBefore.rows,
    );
    expect(eventsOf(caseId)).toHaveLength(eventsBefore);
  });

  it('answers a signed webhook for a tracking number it never ordered with 404', async () => {
    const body = webhookBody({
      trackingNumber: 'SIM000000000000',
      reference: '411700-20261201-999999',
      sequence: 1,
      state: 'CREATED',
    });
    expect(await postWebhook(body, signWebhook(SECRET, body, now()))).toEqual({
      status: 404,
      code: 'LOGISTICS.UNKNOWN_TRACKING_NUMBER',
    });
  });

  it('gets the same parcel back when the process dies between the carrier order and storing it', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL);
    const caseId = event.metadata.caseId;
    const crash = carrier.interruptAfterAccepting(caseId);
    await producer.publish(context.naming.events('certificate'), [event]);
    const { trackingNumber } = await crash.accepted;

    // The carrier has the parcel; this side has only the pending shipment row. Its webhooks are
    // sent back to wait (409) instead of being lost or refused for good.
    expect(await shipmentRows(caseId)).toMatchObject([{ tracking_number: null, state: 'CREATED' }]);
    const early = webhookBody({ trackingNumber, reference: caseId, sequence: 1, state: 'CREATED' });
    expect(await postWebhook(early, signWebhook(SECRET, early, now()))).toEqual({
      status: 409,
      code: 'LOGISTICS.SHIPMENT_NOT_READY',
    });

    crash.resume();
    expect(await untilJourneyEnds(caseId, 'Delivered')).toEqual(DELIVERED_JOURNEY);
    // Ordered twice under one shipment id: the carrier answered the same parcel both times.
    expect(carrier.accepted.filter((order) => order.caseId === caseId)).toEqual([
      { caseId, trackingNumber },
      { caseId, trackingNumber },
    ]);
    expect(await shipmentRows(caseId)).toMatchObject([
      { tracking_number: trackingNumber, state: 'DELIVERED' },
    ]);
  });

  it('reports a parcel the carrier lost as FAILED, and never as delivered', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL, {
      ...zhumadian,
      line: `${zhumadian.line} [LOST]`,
    });
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    expect(await untilJourneyEnds(caseId, 'Exception')).toEqual(LOST_JOURNEY);
    const { shipment } = await logistics.getShipment({ caseId });
    expect(shipment?.state).toBe(ShipmentState.SHIPMENT_STATE_FAILED);
    expect(shipment?.exception).toBe(ExceptionState.EXCEPTION_STATE_OPEN);
  });

  it('fails a shipment the carrier refuses, and tells the origin why', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL, {
      ...zhumadian,
      phone: '139-1234',
    });
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    expect(await untilJourneyEnds(caseId, 'Exception')).toEqual(['Tracked:FAILED', 'Exception']);
    const failed = eventsOf(caseId)[0]!.payload as ShipmentTracked;
    expect(failed.event?.description).toContain('INVALID_PHONE');
    expect(failed.event?.description).not.toContain('139-1234');
    const exception = eventsOf(caseId)[1]!.payload as ShipmentException;
    expect(exception).toMatchObject({
      kind: ShipmentKind.SHIPMENT_KIND_RESULT,
      trackingNumber: '',
      reason: failed.event?.description,
    });
    const { shipment } = await logistics.getShipment({ caseId });
    expect(shipment).toMatchObject({
      state: ShipmentState.SHIPMENT_STATE_FAILED,
      trackingNumber: '',
      exception: ExceptionState.EXCEPTION_STATE_OPEN,
      exceptionReason: failed.event?.description,
    });
  });

  it('answers INVALID_ARGUMENT without a shipment id or case id', async () => {
    const error = await logistics.getShipment({}).catch((e: unknown) => e);
    expect(error).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.SHIPMENT_KEY_REQUIRED',
    });
  });

  it('has a migrated database that matches its Prisma schema', async () => {
    await assertDatabaseMatchesPrismaSchema({
      databaseUrl: database.url,
      schemaPath: path.join(__dirname, '../prisma/schema.prisma'),
      ignoreTables: PLATFORM_TABLES,
    });
  });
});

function resolution(request: Partial<ResolveExceptionRequest>): ResolveExceptionRequest {
  return {
    shipmentId: '',
    resolution: Resolution.RESOLUTION_RESEND,
    note: '已电话联系申请人核实地址',
    resolvedBy: 'clerk-zhao',
    address: undefined,
    ...request,
  };
}

async function refusal(call: Promise<unknown>): Promise<{ grpcCode: number; errorCode: string }> {
  const error = await call.then(
    () => {
      throw new Error('the call was expected to be refused');
    },
    (e: unknown) => e as { grpcCode: number; errorCode: string },
  );
  return { grpcCode: error.grpcCode, errorCode: error.errorCode };
}

/** Everything this service holds and has published of a case. */
async function caseState(caseId: string) {
  const shipments = await database.pool.query(
    'SELECT * FROM shipment WHERE case_id = $1 ORDER BY kind, attempt',
    [caseId],
  );
  const outbox = await database.pool.query<{ count: string }>(
    'SELECT count(*) FROM outbox WHERE message_key = $1',
    [caseId],
  );
  return { shipments: shipments.rows, outbox: outbox.rows[0]?.count };
}

async function addresses(
  shipmentId: string,
): Promise<{ sender: PostalAddress; recipient: PostalAddress }> {
  const result = await database.pool.query<{ sender: Buffer; recipient: Buffer }>(
    'SELECT sender, recipient FROM shipment WHERE id = $1',
    [shipmentId],
  );
  const row = result.rows[0]!;
  return {
    sender: PostalAddress.decode(row.sender),
    recipient: PostalAddress.decode(row.recipient),
  };
}

function payloadsOf<T>(caseId: string, type: { $type: string }): T[] {
  return eventsOf(caseId)
    .filter((event) => event.typeName === type.$type)
    .map((event) => event.payload as T);
}

async function untilOpenException(caseId: string): Promise<ShipmentException> {
  await untilJourneyEnds(caseId, 'Exception');
  return payloadsOf<ShipmentException>(caseId, ShipmentException).at(-1)!;
}

/** The department of SMALL_CATERING_LICENSE at 潜江's service centre, with placeholder details. */
const department: PostalAddress = {
  recipient: '潜江市市场监督管理局',
  phone: '000-0000000',
  divisionCode: REGION,
  line: '湖北省潜江市政务服务中心',
  postalCode: '000000',
};

/** 驻马店's cross-province window, as 潜江's region file names it. */
const zhumadianWindow: PostalAddress = {
  recipient: '驻马店市民中心跨省通办窗口',
  phone: '0396-2600000',
  divisionCode: '411702',
  line: '驻马店市驿城区市民中心一楼跨省通办窗口',
  postalCode: '463000',
};

describe('mail both ways (邮寄办)', () => {
  it('collects the original materials at the applicant’s after pre-review and delivers them to the department', async () => {
    const caseId = nextCaseId();
    const passed = preReviewPassed(caseId, pickupAtHome);
    // Repeated, and a second pass of the same case: one pickup.
    const again = {
      ...passed,
      metadata: newEventMetadata({ caseId, region: REGION, service: 'review' }),
    };
    await producer.publish(context.naming.events('review'), [passed, passed, again]);

    expect(await untilJourneyEnds(caseId, 'Delivered')).toEqual(DELIVERED_JOURNEY);
    const events = eventsOf(caseId);
    const dispatched = events[1]!.payload as ShipmentDispatched;
    expect(dispatched.trackingNumber).toMatch(/^SIM\d{12}$/);
    for (const event of events) {
      expect(event.metadata.correlationId).toBe(passed.metadata.correlationId);
      expect(event.metadata.causationId).toBe(passed.metadata.eventId);
      expect(event.payload).toMatchObject({
        caseId,
        originRegion: '411700',
        shipmentId: dispatched.shipmentId,
        kind: ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
        trackingNumber: dispatched.trackingNumber,
      });
    }
    expect((events.at(-1)!.payload as ShipmentDelivered).toWindow).toBe(false);
    // Picked up in 驻马店, delivered to the department in 潜江.
    const tracked = payloadsOf<ShipmentTracked>(caseId, ShipmentTracked);
    expect(tracked[1]?.event?.location).toBe('驻马店市');
    expect(tracked.at(-1)?.event?.location).toBe('潜江市');
    expect(await addresses(dispatched.shipmentId)).toEqual({
      sender: pickupAtHome,
      recipient: department,
    });

    const { shipments } = await logistics.listShipments({ caseId, openExceptionsOnly: false });
    expect(shipments).toHaveLength(1);
    expect(shipments[0]).toMatchObject({
      shipmentId: dispatched.shipmentId,
      kind: ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
      state: ShipmentState.SHIPMENT_STATE_DELIVERED,
      // The applicant's side: where the materials were collected.
      address: pickupAtHome,
      exception: ExceptionState.EXCEPTION_STATE_NONE,
    });
    expect(carrier.accepted.filter((order) => order.caseId === caseId)).toHaveLength(1);
    // GetShipment by case answers the result parcel, which this case does not have yet.
    expect(await refusal(logistics.getShipment({ caseId }))).toEqual({
      grpcCode: status.NOT_FOUND,
      errorCode: 'LOGISTICS.SHIPMENT_NOT_FOUND',
    });
  });

  it('collects nothing when pre-review passed without a pickup address', async () => {
    const caseId = nextCaseId();
    const passed = preReviewPassed(caseId, undefined);
    await producer.publish(context.naming.events('review'), [passed]);
    await eventually(async () => {
      const inbox = await database.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [
        passed.metadata.eventId,
      ]);
      expect(inbox.rowCount).toBe(1);
    });
    expect(await shipmentRows(caseId)).toEqual([]);
    expect(eventsOf(caseId)).toEqual([]);
  });

  it('keeps a case’s pickup and its result apart: two parcels, each with its own tracking', async () => {
    const result = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL);
    const caseId = result.metadata.caseId;
    await producer.publish(context.naming.events('review'), [
      preReviewPassed(caseId, pickupAtHome),
    ]);
    await eventually(
      () => {
        expect(payloadsOf<ShipmentDelivered>(caseId, ShipmentDelivered)).toHaveLength(1);
      },
      { timeoutMs: 30_000 },
    );
    await producer.publish(context.naming.events('certificate'), [result]);
    await eventually(
      () => {
        expect(payloadsOf<ShipmentDelivered>(caseId, ShipmentDelivered)).toHaveLength(2);
      },
      { timeoutMs: 30_000 },
    );
    const delivered = payloadsOf<ShipmentDelivered>(caseId, ShipmentDelivered);
    expect(delivered.map((event) => event.kind)).toEqual([
      ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
      ShipmentKind.SHIPMENT_KIND_RESULT,
    ]);
    expect(delivered[0]!.trackingNumber).not.toBe(delivered[1]!.trackingNumber);
    const { shipments } = await logistics.listShipments({ caseId, openExceptionsOnly: false });
    expect(shipments.map((shipment) => shipment.kind)).toEqual([
      ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
      ShipmentKind.SHIPMENT_KIND_RESULT,
    ]);
    const { shipment } = await logistics.getShipment({ caseId });
    expect(shipment).toMatchObject({
      shipmentId: delivered[1]!.shipmentId,
      kind: ShipmentKind.SHIPMENT_KIND_RESULT,
      address: zhumadian,
    });
  });

  it('ships a result for window pickup to the origin’s cross-province window', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP);
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);

    expect(await untilJourneyEnds(caseId, 'Delivered')).toEqual(DELIVERED_JOURNEY);
    const delivered = eventsOf(caseId).at(-1)!.payload as ShipmentDelivered;
    expect(delivered).toMatchObject({ kind: ShipmentKind.SHIPMENT_KIND_RESULT, toWindow: true });
    const { shipment } = await logistics.getShipment({ caseId });
    expect(shipment).toMatchObject({
      shipmentId: delivered.shipmentId,
      address: zhumadianWindow,
      state: ShipmentState.SHIPMENT_STATE_DELIVERED,
    });
    expect(shipment?.tracking.at(-1)?.location).toBe('驻马店市');
  });

  it('opens an exception when the origin window has no address, and ships once a clerk gives one', async () => {
    // 岳阳 (430600) is a partner of 潜江 without a window address in 潜江's region file.
    const event = certificateIssued(
      DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP,
      zhumadian,
      '430600',
    );
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);

    expect(await untilJourneyEnds(caseId, 'Exception')).toEqual(['Exception']);
    const exception = payloadsOf<ShipmentException>(caseId, ShipmentException)[0]!;
    expect(exception).toMatchObject({
      kind: ShipmentKind.SHIPMENT_KIND_RESULT,
      originRegion: '430600',
      trackingNumber: '',
    });
    expect(exception.reason).toContain('跨省通办窗口地址');
    const { shipments: open } = await logistics.listShipments({
      caseId: '',
      openExceptionsOnly: true,
    });
    expect(open.map((shipment) => shipment.shipmentId)).toContain(exception.shipmentId);
    expect(carrier.accepted.filter((order) => order.caseId === caseId)).toEqual([]);

    // RESEND without an address has nowhere to go.
    const before = await caseState(caseId);
    expect(
      await refusal(logistics.resolveException(resolution({ shipmentId: exception.shipmentId }))),
    ).toEqual({ grpcCode: status.INVALID_ARGUMENT, errorCode: 'LOGISTICS.ADDRESS_REQUIRED' });
    expect(await caseState(caseId)).toEqual(before);

    const yueyangWindow: PostalAddress = {
      recipient: '岳阳市政务服务中心跨省通办窗口',
      phone: '0730-8880000',
      divisionCode: '430602',
      line: '湖南省岳阳市岳阳楼区政务服务中心一楼',
      postalCode: '414000',
    };
    const answer = await logistics.resolveException(
      resolution({
        shipmentId: exception.shipmentId,
        note: '已与岳阳窗口核实收件地址',
        address: yueyangWindow,
      }),
    );
    expect(answer.shipment).toMatchObject({
      exception: ExceptionState.EXCEPTION_STATE_RESOLVED,
      replacedBy: answer.replacement?.shipmentId,
      resolutionNote: '已与岳阳窗口核实收件地址',
    });
    expect(answer.replacement).toMatchObject({ address: yueyangWindow, trackingNumber: '' });

    await untilJourneyEnds(caseId, 'Delivered');
    const delivered = payloadsOf<ShipmentDelivered>(caseId, ShipmentDelivered)[0]!;
    expect(delivered).toMatchObject({
      shipmentId: answer.replacement?.shipmentId,
      toWindow: true,
    });
    const resolved = payloadsOf<ShipmentExceptionResolved>(caseId, ShipmentExceptionResolved);
    expect(resolved).toEqual([
      expect.objectContaining({
        shipmentId: exception.shipmentId,
        resolution: Resolution.RESOLUTION_RESEND,
        resolvedBy: 'clerk-zhao',
        replacementShipmentId: answer.replacement?.shipmentId,
        replacementTrackingNumber: delivered.trackingNumber,
      }),
    ]);
  });

  it('resends a lost parcel: exception, RESEND to a corrected address, a new parcel delivered', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL, {
      ...zhumadian,
      line: `${zhumadian.line} [LOST]`,
    });
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    const exception = await untilOpenException(caseId);
    const lost = payloadsOf<ShipmentDispatched>(caseId, ShipmentDispatched)[0]!;
    expect(exception).toMatchObject({
      shipmentId: lost.shipmentId,
      trackingNumber: lost.trackingNumber,
      kind: ShipmentKind.SHIPMENT_KIND_RESULT,
    });
    expect(exception.reason).toContain('遗失');
    const { shipments: open } = await logistics.listShipments({
      caseId: '',
      openExceptionsOnly: true,
    });
    expect(open.find((shipment) => shipment.shipmentId === lost.shipmentId)).toMatchObject({
      exception: ExceptionState.EXCEPTION_STATE_OPEN,
      exceptionReason: exception.reason,
    });

    const answer = await logistics.resolveException(
      resolution({
        shipmentId: lost.shipmentId,
        note: '快件遗失，已与申请人核实地址后重新寄送',
        address: zhumadian,
      }),
    );
    const replacementId = answer.replacement!.shipmentId;
    expect(replacementId).not.toBe(lost.shipmentId);

    const caseJourney = await untilJourneyEnds(caseId, 'Delivered');
    expect(caseJourney).toEqual([...LOST_JOURNEY, 'ExceptionResolved', ...DELIVERED_JOURNEY]);
    const resent = payloadsOf<ShipmentDispatched>(caseId, ShipmentDispatched)[1]!;
    expect(resent.shipmentId).toBe(replacementId);
    expect(resent.trackingNumber).toMatch(/^SIM\d{12}$/);
    expect(resent.trackingNumber).not.toBe(lost.trackingNumber);
    expect(payloadsOf<ShipmentExceptionResolved>(caseId, ShipmentExceptionResolved)).toEqual([
      {
        caseId,
        originRegion: '411700',
        shipmentId: lost.shipmentId,
        resolution: Resolution.RESOLUTION_RESEND,
        note: '快件遗失，已与申请人核实地址后重新寄送',
        resolvedBy: 'clerk-zhao',
        replacementShipmentId: replacementId,
        replacementTrackingNumber: resent.trackingNumber,
      },
    ]);
    for (const each of eventsOf(caseId)) {
      expect(each.metadata.correlationId).toBe(event.metadata.correlationId);
    }

    const { shipments } = await logistics.listShipments({ caseId, openExceptionsOnly: false });
    expect(shipments).toMatchObject([
      {
        shipmentId: lost.shipmentId,
        state: ShipmentState.SHIPMENT_STATE_FAILED,
        exception: ExceptionState.EXCEPTION_STATE_RESOLVED,
        resolutionNote: '快件遗失，已与申请人核实地址后重新寄送',
        replacedBy: replacementId,
      },
      {
        shipmentId: replacementId,
        trackingNumber: resent.trackingNumber,
        state: ShipmentState.SHIPMENT_STATE_DELIVERED,
        exception: ExceptionState.EXCEPTION_STATE_NONE,
        address: zhumadian,
      },
    ]);
    // The case's result parcel is now the new one.
    expect((await logistics.getShipment({ caseId })).shipment?.shipmentId).toBe(replacementId);
    const { shipments: stillOpen } = await logistics.listShipments({
      caseId: '',
      openExceptionsOnly: true,
    });
    expect(stillOpen.map((shipment) => shipment.shipmentId)).not.toContain(lost.shipmentId);

    // Resolved once: a second resolution is refused and changes nothing.
    const before = await caseState(caseId);
    expect(
      await refusal(logistics.resolveException(resolution({ shipmentId: lost.shipmentId }))),
    ).toEqual({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'LOGISTICS.NO_OPEN_EXCEPTION',
    });
    expect(await caseState(caseId)).toEqual(before);
    expect(carrier.accepted.filter((order) => order.caseId === caseId)).toHaveLength(2);
  });

  it('publishes the resolution without a tracking number when the carrier refuses the new parcel, and opens its own exception', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL, {
      ...zhumadian,
      line: `${zhumadian.line} [LOST]`,
    });
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    const exception = await untilOpenException(caseId);
    // Well-formed, so accepted here; no province 99, so the carrier refuses it.
    const answer = await logistics.resolveException(
      resolution({
        shipmentId: exception.shipmentId,
        address: { ...zhumadian, divisionCode: '990101' },
      }),
    );
    await eventually(
      () => {
        expect(journey(caseId)).toEqual([
          ...LOST_JOURNEY,
          'ExceptionResolved',
          'Tracked:FAILED',
          'Exception',
        ]);
      },
      { timeoutMs: 30_000 },
    );
    const [resolved] = payloadsOf<ShipmentExceptionResolved>(caseId, ShipmentExceptionResolved);
    expect(resolved).toMatchObject({
      shipmentId: exception.shipmentId,
      replacementShipmentId: answer.replacement?.shipmentId,
      replacementTrackingNumber: '',
    });
    const second = payloadsOf<ShipmentException>(caseId, ShipmentException)[1]!;
    expect(second.shipmentId).toBe(answer.replacement?.shipmentId);
    expect(second.reason).toContain('INVALID_DIVISION_CODE');
  });

  it('closes a parcel returned to the sender: the note says what happened, nothing is sent again', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL, {
      ...zhumadian,
      line: `${zhumadian.line} [RETURN]`,
    });
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    const exception = await untilOpenException(caseId);
    expect(journey(caseId)).toEqual([
      'Tracked:CREATED',
      'Dispatched',
      'Tracked:PICKED_UP',
      'Tracked:IN_TRANSIT',
      'Tracked:IN_TRANSIT',
      'Tracked:IN_TRANSIT',
      'Tracked:IN_TRANSIT',
      'Tracked:FAILED',
      'Exception',
    ]);
    expect(exception.reason).toContain('退回寄件方');
    // Back at the sender's: 潜江.
    expect(payloadsOf<ShipmentTracked>(caseId, ShipmentTracked).at(-1)?.event?.location).toBe(
      '潜江市',
    );

    const answer = await logistics.resolveException(
      resolution({
        shipmentId: exception.shipmentId,
        resolution: Resolution.RESOLUTION_CLOSE,
        note: '退件已由申请人到潜江市民之家当面领取',
      }),
    );
    expect(answer.replacement).toBeUndefined();
    expect(answer.shipment).toMatchObject({
      exception: ExceptionState.EXCEPTION_STATE_RESOLVED,
      resolutionNote: '退件已由申请人到潜江市民之家当面领取',
      replacedBy: '',
    });
    await untilJourneyEnds(caseId, 'ExceptionResolved');
    expect(payloadsOf<ShipmentExceptionResolved>(caseId, ShipmentExceptionResolved)).toEqual([
      {
        caseId,
        originRegion: '411700',
        shipmentId: exception.shipmentId,
        resolution: Resolution.RESOLUTION_CLOSE,
        note: '退件已由申请人到潜江市民之家当面领取',
        resolvedBy: 'clerk-zhao',
        replacementShipmentId: '',
        replacementTrackingNumber: '',
      },
    ]);
    expect(await shipmentRows(caseId)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(carrier.accepted.filter((order) => order.caseId === caseId)).toHaveLength(1);
  });

  it('resends a pickup the carrier refused, from the applicant’s corrected address', async () => {
    const caseId = nextCaseId();
    // The carrier rejects the pickup address; a clerk corrects it.
    await producer.publish(context.naming.events('review'), [
      preReviewPassed(caseId, { ...pickupAtHome, postalCode: '' }),
    ]);
    const exception = await untilOpenException(caseId);
    expect(exception.kind).toBe(ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP);
    expect(exception.reason).toContain('上门取件失败');
    const answer = await logistics.resolveException(
      resolution({ shipmentId: exception.shipmentId, address: pickupAtHome }),
    );
    await untilJourneyEnds(caseId, 'Delivered');
    const delivered = payloadsOf<ShipmentDelivered>(caseId, ShipmentDelivered)[0]!;
    expect(delivered).toMatchObject({
      shipmentId: answer.replacement?.shipmentId,
      kind: ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
    });
    expect(await addresses(delivered.shipmentId)).toEqual({
      sender: pickupAtHome,
      recipient: department,
    });
  });

  it('refuses resolutions it cannot act on with stable codes, changing nothing', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL, {
      ...zhumadian,
      line: `${zhumadian.line} [LOST]`,
    });
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    const { shipmentId } = await untilOpenException(caseId);
    const delivered = payloadsOf<ShipmentDelivered>(mailed.metadata.caseId, ShipmentDelivered)[0]!;
    const before = await caseState(caseId);
    const deliveredBefore = await caseState(mailed.metadata.caseId);

    const refused = async (request: Partial<ResolveExceptionRequest>) =>
      refusal(logistics.resolveException(resolution({ shipmentId, ...request })));
    expect(await refused({ shipmentId: '' })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.SHIPMENT_KEY_REQUIRED',
    });
    expect(await refused({ shipmentId: randomUUID() })).toEqual({
      grpcCode: status.NOT_FOUND,
      errorCode: 'LOGISTICS.SHIPMENT_NOT_FOUND',
    });
    expect(await refused({ shipmentId: 'SIM000000000000' })).toEqual({
      grpcCode: status.NOT_FOUND,
      errorCode: 'LOGISTICS.SHIPMENT_NOT_FOUND',
    });
    expect(await refused({ resolution: Resolution.RESOLUTION_UNSPECIFIED })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.RESOLUTION_REQUIRED',
    });
    expect(await refused({ resolvedBy: '  ' })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.STAFF_ACCOUNT_REQUIRED',
    });
    expect(await refused({ note: '' })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.NOTE_REQUIRED',
    });
    expect(await refused({ resolution: Resolution.RESOLUTION_CLOSE, note: ' ' })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.NOTE_REQUIRED',
    });
    expect(await refused({ note: '很长'.repeat(251) })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.NOTE_TOO_LONG',
    });
    expect(await refused({ address: { ...zhumadian, phone: '139-1234' } })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.INVALID_ADDRESS',
    });
    expect(await refused({ address: { ...zhumadian, line: '', postalCode: '4630' } })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.INVALID_ADDRESS',
    });
    expect(await refused({ resolution: Resolution.RESOLUTION_CLOSE, address: zhumadian })).toEqual({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'LOGISTICS.INVALID_ADDRESS',
    });
    // A delivered parcel has nothing to resolve.
    expect(await refused({ shipmentId: delivered.shipmentId })).toEqual({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'LOGISTICS.NO_OPEN_EXCEPTION',
    });

    expect(await caseState(caseId)).toEqual(before);
    expect(await caseState(mailed.metadata.caseId)).toEqual(deliveredBefore);
    expect(journey(caseId)).toEqual(LOST_JOURNEY);
    const { shipment } = await logistics.getShipment({ shipmentId });
    expect(shipment?.exception).toBe(ExceptionState.EXCEPTION_STATE_OPEN);
  });
});
