import { randomBytes } from 'node:crypto';

/** Where the infrastructure of this test run listens (set by the global setup or `npm test`). */
export interface TestInfrastructure {
  kafkaBrokers: string[];
  zipkinUrl: string;
  /** Server-level PostgreSQL URL used to create and drop per-test databases. */
  postgresAdminUrl: string;
}

export const TEST_ENV = {
  kafkaBrokers: 'TONGBAN_TEST_KAFKA_BROKERS',
  zipkinUrl: 'TONGBAN_TEST_ZIPKIN_URL',
  postgresAdminUrl: 'TONGBAN_TEST_DATABASE_URL',
} as const;

export function readTestInfrastructure(): TestInfrastructure | undefined {
  const brokers = process.env[TEST_ENV.kafkaBrokers];
  const zipkinUrl = process.env[TEST_ENV.zipkinUrl];
  const postgresAdminUrl = process.env[TEST_ENV.postgresAdminUrl];
  if (!brokers || !zipkinUrl || !postgresAdminUrl) return undefined;
  return { kafkaBrokers: brokers.split(','), zipkinUrl, postgresAdminUrl };
}

export function testInfrastructure(): TestInfrastructure {
  const infrastructure = readTestInfrastructure();
  if (!infrastructure) {
    throw new Error(
      'Test infrastructure is not running: run tests through `npm test` or a project vitest config ' +
        'whose globalSetup is @tongban/testing/global-setup.',
    );
  }
  return infrastructure;
}

export function exportTestInfrastructure(infrastructure: TestInfrastructure): void {
  process.env[TEST_ENV.kafkaBrokers] = infrastructure.kafkaBrokers.join(',');
  process.env[TEST_ENV.zipkinUrl] = infrastructure.zipkinUrl;
  process.env[TEST_ENV.postgresAdminUrl] = infrastructure.postgresAdminUrl;
}

/**
 * A topic prefix no other test file or run shares, e.g. `t3f9a1c.`; put it in front of a region's
 * topic and group names (TopicNaming's prefix) to isolate a test on the shared broker.
 */
export function uniqueTopicPrefix(): string {
  return `t${randomBytes(4).toString('hex')}.`;
}
