import path from 'node:path';
import { z } from 'zod';
import { loadServiceConfig, type BaseServiceConfig } from '@tongban/service-kit';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MEBIBYTE = 1024 * 1024;

const positiveMs = z.coerce.number().int().min(1);

/** The exchange's own environment, on top of every service's (service-config.ts). */
export const exchangeEnvironment = {
  /**
   * Port of the partner-facing mTLS server; overrides the port of the region file's
   * `exchange.listen` (0 = any free port, logged in the ready line).
   */
  PARTNER_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** The region's blob store, shared with intake; `<repo>/.tongban/dev/<region>/blobs` by default. */
  BLOB_DIR: z.string().min(1).optional(),
  /** How long a message is retried before it is marked failed and an alert is raised. */
  EXCHANGE_RETRY_BUDGET_MS: positiveMs.default(24 * HOUR),
  /** Also give up after this many attempts; 0 = only the time budget counts. */
  EXCHANGE_MAX_ATTEMPTS: z.coerce.number().int().min(0).default(0),
  /** First pause after a failed attempt, doubled on each further failure up to the cap. */
  EXCHANGE_RETRY_INITIAL_MS: positiveMs.default(200),
  EXCHANGE_RETRY_MAX_MS: positiveMs.default(10_000),
  /** Largest blob a partner may upload. */
  EXCHANGE_BLOB_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(32 * MEBIBYTE),
  /** How long a partner's catalog and keys are served from cache before they are fetched again. */
  EXCHANGE_DIRECTORY_TTL_MS: positiveMs.default(5 * MINUTE),
  /** Cases delivered in parallel (each case's messages always one after another). */
  EXCHANGE_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Safety net when a commit notification is missed; normally NOTIFY wakes the worker. */
  EXCHANGE_POLL_MS: positiveMs.default(1_000),
  /** Deadline of one Deliver call to a partner. */
  EXCHANGE_DELIVER_TIMEOUT_MS: positiveMs.default(15_000),
};

export type ExchangeConfig = ReturnType<typeof loadExchangeConfig>;

/** The exchange's configuration from `env`; throws ServiceConfigError naming every problem. */
export function loadExchangeConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(
    'exchange',
    { HTTP_PORT: 0, GRPC_PORT: 0 },
    exchangeEnvironment,
    env,
  ) satisfies BaseServiceConfig;
}

const workspaceRoot = path.resolve(__dirname, '../../../..');

/** Where this region's blobs are: BLOB_DIR, else the development folder intake uses too. */
export function blobDirectory(config: ExchangeConfig): string {
  return config.BLOB_DIR ?? path.join(workspaceRoot, '.tongban/dev', config.REGION, 'blobs');
}
