import { createHmac } from 'node:crypto';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startCarrierSimulator, type RunningCarrierSimulator } from '../src/index';
import { trackingNumberFor } from '../src/carrier-simulator/tracking-number';

const SECRET = 'whsec_test_0123456789';
/** About a second for a cross-province delivery of ~27 simulated hours. */
const FAST = 100_000;

interface Delivery {
  headers: http.IncomingHttpHeaders;
  raw: string;
  event: WebhookBody;
  /** The status the receiver answered with (0: it never answered). */
  status: number;
}

interface WebhookBody {
  trackingNumber: string;
  reference: string;
  state: string;
  at: string;
  location: string;
  description: string;
  sequence: number;
}

interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Deliveries the receiver acknowledged with a 2xx. */
  acknowledged(): WebhookBody[];
  stop(): Promise<void>;
}

/** A webhook endpoint; `answer` decides each attempt's status ('hang' never answers). */
async function startReceiver(
  answer: (event: WebhookBody, attempt: number) => number | 'hang' = () => 204,
): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(raw) as WebhookBody;
      const key = `${event.trackingNumber}#${event.sequence}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const status = answer(event, attempt);
      deliveries.push({
        headers: request.headers,
        raw,
        event,
        status: status === 'hang' ? 0 : status,
      });
      if (status !== 'hang') response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/carrier/webhook`,
    deliveries,
    acknowledged: () =>
      deliveries.filter((d) => d.status >= 200 && d.status < 300).map((d) => d.event),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

function order(callbackUrl: string, overrides: { recipient?: object; reference?: string } = {}) {
  return {
    reference: overrides.reference ?? '411700-20260301-000042',
    service: 'STANDARD',
    sender: {
      name: '潜江市政务服务中心',
      phone: '0728-6221234',
      divisionCode: '429005',
      line: '湖北省潜江市园林街道章华中路1号',
      postalCode: '433100',
    },
    recipient: {
      name: '王芳',
      phone: '13912345678',
      divisionCode: '411702',
      line: '河南省驻马店市驿城区交通路18号',
      postalCode: '463000',
      ...overrides.recipient,
    },
    parcel: { description: '住房公积金提取决定书' },
    callbackUrl,
  };
}

async function post(
  carrier: RunningCarrierSimulator,
  body: unknown,
  options: { key?: string; apiKey?: string } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey ?? carrier.apiKey}`,
    'content-type': 'application/json',
  };
  if (options.key !== '') headers['idempotency-key'] = options.key ?? 'shipment-1';
  const response = await fetch(`${carrier.url}/v1/shipments`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function get(carrier: RunningCarrierSimulator, trackingNumber: string) {
  const response = await fetch(`${carrier.url}/v1/shipments/${trackingNumber}`, {
    headers: { authorization: `Bearer ${carrier.apiKey}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The receiver's own check of the documented scheme: t=<unix>,v1=hex(HMAC-SHA256("<t>.<body>")). */
function validSignature(header: string | undefined, raw: string, secret: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const [, t, v1] = match;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex');
  return expected === v1 && Math.abs(Date.now() / 1000 - Number(t)) <= 300;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const finalState = (receiver: Receiver) => () =>
  receiver.acknowledged().some((event) => event.state === 'DELIVERED' || event.state === 'FAILED');

const running: { stop(): Promise<void> }[] = [];
async function started<T extends { stop(): Promise<void> }>(thing: Promise<T>): Promise<T> {
  const value = await thing;
  running.push(value);
  return value;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((thing) => thing.stop()));
});

describe('carrier simulator', () => {
  it('delivers every tracking event in order and signed, from CREATED to DELIVERED', async () => {
    const receiver = await started(startReceiver());
    const carrier = await started(
      startCarrierSimulator({ webhookSecret: SECRET, speed: FAST, seed: 'golden-path' }),
    );
    expect(carrier.url).toBe(`http://127.0.0.1:${carrier.port}`);
    const health = await fetch(`${carrier.url}/health`);
    expect(health.status).toBe(200);

    const begun = Date.now();
    const created = await post(carrier, order(receiver.url));
    expect(created.status).toBe(201);
    const { trackingNumber, carrier: code, createdAt, estimatedDeliveryAt } = created.body;
    expect(trackingNumber).toMatch(/^SIM\d{12}$/);
    expect(code).toBe('SIM');
    expect(Date.parse(estimatedDeliveryAt as string)).toBeGreaterThan(
      Date.parse(createdAt as string),
    );

    await until(finalState(receiver));
    const elapsed = Date.now() - begun;
    const events = receiver.acknowledged();
    // Zhumadian is in another province: the sender's and the recipient's provincial hubs.
    expect(events.map((e) => [e.sequence, e.state, e.location])).toEqual([
      [1, 'CREATED', '潜江市'],
      [2, 'PICKED_UP', '潜江市'],
      [3, 'IN_TRANSIT', '武汉市'],
      [4, 'IN_TRANSIT', '郑州市'],
      [5, 'IN_TRANSIT', '驻马店市'],
      [6, 'DELIVERED', '驻马店市'],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({ trackingNumber, reference: '411700-20260301-000042' });
      expect(event.description).not.toBe('');
    }
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const delivery of receiver.deliveries) {
      expect(delivery.headers['content-type']).toMatch(/^application\/json/);
      expect(
        validSignature(delivery.headers['x-carrier-signature'] as string, delivery.raw, SECRET),
      ).toBe(true);
      expect(
        validSignature(delivery.headers['x-carrier-signature'] as string, delivery.raw, 'other'),
      ).toBe(false);
    }
    expect(elapsed).toBeLessThan(5_000);

    const shipment = await get(carrier, trackingNumber as string);
    expect(shipment.status).toBe(200);
    expect(shipment.body).toMatchObject({
      trackingNumber,
      state: 'DELIVERED',
      reference: '411700-20260301-000042',
    });
    expect(shipment.body.events).toEqual(
      events.map(({ sequence, state, at, location, description }) => ({
        sequence,
        state,
        at,
        location,
        description,
      })),
    );
  });

  it('within one province scans a single hub', async () => {
    const receiver = await started(startReceiver());
    const carrier = await started(startCarrierSimulator({ webhookSecret: SECRET, speed: FAST }));
    const created = await post(
      carrier,
      order(receiver.url, {
        recipient: {
          divisionCode: '420115',
          line: '武汉市江夏区文化大道1号',
          postalCode: '430200',
        },
      }),
    );
    expect(created.status).toBe(201);
    await until(finalState(receiver));
    expect(receiver.acknowledged().map((e) => `${e.state} ${e.location}`)).toEqual([
      'CREATED 潜江市',
      'PICKED_UP 潜江市',
      'IN_TRANSIT 武汉市',
      'IN_TRANSIT 武汉市',
      'DELIVERED 武汉市',
    ]);
  });

  it('replays the same tracking number and delays from the same seed', async () => {
    const runs: { trackingNumber: unknown; offsets: number[] }[] = [];
    for (let run = 0; run < 2; run++) {
      const receiver = await started(startReceiver());
      const carrier = await started(
        startCarrierSimulator({ webhookSecret: SECRET, speed: FAST, seed: 'replay' }),
      );
      const created = await post(carrier, order(receiver.url));
      await until(finalState(receiver));
      const start = Date.parse(created.body.createdAt as string);
      runs.push({
        trackingNumber: created.body.trackingNumber,
        offsets: receiver.acknowledged().map((e) => Date.parse(e.at) - start),
      });
    }
    // Offsets are computed from the same plan; 1 ms of rounding either way.
    expect(runs[1]!.trackingNumber).toBe(runs[0]!.trackingNumber);
    runs[1]!.offsets.forEach((offset, i) => {
      expect(Math.abs(offset - runs[0]!.offsets[i]!)).toBeLessThanOrEqual(1);
    });
  });

  it('answers a repeated create with the same shipment and ships it once', async () => {
    const receiver = await started(startReceiver());
    const carrier = await started(startCarrierSimulator({ webhookSecret: SECRET, speed: FAST }));
    const body = order(receiver.url);

    const first = await post(carrier, body, { key: 'shp-7' });
    const again = await post(carrier, body, { key: 'shp-7' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const resend = await post(carrier, body, { key: 'shp-8' });
    expect(resend.body.trackingNumber).not.toBe(first.body.trackingNumber);

    const changed = await post(
      carrier,
      order(receiver.url, { recipient: { line: '河南省驻马店市驿城区雪松路2号' } }),
      {
        key: 'shp-7',
      },
    );
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const keyless = await post(carrier, body, { key: '' });
    expect(keyless.status).toBe(400);
    expect(keyless.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');

    await until(() => receiver.acknowledged().filter((e) => e.state === 'DELIVERED').length === 2);
    const created = receiver.acknowledged().filter((e) => e.state === 'CREATED');
    expect(created.map((e) => e.trackingNumber).sort()).toEqual(
      [first.body.trackingNumber, resend.body.trackingNumber].sort(),
    );
  });

  describe('refuses bad input with 400 and a stable code', () => {
    const cases: [string, { recipient?: object; reference?: string }, string, string][] = [
      [
        'a missing recipient phone',
        { recipient: { phone: undefined } },
        'MISSING_FIELD',
        'recipient.phone',
      ],
      [
        'a missing recipient name',
        { recipient: { name: '  ' } },
        'MISSING_FIELD',
        'recipient.name',
      ],
      [
        'a malformed phone',
        { recipient: { phone: '1391234567' } },
        'INVALID_PHONE',
        'recipient.phone',
      ],
      [
        'a 4-digit division code',
        { recipient: { divisionCode: '4117' } },
        'INVALID_DIVISION_CODE',
        'recipient.divisionCode',
      ],
      [
        'an unknown province',
        { recipient: { divisionCode: '991702' } },
        'INVALID_DIVISION_CODE',
        'recipient.divisionCode',
      ],
      [
        'a whole province',
        { recipient: { divisionCode: '410000' } },
        'INVALID_DIVISION_CODE',
        'recipient.divisionCode',
      ],
      [
        'a bad postal code',
        { recipient: { postalCode: '46300' } },
        'INVALID_POSTAL_CODE',
        'recipient.postalCode',
      ],
      ['a reference with spaces', { reference: 'case 1' }, 'INVALID_FIELD', 'reference'],
    ];
    it.each(cases)('%s', async (_name, overrides, code, field) => {
      const carrier = await started(startCarrierSimulator({ webhookSecret: SECRET }));
      const answer = await post(carrier, order('http://127.0.0.1:9/hook', overrides));
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code, field });
      expect(answer.body.message).toContain(field);
    });

    it('a body that is not JSON, an unknown service, a bad callback URL', async () => {
      const carrier = await started(startCarrierSimulator({ webhookSecret: SECRET }));
      expect((await post(carrier, '{"reference":')).body.code).toBe('INVALID_JSON');
      expect((await post(carrier, [])).body.code).toBe('INVALID_REQUEST');
      expect(
        (await post(carrier, { ...order('http://127.0.0.1:9/'), service: 'EXPRESS' })).body.code,
      ).toBe('UNSUPPORTED_SERVICE');
      expect((await post(carrier, order('ftp://127.0.0.1/hook'))).body.code).toBe(
        'INVALID_CALLBACK_URL',
      );
    });

    it('401 without the API key; 400 for a mistyped tracking number, 404 for an unknown one', async () => {
      const carrier = await started(
        startCarrierSimulator({ webhookSecret: SECRET, apiKey: 'right' }),
      );
      const unauthorized = await post(carrier, order('http://127.0.0.1:9/'), { apiKey: 'wrong' });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.body.code).toBe('UNAUTHORIZED');

      const valid = trackingNumberFor('nobody');
      const typo = `${valid.slice(0, -1)}${(Number(valid.slice(-1)) + 1) % 10}`;
      expect(await get(carrier, typo)).toMatchObject({
        status: 400,
        body: { code: 'INVALID_TRACKING_NUMBER' },
      });
      expect(await get(carrier, valid)).toMatchObject({
        status: 404,
        body: { code: 'SHIPMENT_NOT_FOUND' },
      });
    });
  });

  it('retries a failing receiver and holds back later events until the earlier one is acknowledged', async () => {
    // Event 3 is refused twice (503), then accepted.
    const receiver = await started(
      startReceiver((event, attempt) => (event.sequence === 3 && attempt <= 2 ? 503 : 200)),
    );
    const carrier = await started(
      startCarrierSimulator({
        webhookSecret: SECRET,
        speed: FAST,
        webhook: { retryInitialMs: 50 },
      }),
    );
    await post(carrier, order(receiver.url));
    await until(finalState(receiver));

    expect(receiver.deliveries.map((d) => `${d.event.sequence}:${d.status}`)).toEqual([
      '1:200',
      '2:200',
      '3:503',
      '3:503',
      '3:200',
      '4:200',
      '5:200',
      '6:200',
    ]);
    expect(receiver.acknowledged().map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('retries an attempt the receiver does not answer in time', async () => {
    const receiver = await started(
      startReceiver((event, attempt) => (event.sequence === 2 && attempt === 1 ? 'hang' : 200)),
    );
    const carrier = await started(
      startCarrierSimulator({
        webhookSecret: SECRET,
        speed: FAST,
        webhook: { timeoutMs: 200, retryInitialMs: 50 },
      }),
    );
    await post(carrier, order(receiver.url));
    await until(finalState(receiver));
    expect(receiver.deliveries.map((d) => `${d.event.sequence}:${d.status}`).slice(0, 4)).toEqual([
      '1:200',
      '2:0',
      '2:200',
      '3:200',
    ]);
  });

  it('with failures.webhookErrorRate, sends acknowledged events again, still in order', async () => {
    const receiver = await started(startReceiver());
    const carrier = await started(
      startCarrierSimulator({
        webhookSecret: SECRET,
        speed: FAST,
        seed: 'flaky',
        webhook: { retryInitialMs: 10 },
        failures: { webhookErrorRate: 0.5 },
      }),
    );
    await post(carrier, order(receiver.url));
    await until(finalState(receiver));
    const sequences = receiver.acknowledged().map((e) => e.sequence);
    expect(sequences.length).toBeGreaterThan(6);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect([...new Set(sequences)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('loses a parcel whose recipient line holds [LOST]: FAILED after the hub scans', async () => {
    const receiver = await started(startReceiver());
    const carrier = await started(startCarrierSimulator({ webhookSecret: SECRET, speed: FAST }));
    const created = await post(
      carrier,
      order(receiver.url, { recipient: { line: '河南省驻马店市驿城区交通路18号 [LOST]' } }),
    );
    await until(finalState(receiver));
    const events = receiver.acknowledged();
    expect(events.map((e) => e.state)).toEqual([
      'CREATED',
      'PICKED_UP',
      'IN_TRANSIT',
      'IN_TRANSIT',
      'FAILED',
    ]);
    expect(events.at(-1)!.location).toBe('郑州市');
    const shipment = await get(carrier, created.body.trackingNumber as string);
    expect(shipment.body.state).toBe('FAILED');
  });

  it('stop() ends timers, retries and connections', async () => {
    const kinds = ['Timeout', 'TCPServerWrap', 'TCPSocketWrap'];
    const count = () =>
      Object.fromEntries(
        kinds.map((kind) => [
          kind,
          process.getActiveResourcesInfo().filter((r) => r === kind).length,
        ]),
      );
    const before = count();

    // Real time (speed 1): every shipment holds a timer for hours, and a receiver that always
    // fails keeps a retry pending for half a minute.
    const receiver = await startReceiver(() => 500);
    const carrier = await startCarrierSimulator({
      webhookSecret: SECRET,
      speed: 1,
      webhook: { retryInitialMs: 30_000 },
    });
    await post(carrier, order(receiver.url), { key: 'a' });
    await post(carrier, order(receiver.url), { key: 'b' });
    await until(() => receiver.deliveries.length >= 2);
    expect(count().Timeout).toBeGreaterThan(before.Timeout!);

    await carrier.stop();
    await receiver.stop();
    await expect(fetch(`${carrier.url}/health`)).rejects.toThrow();
    // Client sockets of this test close once they see the server's end.
    await until(() => kinds.every((kind) => count()[kind]! <= before[kind]!), 3_000).catch(() => {
      expect(count()).toEqual(before);
    });
    const attempts = receiver.deliveries.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.deliveries.length).toBe(attempts);
  });
});
