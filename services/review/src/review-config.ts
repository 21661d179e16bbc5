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
};

export type ReviewConfig = ReturnType<typeof loadReviewConfig>;

export function loadReviewConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig('review', { HTTP_PORT: 0, GRPC_PORT: 0 }, reviewEnvironment, env);
}
