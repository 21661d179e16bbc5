import path from 'node:path';
import { resolvePostgres, type PostgresServer } from '../src/index';

const fixtureRoot = path.join(__dirname, 'fixtures', 'case-desk');

/** The fixture service the tests migrate, check and generate a client for. */
export const caseDesk = {
  root: fixtureRoot,
  schemaPath: path.join(fixtureRoot, 'prisma', 'schema.prisma'),
  migrationsDir: path.join(fixtureRoot, 'prisma', 'migrations'),
  generatedClient: path.join(fixtureRoot, 'prisma', 'generated', 'client.ts'),
};

/**
 * The server to create test databases on: the one the workspace's test setup already runs when
 * there is one (its admin URL is in TONGBAN_TEST_DATABASE_URL), else whatever resolvePostgres finds.
 */
export function testPostgres(): Promise<PostgresServer> {
  const shared = process.env.TONGBAN_TEST_DATABASE_URL;
  return resolvePostgres(shared ? { env: { ...process.env, DATABASE_URL: shared } } : {});
}

/** Milliseconds since `start`, for the timings the tests print. */
export function since(start: number): number {
  return Math.round(performance.now() - start);
}
