import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { CarrierApiError } from './api-error';
import { placeOf } from './divisions';
import { planShipment, type CarrierState, type PlannedEvent } from './route-plan';
import { seededRandom } from './seeded-random';
import { parseShipmentRequest, type ShipmentRequest } from './shipment-request';
import { CARRIER_CODE, isValidTrackingNumber, trackingNumberFor } from './tracking-number';
import { WebhookDispatcher } from './webhook-dispatcher';

export interface CarrierSimulatorOptions {
  /** A free ephemeral port on 127.0.0.1 by default. */
  port?: number;
  /**
   * How much faster than real time parcels travel: 1 is real time, 3600 (the default) turns an
   * hour into a second, so a cross-province delivery of about 27 simulated hours takes ~27 s.
   * Tests use ~100000 (a delivery in about a second).
   */
  speed?: number;
  /** Key of the HMAC-SHA256 signature on every webhook. */
  webhookSecret: string;
  /** The API key clients send as `Authorization: Bearer <key>`; a random one by default. */
  apiKey?: string;
  /** Seeds delays, tracking numbers and injected failures; a random one by default. */
  seed?: string;
  webhook?: {
    /** An attempt without a response status within this time has failed; default 5000. */
    timeoutMs?: number;
    /** First retry delay, doubled on every further failure; default 200. */
    retryInitialMs?: number;
    /** Cap of the retry delay; default 10000. */
    retryMaxMs?: number;
  };
  failures?: {
    /**
     * Probability (0 ≤ p < 1) that a webhook the receiver acknowledged is taken for a failure and
     * sent again, as when an acknowledgement is lost: the receiver must deduplicate.
     */
    webhookErrorRate?: number;
  };
  /** Receives one line per tracking event and per failed webhook attempt (no personal data). */
  log?: (line: string) => void;
}

export interface RunningCarrierSimulator {
  /** Base URL, e.g. `http://127.0.0.1:8790`. */
  url: string;
  port: number;
  /** The carrier code on tracking numbers and responses. */
  carrier: string;
  apiKey: string;
  /** The seed in use, to replay a run. */
  seed: string;
  speed: number;
  /** Stops timers and webhook deliveries and closes the server. */
  stop(): Promise<void>;
}

interface TrackingEvent {
  sequence: number;
  state: CarrierState;
  at: string;
  location: string;
  description: string;
}

interface Shipment {
  trackingNumber: string;
  request: ShipmentRequest;
  createdAtMs: number;
  estimatedDeliveryAtMs: number;
  plan: PlannedEvent[];
  events: TrackingEvent[];
  timer: NodeJS.Timeout | undefined;
}

interface IdempotentCreate {
  fingerprint: string;
  trackingNumber: string;
}

const DEFAULT_SPEED = 3600;
const MAX_BODY_BYTES = 64 * 1024;
/** The header a retried create repeats so the carrier orders one pickup, not two. */
const IDEMPOTENCY_KEY = 'idempotency-key';
/** Recipient lines holding this marker lose the parcel after its last hub scan. */
export const LOST_MARKER = '[LOST]';
/** Recipient lines holding this marker cannot be delivered: the parcel goes back to the sender. */
export const RETURN_MARKER = '[RETURN]';

/**
 * Starts the simulated carrier 通达速运 (code SIM), an HTTP API on 127.0.0.1 that takes
 * shipment orders, advances each parcel through pickup, hub scans and delivery at `speed`, and
 * posts every tracking event to the order's callback URL, signed. State lives in memory.
 * See README.md next to this file for the API.
 */
export async function startCarrierSimulator(
  options: CarrierSimulatorOptions,
): Promise<RunningCarrierSimulator> {
  const speed = options.speed ?? DEFAULT_SPEED;
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`speed must be > 0, got ${speed}`);
  if (options.webhookSecret === '') throw new Error('webhookSecret must not be empty');
  const errorRate = options.failures?.webhookErrorRate ?? 0;
  if (!(errorRate >= 0 && errorRate < 1)) {
    throw new Error(`failures.webhookErrorRate must be in [0, 1), got ${errorRate}`);
  }
  const apiKey = options.apiKey ?? `sim_${randomBytes(16).toString('hex')}`;
  const seed = options.seed ?? randomBytes(8).toString('hex');
  const log = options.log ?? (() => undefined);

  const shipments = new Map<string, Shipment>();
  const creates = new Map<string, IdempotentCreate>();
  const dispatcher = new WebhookDispatcher({
    secret: options.webhookSecret,
    timeoutMs: options.webhook?.timeoutMs ?? 5_000,
    retryInitialMs: options.webhook?.retryInitialMs ?? 200,
    retryMaxMs: options.webhook?.retryMaxMs ?? 10_000,
    errorRate,
    random: seededRandom(seed, 'webhook failures'),
    log,
  });
  let stopped = false;

  /** Records every event that is due and sets a timer for the next one. */
  const advance = (shipment: Shipment): void => {
    const next = shipment.plan[shipment.events.length];
    if (!next || stopped) return;
    const dueMs = shipment.createdAtMs + next.afterMs / speed;
    const record = (): void => {
      shipment.timer = undefined;
      const event: TrackingEvent = {
        sequence: shipment.events.length + 1,
        state: next.state,
        at: new Date(dueMs).toISOString(),
        location: next.location,
        description: next.description,
      };
      shipment.events.push(event);
      log(
        `${shipment.trackingNumber} ${shipment.request.reference} ${event.state} ${event.location}`,
      );
      dispatcher.enqueue(shipment.request.callbackUrl, {
        trackingNumber: shipment.trackingNumber,
        reference: shipment.request.reference,
        ...event,
      });
      advance(shipment);
    };
    const delay = dueMs - Date.now();
    if (delay <= 0) record();
    else shipment.timer = setTimeout(record, delay);
  };

  const create = async (request: http.IncomingMessage): Promise<Reply> => {
    const key = request.headers[IDEMPOTENCY_KEY];
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
      throw new CarrierApiError(
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        'send an Idempotency-Key header (1–255 characters) and repeat it when retrying',
      );
    }
    const order = parseShipmentRequest(parseJson(await readBody(request)));
    if (stopped) throw new Error('carrier simulator stopped');
    // Scoped to the reference: one case may be shipped again under a new key (a resend).
    const slot = `${order.reference}\u0000${key}`;
    const fingerprint = createHash('sha256').update(JSON.stringify(order)).digest('hex');
    const earlier = creates.get(slot);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        throw new CarrierApiError(
          422,
          'IDEMPOTENCY_KEY_REUSED',
          `Idempotency-Key '${key}' was used for a different order of ${order.reference}`,
        );
      }
      const shipment = shipments.get(earlier.trackingNumber);
      if (!shipment) throw new Error(`lost shipment ${earlier.trackingNumber}`);
      return { status: 201, body: created(shipment), headers: { 'idempotent-replayed': 'true' } };
    }

    let trackingNumber = trackingNumberFor(seed, order.reference, key);
    for (let attempt = 1; shipments.has(trackingNumber); attempt++) {
      trackingNumber = trackingNumberFor(seed, order.reference, key, String(attempt));
    }
    const plan = planShipment(
      placeOf(order.sender.divisionCode),
      placeOf(order.recipient.divisionCode),
      {
        lost: order.recipient.line.includes(LOST_MARKER),
        returned: order.recipient.line.includes(RETURN_MARKER),
        random: seededRandom(seed, 'route', order.reference, key),
      },
    );
    const createdAtMs = Date.now();
    const shipment: Shipment = {
      trackingNumber,
      request: order,
      createdAtMs,
      estimatedDeliveryAtMs: createdAtMs + plan.promisedMs / speed,
      plan: plan.events,
      events: [],
      timer: undefined,
    };
    shipments.set(trackingNumber, shipment);
    creates.set(slot, { fingerprint, trackingNumber });
    advance(shipment);
    return { status: 201, body: created(shipment) };
  };

  const find = (trackingNumber: string): Reply => {
    if (!isValidTrackingNumber(trackingNumber)) {
      throw new CarrierApiError(
        400,
        'INVALID_TRACKING_NUMBER',
        `${trackingNumber} is not a ${CARRIER_CODE} tracking number (${CARRIER_CODE} + 12 digits with a check digit); was it mistyped?`,
      );
    }
    const shipment = shipments.get(trackingNumber);
    if (!shipment) {
      throw new CarrierApiError(404, 'SHIPMENT_NOT_FOUND', `no shipment ${trackingNumber}`);
    }
    return {
      status: 200,
      body: {
        ...created(shipment),
        reference: shipment.request.reference,
        service: shipment.request.service,
        state: shipment.events.at(-1)?.state ?? 'CREATED',
        events: shipment.events,
      },
    };
  };

  const route = async (request: http.IncomingMessage): Promise<Reply> => {
    const { pathname } = new URL(request.url ?? '/', 'http://carrier');
    const method = request.method ?? 'GET';
    if (pathname === '/health') {
      return method === 'GET' ? { status: 200, body: { status: 'UP' } } : notAllowed('GET');
    }
    authorize(request, apiKey);
    if (pathname === '/v1/shipments') {
      return method === 'POST' ? create(request) : notAllowed('POST');
    }
    const match = /^\/v1\/shipments\/([^/]+)$/.exec(pathname);
    if (match?.[1] !== undefined) {
      return method === 'GET' ? find(decodeURIComponent(match[1])) : notAllowed('GET');
    }
    throw new CarrierApiError(404, 'NOT_FOUND', `no resource ${method} ${pathname}`);
  };

  const server = http.createServer((request, response) => {
    route(request).then(
      (reply) => {
        send(response, reply);
      },
      (error: unknown) => {
        send(response, errorReply(error));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');

  let closed: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      stopped = true;
      for (const shipment of shipments.values()) clearTimeout(shipment.timer);
      dispatcher.stop();
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
    return closed;
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    carrier: CARRIER_CODE,
    apiKey,
    seed,
    speed,
    stop,
  };
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function created(shipment: Shipment): Record<string, string> {
  return {
    trackingNumber: shipment.trackingNumber,
    carrier: CARRIER_CODE,
    createdAt: new Date(shipment.createdAtMs).toISOString(),
    estimatedDeliveryAt: new Date(shipment.estimatedDeliveryAtMs).toISOString(),
  };
}

function authorize(request: http.IncomingMessage, apiKey: string): void {
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${apiKey}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CarrierApiError(401, 'UNAUTHORIZED', 'send Authorization: Bearer <API key>');
  }
}

function notAllowed(allow: string): never {
  throw new CarrierApiError(405, 'METHOD_NOT_ALLOWED', `use ${allow}`);
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large: leaving a body unread would break the connection
  // before the refusal is sent.
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) {
    throw new CarrierApiError(413, 'PAYLOAD_TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CarrierApiError(400, 'INVALID_JSON', 'the body is not valid JSON');
  }
}

function errorReply(error: unknown): Reply {
  if (error instanceof CarrierApiError) {
    return {
      status: error.status,
      body: error.toJSON(),
      headers: error.status === 401 ? { 'www-authenticate': 'Bearer' } : undefined,
    };
  }
  return {
    status: 500,
    body: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
  };
}

function send(response: http.ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const body = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
