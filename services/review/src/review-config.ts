import path from 'node:path';
import { loadServiceConfig } from '@tongban/service-kit';
import { z } from 'zod';

/** The review service's own environment, validated with the base settings at start. */
export const reviewEnvironment = {
  // How often the deadline sweep looks for tasks whose warning or deadline has come (it also runs
  // at start, so a restart with a shifted clock catches up at once).
  REVIEW_SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100, 'must be at least 100 (milliseconds between deadline sweeps)')
    .max(86_400_000, 'must be at most 86400000 (one day)')
    .default(30_000),
  /**
   * The region's blob store, where the exchange puts the materials and survey media of received
   * cases (the reviewer's materials viewer reads them); `<repo>/.tongban/dev/<region>/blobs`, as
   * for intake and the exchange, when unset.
   */
  BLOB_DIR: z.string().min(1).optional(),
};

export type ReviewConfig = ReturnType<typeof loadReviewConfig>;

export function loadReviewConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig('review', { HTTP_PORT: 0, GRPC_PORT: 0 }, reviewEnvironment, env);
}

const workspaceRoot = path.resolve(__dirname, '../../..');

/** Where this region's blobs are: BLOB_DIR, else the development folder intake uses too. */
export function blobDirectory(config: Pick<ReviewConfig, 'BLOB_DIR' | 'REGION'>): string {
  return path.resolve(
    config.BLOB_DIR ?? path.join(workspaceRoot, '.tongban/dev', config.REGION, 'blobs'),
  );
}
