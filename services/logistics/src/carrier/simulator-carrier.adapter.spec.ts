import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { ShipmentState } from '@tongban/contracts/tongban/logistics/v1/logistics';
import { startCarrierSimulator } from '@tongban/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateShipmentRequest, TrackingUpdate } from './carrier.adapter';
import { CarrierError } from './carrier.error';
import { SimulatorCarrierAdapter } from './simulator-carrier.adapter';

const SECRET = 'whsec_logistics_adapter_test';

interface Webhook {
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
}

/** The logistics service's webhook endpoint, reduced to what the adapter does for it. */
class WebhookEndpoint {
  readonly received: Webhook[] = [];
  readonly updates: TrackingUpdate[] = [];
  readonly refusals: CarrierError[] = [];
  adapter: SimulatorCarrierAdapter | undefined;
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      this.received.push({ headers: request.headers, raw });
      try {
        this.updates.push(this.adapter!.parseWebhook(request.headers, raw));
        response.writeHead(204).end();
      } catch (error) {
        if (!(error instanceof CarrierError)) throw error;
        this.refusals.push(error);
        response.writeHead(error.code === 'LOGISTICS.BAD_WEBHOOK_SIGNATURE' ? 401 : 400).end();
      }
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/logistics/carrier-webhooks/sim`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => {
      this.server.close(resolve);
      this.server.closeAllConnections();
    });
  }

  final(trackingNumber: string): TrackingUpdate | undefined {
    return this.updates.find(
      (u) =>
        u.trackingNumber === trackingNumber &&
        (u.state === ShipmentState.SHIPMENT_STATE_DELIVERED ||
          u.state === ShipmentState.SHIPMENT_STATE_FAILED),
    );
  }
}

const zhumadian: PostalAddress = {
  recipient: '王芳',
  phone: '13912345678',
  divisionCode: '411702',
  line: '河南省驻马店市驿城区交通路18号',
  postalCode: '463000',
};
const qianjiangOffice: PostalAddress = {
  recipient: '潜江市政务服务中心',
  phone: '0728-6221234',
  divisionCode: '429005',
  line: '湖北省潜江市园林街道章华中路1号',
  postalCode: '433100',
};

function shipment(overrides: Partial<CreateShipmentRequest> = {}): CreateShipmentRequest {
  return {
    shipmentId: `shp-${Math.random().toString(36).slice(2)}`,
    caseId: '411700-20260301-000042',
    sender: qianjiangOffice,
    recipient: zhumadian,
    contents: '住房公积金提取决定书',
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<CarrierError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CarrierError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A TCP server that accepts requests and never answers them. */
async function silentServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

describe('SimulatorCarrierAdapter against the carrier simulator', () => {
  const endpoint = new WebhookEndpoint();
  let simulator: Awaited<ReturnType<typeof startCarrierSimulator>>;
  let adapter: SimulatorCarrierAdapter;

  beforeAll(async () => {
    const callbackUrl = await endpoint.start();
    simulator = await startCarrierSimulator({
      webhookSecret: SECRET,
      speed: 100_000,
      seed: 'logistics-adapter',
      webhook: { retryInitialMs: 50 },
    });
    adapter = new SimulatorCarrierAdapter({
      baseUrl: simulator.url,
      apiKey: simulator.apiKey,
      webhookSecret: SECRET,
      callbackUrl,
    });
    endpoint.adapter = adapter;
  });

  afterAll(async () => {
    await simulator.stop();
    await endpoint.stop();
  });

  it('creates a shipment whose signed tracking updates arrive up to DELIVERED', async () => {
    const created = await adapter.createShipment(shipment());
    expect(created.carrier).toBe('SIM');
    expect(created.trackingNumber).toMatch(/^SIM\d{12}$/);
    expect(created.estimatedDeliveryAt).toBeInstanceOf(Date);

    await until(() => endpoint.final(created.trackingNumber) !== undefined);
    const updates = endpoint.updates.filter((u) => u.trackingNumber === created.trackingNumber);
    expect(updates.map((u) => [u.sequence, u.state])).toEqual([
      [1, ShipmentState.SHIPMENT_STATE_CREATED],
      [2, ShipmentState.SHIPMENT_STATE_PICKED_UP],
      [3, ShipmentState.SHIPMENT_STATE_IN_TRANSIT],
      [4, ShipmentState.SHIPMENT_STATE_IN_TRANSIT],
      [5, ShipmentState.SHIPMENT_STATE_IN_TRANSIT],
      [6, ShipmentState.SHIPMENT_STATE_DELIVERED],
    ]);
    for (const update of updates) {
      expect(update).toMatchObject({ carrier: 'SIM', caseId: '411700-20260301-000042' });
      expect(update.at).toBeInstanceOf(Date);
    }
    expect(updates[5]!.location).toBe('驻马店市');

    const current = await adapter.getShipment(created.trackingNumber);
    expect(current).toMatchObject({
      carrier: 'SIM',
      trackingNumber: created.trackingNumber,
      caseId: '411700-20260301-000042',
      state: ShipmentState.SHIPMENT_STATE_DELIVERED,
    });
    expect(current.tracking).toEqual(updates);
  });

  it('maps a lost parcel to FAILED', async () => {
    const created = await adapter.createShipment(
      shipment({ recipient: { ...zhumadian, line: `${zhumadian.line} [LOST]` } }),
    );
    await until(() => endpoint.final(created.trackingNumber) !== undefined);
    expect(endpoint.final(created.trackingNumber)!.state).toBe(ShipmentState.SHIPMENT_STATE_FAILED);
  });

  it('returns the first shipment when a create is repeated with the same shipment id', async () => {
    const request = shipment();
    const first = await adapter.createShipment(request);
    const again = await adapter.createShipment(request);
    expect(again).toEqual(first);
  });

  it("refuses with the carrier's reason: LOGISTICS.CARRIER_REFUSED", async () => {
    const error = await refusal(
      adapter.createShipment(shipment({ recipient: { ...zhumadian, phone: '139-1234' } })),
    );
    expect(error.code).toBe('LOGISTICS.CARRIER_REFUSED');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({
      carrier: 'SIM',
      status: 400,
      carrierCode: 'INVALID_PHONE',
      field: 'recipient.phone',
    });
    expect(error.message).toContain('recipient.phone must be a mobile number');
  });

  it('refuses with a wrong API key and for an unknown tracking number', async () => {
    const wrongKey = new SimulatorCarrierAdapter({
      baseUrl: simulator.url,
      apiKey: 'not-the-key',
      webhookSecret: SECRET,
      callbackUrl: 'http://127.0.0.1:9/',
    });
    const unauthorized = await refusal(wrongKey.createShipment(shipment()));
    expect(unauthorized.code).toBe('LOGISTICS.CARRIER_REFUSED');
    expect(unauthorized.details.carrierCode).toBe('UNAUTHORIZED');

    const unknown = await refusal(adapter.getShipment('SIM000000000000'));
    expect(unknown.code).toBe('LOGISTICS.CARRIER_REFUSED');
    expect(unknown.details).toMatchObject({ status: 404, carrierCode: 'SHIPMENT_NOT_FOUND' });
  });

  describe('refuses webhooks that are not authentic', () => {
    async function genuineWebhook(): Promise<Webhook> {
      await until(() => endpoint.received.length > 0);
      return endpoint.received[0]!;
    }

    it('a tampered body', async () => {
      const { headers, raw } = await genuineWebhook();
      const tampered = Buffer.from(raw.toString('utf8').replace('"sequence":1', '"sequence":9'));
      expect(tampered.equals(raw)).toBe(false);
      const error = await refusal(
        Promise.resolve().then(() => adapter.parseWebhook(headers, tampered)),
      );
      expect(error.code).toBe('LOGISTICS.BAD_WEBHOOK_SIGNATURE');
    });

    it('a webhook checked with another secret', async () => {
      const { headers, raw } = await genuineWebhook();
      const misconfigured = new SimulatorCarrierAdapter({
        baseUrl: simulator.url,
        apiKey: simulator.apiKey,
        webhookSecret: 'whsec_of_another_account',
        callbackUrl: 'http://127.0.0.1:9/',
      });
      const error = await refusal(
        Promise.resolve().then(() => misconfigured.parseWebhook(headers, raw)),
      );
      expect(error.code).toBe('LOGISTICS.BAD_WEBHOOK_SIGNATURE');
    });

    it('a genuine webhook replayed six minutes later', async () => {
      const { headers, raw } = await genuineWebhook();
      const later = new SimulatorCarrierAdapter({
        baseUrl: simulator.url,
        apiKey: simulator.apiKey,
        webhookSecret: SECRET,
        callbackUrl: 'http://127.0.0.1:9/',
        now: () => Date.now() + 6 * 60_000,
      });
      expect(() => adapter.parseWebhook(headers, raw)).not.toThrow();
      const error = await refusal(Promise.resolve().then(() => later.parseWebhook(headers, raw)));
      expect(error.code).toBe('LOGISTICS.BAD_WEBHOOK_SIGNATURE');
      expect(error.message).toMatch(/signed \d+ s ago/);
    });

    it('none of them reached the endpoint from the simulator itself', () => {
      expect(endpoint.refusals).toEqual([]);
    });
  });

  describe('refuses a signed webhook it cannot read: LOGISTICS.MALFORMED_WEBHOOK', () => {
    const signed = (body: string) => {
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
      return { 'x-carrier-signature': `t=${t},v1=${v1}` };
    };
    const valid = {
      trackingNumber: 'SIM620162950872',
      reference: '411700-20260301-000042',
      state: 'IN_TRANSIT',
      at: '2026-03-01T08:00:00.000Z',
      location: '武汉市',
      description: '快件已到达【武汉转运中心】',
      sequence: 3,
    };
    const cases: [string, string][] = [
      ['not JSON', '{"trackingNumber":'],
      ['a JSON array', '[]'],
      ['an unknown state', JSON.stringify({ ...valid, state: 'RETURNED_TO_SENDER' })],
      ['no sequence', JSON.stringify({ ...valid, sequence: undefined })],
      ['a sequence of 0', JSON.stringify({ ...valid, sequence: 0 })],
      ['an unreadable time', JSON.stringify({ ...valid, at: 'yesterday' })],
      ['no reference', JSON.stringify({ ...valid, reference: '' })],
    ];
    it.each(cases)('%s', (_name, body) => {
      let caught: unknown;
      try {
        adapter.parseWebhook(signed(body), body);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CarrierError);
      expect((caught as CarrierError).code).toBe('LOGISTICS.MALFORMED_WEBHOOK');
    });

    it('and accepts the same fields when they are right, headers in any case', () => {
      const body = JSON.stringify(valid);
      const headers = { 'X-Carrier-Signature': signed(body)['x-carrier-signature'] };
      expect(adapter.parseWebhook(headers, body)).toEqual({
        carrier: 'SIM',
        trackingNumber: valid.trackingNumber,
        caseId: valid.reference,
        sequence: 3,
        state: ShipmentState.SHIPMENT_STATE_IN_TRANSIT,
        at: new Date(valid.at),
        location: '武汉市',
        description: valid.description,
      });
    });
  });
});

describe('SimulatorCarrierAdapter when the carrier is not there', () => {
  const options = { apiKey: 'k', webhookSecret: SECRET, callbackUrl: 'http://127.0.0.1:9/' };

  it('LOGISTICS.CARRIER_UNAVAILABLE when nothing listens', async () => {
    const gone = await startCarrierSimulator({ webhookSecret: SECRET });
    await gone.stop();
    const adapter = new SimulatorCarrierAdapter({ ...options, baseUrl: gone.url });
    const error = await refusal(adapter.createShipment(shipment()));
    expect(error.code).toBe('LOGISTICS.CARRIER_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('LOGISTICS.CARRIER_UNAVAILABLE when it does not answer in time', async () => {
    const silent = await silentServer();
    try {
      const adapter = new SimulatorCarrierAdapter({
        ...options,
        baseUrl: silent.url,
        timeoutMs: 200,
      });
      const begun = Date.now();
      const error = await refusal(adapter.getShipment('SIM000000000000'));
      expect(error.code).toBe('LOGISTICS.CARRIER_UNAVAILABLE');
      expect(error.message).toContain('no answer within 200 ms');
      expect(Date.now() - begun).toBeLessThan(2_000);
    } finally {
      await silent.stop();
    }
  });

  it('LOGISTICS.CARRIER_UNAVAILABLE when it answers 503', async () => {
    const server = http.createServer((_request, response) => {
      response
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'MAINTENANCE', message: '系统维护中' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const adapter = new SimulatorCarrierAdapter({
        ...options,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      const error = await refusal(adapter.createShipment(shipment()));
      expect(error.code).toBe('LOGISTICS.CARRIER_UNAVAILABLE');
      expect(error.details).toMatchObject({ status: 503, carrierCode: 'MAINTENANCE' });
      expect(error.message).toContain('系统维护中');
    } finally {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
    }
  });
});
