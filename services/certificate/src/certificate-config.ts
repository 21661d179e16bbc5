import { loadServiceConfig, type BaseServiceConfig } from '@tongban/service-kit';
import { z } from 'zod';

const DIRECTORY_ADDRESS =
  'must be host:port of this region’s exchange DirectoryService (in-region gRPC, without TLS)';

/** What the certificate service reads from its environment besides every service's settings. */
const certificateEnvironment = {
  EXCHANGE_DIRECTORY_ADDRESS: z
    .string({ error: DIRECTORY_ADDRESS })
    .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s[\]]+):\d{1,5}$/, DIRECTORY_ADDRESS),
};

export type CertificateConfig = BaseServiceConfig & {
  EXCHANGE_DIRECTORY_ADDRESS: string;
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
