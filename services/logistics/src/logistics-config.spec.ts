import { ServiceConfigError } from '@tongban/service-kit';
import { describe, expect, it } from 'vitest';
import { loadLogisticsConfig, webhookUrl } from './logistics-config';

const valid = {
  REGION: '429005',
  DATABASE_URL: 'postgres://127.0.0.1:5432/logistics_429005',
  KAFKA_BROKERS: '127.0.0.1:9092',
  HTTP_PORT: '7431',
  CARRIER_URL: 'http://127.0.0.1:8790',
  CARRIER_API_KEY: 'sim_key',
  CARRIER_WEBHOOK_SECRET: 'whsec_0123456789abcdef',
  LOGISTICS_PUBLIC_URL: 'http://127.0.0.1:7431',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadLogisticsConfig(env);
  } catch (error) {
    if (error instanceof ServiceConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('logistics configuration', () => {
  it('accepts the environment the region stack gives every service', () => {
    const config = loadLogisticsConfig(valid);
    expect(config.CARRIER_URL).toBe(valid.CARRIER_URL);
    expect(config.LOGISTICS_SENDER_PHONE).toBeUndefined();
    expect(config.LOGISTICS_SENDER_LINE).toBeUndefined();
  });

  it('names every missing carrier setting at once, with what it must be', () => {
    const {
      CARRIER_URL: _url,
      CARRIER_API_KEY: _key,
      CARRIER_WEBHOOK_SECRET: _secret,
      LOGISTICS_PUBLIC_URL: _public,
      ...rest
    } = valid;
    expect(problems(rest)).toEqual([
      'CARRIER_URL: missing; must be the carrier API base URL, e.g. http://127.0.0.1:8790',
      'CARRIER_API_KEY: missing; must be the API key the carrier issued to this region',
      'CARRIER_WEBHOOK_SECRET: missing; must be the webhook signing secret agreed with the carrier',
      expect.stringMatching(
        /^LOGISTICS_PUBLIC_URL: missing; must be the base URL at which the carrier reaches/,
      ),
    ]);
  });

  it('refuses values the carrier or its webhooks could not work with', () => {
    expect(
      problems({
        ...valid,
        CARRIER_URL: 'ftp://carrier.example',
        CARRIER_WEBHOOK_SECRET: 'short',
        LOGISTICS_PUBLIC_URL: 'not a url',
        LOGISTICS_SENDER_PHONE: '12345',
        LOGISTICS_SENDER_POSTAL_CODE: '4331',
      }).map((problem) => problem.split(':')[0]),
    ).toEqual([
      'CARRIER_URL',
      'CARRIER_WEBHOOK_SECRET',
      'LOGISTICS_PUBLIC_URL',
      'LOGISTICS_SENDER_PHONE',
      'LOGISTICS_SENDER_POSTAL_CODE',
    ]);
  });

  it('wants a fixed HTTP port, which the public URL leads to', () => {
    const { HTTP_PORT: _port, ...rest } = valid;
    expect(problems(rest)).toEqual([expect.stringMatching(/^HTTP_PORT: must be a fixed port/)]);
  });

  it('builds the webhook URL under the public URL, with or without a path', () => {
    expect(webhookUrl({ LOGISTICS_PUBLIC_URL: 'http://127.0.0.1:7431' }, 'SIM')).toBe(
      'http://127.0.0.1:7431/carrier/webhooks/sim',
    );
    expect(webhookUrl({ LOGISTICS_PUBLIC_URL: 'https://gw.example/logistics/' }, 'SIM')).toBe(
      'https://gw.example/logistics/carrier/webhooks/sim',
    );
  });
});
