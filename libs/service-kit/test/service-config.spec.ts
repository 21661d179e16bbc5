import { describe, expect, it } from 'vitest';
import { loadServiceConfig, ServiceConfigError } from '../src';
import { z } from 'zod';

const valid = {
  REGION: '411700',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/tb_411700_intake',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadServiceConfig('intake', { HTTP_PORT: 0, GRPC_PORT: 0 }, { BLOB_DIR: z.string() }, env);
  } catch (error) {
    if (error instanceof ServiceConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadServiceConfig', () => {
  it('reads a complete environment with defaults for what may be left out', () => {
    const config = loadServiceConfig(
      'intake',
      { HTTP_PORT: 8080, GRPC_PORT: 9090 },
      undefined,
      valid,
    );
    expect(config).toMatchObject({
      service: 'intake',
      REGION: '411700',
      HTTP_PORT: 8080,
      GRPC_PORT: 9090,
      KAFKA_TOPIC_PREFIX: '',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    expect(config.regionsDir).toMatch(/deploy\/regions$/);
  });

  it('names every missing or malformed variable at once, with what it must be', () => {
    const problems = problemsOf({
      REGION: '4117',
      KAFKA_BROKERS: 'localhost',
      HTTP_PORT: 'eighty',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^REGION: must be the 6-digit GB\/T 2260 code/),
        expect.stringMatching(/^DATABASE_URL: missing; /),
        expect.stringMatching(/^KAFKA_BROKERS: must be a comma-separated list of host:port/),
        expect.stringMatching(/^HTTP_PORT: /),
        expect.stringMatching(/^BLOB_DIR: missing; /),
      ]),
    );
  });

  it('says which service the configuration belongs to', () => {
    expect(() =>
      loadServiceConfig('review', { HTTP_PORT: 0, GRPC_PORT: 0 }, undefined, {}),
    ).toThrow(/^Configuration of review is invalid:\n {2}- /);
  });
});
