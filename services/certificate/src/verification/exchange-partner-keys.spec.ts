import { status, type handleUnaryCall } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DirectoryServiceService,
  type GetPartnerKeysRequest,
  type GetPartnerKeysResponse,
} from '@tongban/contracts/tongban/exchange/v1/directory';
import { GrpcHost } from '@tongban/service-kit';
import { createLogger } from '@tongban/telemetry';
import { generateSigningKeyPair, rawPublicKey } from '@tongban/trust';
import { ExchangePartnerKeys } from './exchange-partner-keys';

const PARTNER = '411700';
const first = generateSigningKeyPair();
const rotated = generateSigningKeyPair();
const logger = createLogger({ service: 'certificate', region: '429005', level: 'fatal' });

/** What the served DirectoryService answers; changed by each scenario. */
let answer: (region: string) => GetPartnerKeysResponse | status;
let calls = 0;
let directory: GrpcHost;
let address: string;
let time = 0;

beforeAll(async () => {
  directory = new GrpcHost(() => true);
  const getPartnerKeys: handleUnaryCall<GetPartnerKeysRequest, GetPartnerKeysResponse> = (
    call,
    callback,
  ) => {
    calls += 1;
    const result = answer(call.request.region);
    if (typeof result === 'number') callback({ code: result, details: 'refused' });
    else callback(null, result);
  };
  directory.addService(DirectoryServiceService, {
    getPartnerKeys,
    getPartnerCatalog: (_call: unknown, callback: (error: { code: status }) => void) => {
      callback({ code: status.UNIMPLEMENTED });
    },
  });
  address = `127.0.0.1:${String(await directory.start('127.0.0.1', 0))}`;
});

afterAll(async () => {
  await directory.stop(1_000);
});

beforeEach(() => {
  calls = 0;
  time = 1_000_000;
  answer = (region) => published(region, first);
});

function published(region: string, ...keys: (typeof first)[]): GetPartnerKeysResponse {
  return {
    keys: {
      region,
      keys: keys.map((key) => ({
        keyId: 'whatever-the-partner-says',
        ed25519: rawPublicKey(key.publicKey),
        validFrom: undefined,
        validUntil: undefined,
      })),
    },
  };
}

function directoryClient(): ExchangePartnerKeys {
  return new ExchangePartnerKeys(address, logger, { now: () => time });
}

describe('partner keys from the exchange directory', () => {
  it('files keys under the id computed from their bytes, not the id the answer names', async () => {
    const keys = directoryClient();
    const found = await keys.keysOf(PARTNER);
    expect([...(found?.keys() ?? [])]).toEqual([first.keyId]);
    keys.onApplicationShutdown();
  });

  it('asks once per five minutes, and shares a call made at the same moment', async () => {
    const keys = directoryClient();
    await Promise.all([keys.keysOf(PARTNER), keys.keysOf(PARTNER)]);
    time += 4 * 60_000;
    await keys.keysOf(PARTNER);
    expect(calls).toBe(1);
    time += 2 * 60_000;
    await keys.keysOf(PARTNER);
    expect(calls).toBe(2);
    keys.onApplicationShutdown();
  });

  it('refreshes for an unknown key id, but not more than every 30 seconds', async () => {
    const keys = directoryClient();
    await keys.keysOf(PARTNER);
    answer = (region) => published(region, first, rotated);
    expect((await keys.keysOf(PARTNER, { refresh: true }))?.has(rotated.keyId)).toBe(false);
    time += 31_000;
    expect((await keys.keysOf(PARTNER, { refresh: true }))?.has(rotated.keyId)).toBe(true);
    expect(calls).toBe(2);
    keys.onApplicationShutdown();
  });

  it('treats NOT_FOUND, an empty key list or another region’s keys as not a partner', async () => {
    const keys = directoryClient();
    answer = () => status.NOT_FOUND;
    expect(await keys.keysOf('110000')).toBeUndefined();
    answer = (region) => published(region);
    expect(await keys.keysOf('120000')).toBeUndefined();
    answer = () => published('430600', first);
    expect(await keys.keysOf('130000')).toBeUndefined();
    keys.onApplicationShutdown();
  });

  it('keeps using keys it had while the exchange is down, for up to an hour', async () => {
    const keys = directoryClient();
    await keys.keysOf(PARTNER);
    answer = () => status.UNAVAILABLE;
    time += 10 * 60_000;
    expect((await keys.keysOf(PARTNER))?.has(first.keyId)).toBe(true);
    time += 60 * 60_000;
    await expect(keys.keysOf(PARTNER)).rejects.toMatchObject({
      code: 'CERTIFICATE.ISSUER_KEYS_UNAVAILABLE',
    });
    keys.onApplicationShutdown();
  });
});
