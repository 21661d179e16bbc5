import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryMethod, type PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { CertificateBody } from '@tongban/contracts/tongban/certificate/v1/certificate';
import { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import {
  ShipmentDelivered,
  ShipmentDispatched,
  ShipmentTracked,
} from '@tongban/contracts/tongban/logistics/v1/events';
import {
  LogisticsServiceService,
  ShipmentState,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
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

type LogisticsEvent = ConsumedEvent<ShipmentDispatched | ShipmentTracked | ShipmentDelivered>;

let database: IsolatedDatabase;
let simulator: RunningCarrierSimulator;
let carrier: InterruptibleCarrier;
let app: INestApplication;
let context: ServiceContext<LogisticsConfig>;
let producer: EventProducer;
let collector: EventConsumer;
let logistics: PromiseClient<typeof LogisticsServiceService>;
let webhookEndpoint: string;
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
  await ensureTopics(client, [context.naming.events('certificate')]);
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
function certificateIssued(
  method: DeliveryMethod,
  address: PostalAddress = zhumadian,
): OutgoingEvent<CertificateIssued> {
  sequence += 1;
  const caseId = `411700-20261201-${String(sequence).padStart(6, '0')}`;
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
      originRegion: '411700',
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

function eventsOf(caseId: string): LogisticsEvent[] {
  return published.filter((event) => event.metadata.caseId === caseId);
}

/** `Dispatched`, `Tracked:PICKED_UP`, `Delivered`: the event types and tracked states, in order. */
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
  let mailed: OutgoingEvent<CertificateIssued>;

  it('mails a result: one shipment, tracked by webhooks to DELIVERED, with events in order', async () => {
    mailed = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL);
    const caseId = mailed.metadata.caseId;
    const begun = Date.now();
    await producer.publish(context.naming.events('certificate'), [mailed]);

    expect(await untilJourneyEnds(caseId, 'Delivered')).toEqual(DELIVERED_JOURNEY);
    console.log(`CertificateIssued → ShipmentDelivered in ${Date.now() - begun} ms`);
    const events = eventsOf(caseId);
    for (const event of events) {
      expect(event.metadata.correlationId).toBe(mailed.metadata.correlationId);
      expect(event.metadata.causationId).toBe(mailed.metadata.eventId);
      expect(event.payload).toMatchObject({ caseId, originRegion: '411700' });
    }
    const dispatched = events[1]!.payload as ShipmentDispatched;
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
    expect(await untilJourneyEnds(caseId, 'Tracked:FAILED')).toEqual([
      'Tracked:CREATED',
      'Dispatched',
      'Tracked:PICKED_UP',
      'Tracked:IN_TRANSIT',
      'Tracked:IN_TRANSIT',
      'Tracked:FAILED',
    ]);
    const { shipment } = await logistics.getShipment({ caseId });
    expect(shipment?.state).toBe(ShipmentState.SHIPMENT_STATE_FAILED);
  });

  it('fails a shipment the carrier refuses, and tells the origin why', async () => {
    const event = certificateIssued(DeliveryMethod.DELIVERY_METHOD_MAIL, {
      ...zhumadian,
      phone: '139-1234',
    });
    const caseId = event.metadata.caseId;
    await producer.publish(context.naming.events('certificate'), [event]);
    expect(await untilJourneyEnds(caseId, 'Tracked:FAILED')).toEqual(['Tracked:FAILED']);
    const failed = eventsOf(caseId)[0]!.payload as ShipmentTracked;
    expect(failed.event?.description).toContain('INVALID_PHONE');
    expect(failed.event?.description).not.toContain('139-1234');
    const { shipment } = await logistics.getShipment({ caseId });
    expect(shipment).toMatchObject({
      state: ShipmentState.SHIPMENT_STATE_FAILED,
      trackingNumber: '',
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
