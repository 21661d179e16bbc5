import http from 'node:http';
import https from 'node:https';
import type { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { ShipmentState } from '@tongban/contracts/tongban/logistics/v1/logistics';
import {
  CarrierAdapter,
  type CarrierShipment,
  type CreatedShipment,
  type CreateShipmentRequest,
  type TrackingUpdate,
  type WebhookHeaders,
} from './carrier.adapter';
import { CarrierError } from './carrier.error';
import { verifyWebhookSignature } from './webhook-signature';

export interface SimulatorCarrierOptions {
  /** The carrier API, e.g. `http://127.0.0.1:8790`. */
  baseUrl: string;
  apiKey: string;
  /** Shared with the carrier; authenticates its webhooks. */
  webhookSecret: string;
  /** Where the carrier posts tracking events: the logistics service's webhook endpoint. */
  callbackUrl: string;
  /** For one request, from connecting to the whole response; default 5000. */
  timeoutMs?: number;
  /** The clock webhook timestamps are checked against; `Date.now` by default. */
  now?: () => number;
}

/** The simulator's state names and what they mean in the contract. */
const STATES: Readonly<Record<string, ShipmentState>> = {
  CREATED: ShipmentState.SHIPMENT_STATE_CREATED,
  PICKED_UP: ShipmentState.SHIPMENT_STATE_PICKED_UP,
  IN_TRANSIT: ShipmentState.SHIPMENT_STATE_IN_TRANSIT,
  DELIVERED: ShipmentState.SHIPMENT_STATE_DELIVERED,
  FAILED: ShipmentState.SHIPMENT_STATE_FAILED,
};

const SIGNATURE_HEADER = 'x-carrier-signature';
const MAX_RESPONSE_BYTES = 1024 * 1024;

interface CarrierAnswer {
  status: number;
  body: unknown;
}

/**
 * The carrier simulator 通达速运 (code SIM, `infra/src/carrier-simulator`) over its HTTP API.
 * Requests go through `node:http`, which the telemetry's HTTP instrumentation traces.
 */
export class SimulatorCarrierAdapter extends CarrierAdapter {
  readonly carrier = 'SIM';
  private readonly baseUrl: URL;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SimulatorCarrierOptions) {
    super();
    this.baseUrl = new URL(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async createShipment(request: CreateShipmentRequest): Promise<CreatedShipment> {
    const answer = await this.call('POST', '/v1/shipments', 'create the shipment', {
      headers: { 'idempotency-key': request.shipmentId },
      body: {
        reference: request.caseId,
        service: 'STANDARD',
        sender: address(request.sender),
        recipient: address(request.recipient),
        parcel: { description: request.contents },
        callbackUrl: this.options.callbackUrl,
      },
    });
    const body = record(answer.body);
    const trackingNumber = body?.trackingNumber;
    const estimatedDeliveryAt = date(body?.estimatedDeliveryAt);
    if (typeof trackingNumber !== 'string' || trackingNumber === '' || !estimatedDeliveryAt) {
      throw this.unreadable('POST /v1/shipments');
    }
    return { carrier: this.carrier, trackingNumber, estimatedDeliveryAt };
  }

  async getShipment(trackingNumber: string): Promise<CarrierShipment> {
    const path = `/v1/shipments/${encodeURIComponent(trackingNumber)}`;
    const answer = await this.call('GET', path, `look up ${trackingNumber}`);
    const body = record(answer.body);
    const estimatedDeliveryAt = date(body?.estimatedDeliveryAt);
    const state = typeof body?.state === 'string' ? STATES[body.state] : undefined;
    const events = body?.events;
    if (
      body?.trackingNumber !== trackingNumber ||
      typeof body.reference !== 'string' ||
      state === undefined ||
      !estimatedDeliveryAt ||
      !Array.isArray(events)
    ) {
      throw this.unreadable(`GET ${path}`);
    }
    const tracking = events.map((event: unknown) => {
      const update = this.trackingUpdate({
        ...record(event),
        trackingNumber,
        reference: body.reference,
      });
      if (typeof update === 'string') throw this.unreadable(`GET ${path}`);
      return update;
    });
    return {
      carrier: this.carrier,
      trackingNumber,
      caseId: body.reference,
      state,
      estimatedDeliveryAt,
      tracking,
    };
  }

  parseWebhook(headers: WebhookHeaders, rawBody: Uint8Array | string): TrackingUpdate {
    verifyWebhookSignature({
      header: header(headers, SIGNATURE_HEADER),
      rawBody,
      secret: this.options.webhookSecret,
      nowMs: this.now(),
      carrier: this.carrier,
    });
    let payload: unknown;
    try {
      const text =
        typeof rawBody === 'string'
          ? rawBody
          : new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
      payload = JSON.parse(text);
    } catch (error) {
      throw new CarrierError(
        'LOGISTICS.MALFORMED_WEBHOOK',
        `Tracking update from carrier ${this.carrier} is not UTF-8 JSON`,
        { carrier: this.carrier },
        { cause: error },
      );
    }
    const update = this.trackingUpdate(record(payload));
    if (typeof update === 'string') {
      throw new CarrierError(
        'LOGISTICS.MALFORMED_WEBHOOK',
        `Tracking update from carrier ${this.carrier} is not usable: ${update}`,
        { carrier: this.carrier },
      );
    }
    return update;
  }

  /** The update, or what is wrong with the fields. */
  private trackingUpdate(fields: Record<string, unknown> | undefined): TrackingUpdate | string {
    if (!fields) return 'it is not a JSON object';
    const { trackingNumber, reference, state, at, location, description, sequence } = fields;
    if (typeof trackingNumber !== 'string' || trackingNumber === '') {
      return 'trackingNumber is missing';
    }
    if (typeof reference !== 'string' || reference === '') return 'reference is missing';
    if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) {
      return 'sequence must be a positive integer';
    }
    const mapped = typeof state === 'string' ? STATES[state] : undefined;
    // An unknown state is refused rather than guessed: the carrier retries it, and the refusal
    // in the logs says which mapping is missing.
    if (mapped === undefined) return `state ${JSON.stringify(state)} is not a known state`;
    const instant = date(at);
    if (!instant) return 'at must be an ISO 8601 instant';
    if (typeof location !== 'string') return 'location must be a string';
    if (typeof description !== 'string') return 'description must be a string';
    return {
      carrier: this.carrier,
      trackingNumber,
      caseId: reference,
      sequence,
      state: mapped,
      at: instant,
      location,
      description,
    };
  }

  /** Sends one request; a refusal or an unusable answer becomes a CarrierError. */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    purpose: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<CarrierAnswer> {
    const url = new URL(path, this.baseUrl);
    let answer: CarrierAnswer;
    try {
      answer = await this.send(method, url, options.headers ?? {}, options.body);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CarrierError(
        'LOGISTICS.CARRIER_UNAVAILABLE',
        `Carrier ${this.carrier} could not be reached to ${purpose} (${reason}); try again later`,
        { carrier: this.carrier },
        { cause: error },
      );
    }
    const { status } = answer;
    if (status >= 200 && status <= 299) return answer;
    const refusal = record(answer.body);
    const carrierCode = typeof refusal?.code === 'string' ? refusal.code : undefined;
    const carrierMessage =
      typeof refusal?.message === 'string' ? refusal.message : `HTTP status ${status}`;
    const field = typeof refusal?.field === 'string' ? refusal.field : undefined;
    const details = { carrier: this.carrier, status, carrierCode, field };
    if (status === 429 || status >= 500) {
      throw new CarrierError(
        'LOGISTICS.CARRIER_UNAVAILABLE',
        `Carrier ${this.carrier} could not ${purpose} now: ${carrierMessage}; try again later`,
        details,
      );
    }
    throw new CarrierError(
      'LOGISTICS.CARRIER_REFUSED',
      `Carrier ${this.carrier} refused to ${purpose}: ${carrierMessage}${carrierCode ? ` (${carrierCode})` : ''}`,
      details,
    );
  }

  private send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<CarrierAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const signal = AbortSignal.timeout(this.timeoutMs);
    return new Promise<CarrierAnswer>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method,
          signal,
          headers: {
            ...headers,
            accept: 'application/json',
            authorization: `Bearer ${this.options.apiKey}`,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json; charset=utf-8',
                  'content-length': String(Buffer.byteLength(payload)),
                }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              response.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
            } else {
              chunks.push(chunk);
            }
          });
          response.on('error', reject);
          response.on('close', () => {
            if (!response.complete) reject(new Error('the connection closed mid-answer'));
          });
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
        },
      );
      request.on('error', (error) => {
        reject(
          signal.aborted
            ? new Error(`no answer within ${this.timeoutMs} ms`, { cause: error })
            : error,
        );
      });
      request.end(payload);
    });
  }

  private unreadable(what: string): CarrierError {
    return new CarrierError(
      'LOGISTICS.CARRIER_UNAVAILABLE',
      `Carrier ${this.carrier} answered ${what} with a body this adapter cannot read; try again later`,
      { carrier: this.carrier },
    );
  }
}

function address(value: PostalAddress): Record<string, string> {
  return {
    name: value.recipient,
    phone: value.phone,
    divisionCode: value.divisionCode,
    line: value.line,
    postalCode: value.postalCode,
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** A header by name in any case; several values stay several, for the caller to refuse. */
function header(headers: WebhookHeaders, name: string): string | readonly string[] | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}
