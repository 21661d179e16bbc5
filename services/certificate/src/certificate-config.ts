import { loadServiceConfig, type BaseServiceConfig } from '@tongban/service-kit';
import { z } from 'zod';

const DIRECTORY_ADDRESS =
  'must be host:port of this region’s exchange DirectoryService (in-region gRPC, without TLS)';
const SWEEP_INTERVAL =
  'must be the milliseconds between two sweeps for expiring certificates (1000 – 86400000)';

/** What the certificate service reads from its environment besides every service's settings. */
const certificateEnvironment = {
  EXCHANGE_DIRECTORY_ADDRESS: z
    .string({ error: DIRECTORY_ADDRESS })
    .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s[\]]+):\d{1,5}$/, DIRECTORY_ADDRESS),
  // Reminders are due by the day (remindDaysBefore); a minute is prompt enough and cheap.
  CERTIFICATE_SWEEP_INTERVAL_MS: z.coerce
    .number({ error: SWEEP_INTERVAL })
    .int(SWEEP_INTERVAL)
    .min(1_000, SWEEP_INTERVAL)
    .max(86_400_000, SWEEP_INTERVAL)
    .default(60_000),
};

export type CertificateConfig = BaseServiceConfig & {
  EXCHANGE_DIRECTORY_ADDRESS: string;
  CERTIFICATE_SWEEP_INTERVAL_MS: number;
};

/** Reads and validates the certificate service's environment; fails with every problem at once. */
export function loadCertificateConfig(env: NodeJS.ProcessEnv = process.env): CertificateConfig {
  return loadServiceConfig(
    'certificate',
    { HTTP_PORT: 0, GRPC_PORT: 0 },
    certificateEnvironment,
    env,
  );
}
