// Three real regions for the pipeline's end-to-end tests: every service of 411700, 429005 and
// 430600 as its own process on the shared test broker and database server, a carrier simulator,
// a fresh dev PKI, and typed gRPC clients for what a window, a reviewer and a verifier use.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CertificateServiceService } from '@tongban/contracts/tongban/certificate/v1/certificate';
import { DirectoryServiceService } from '@tongban/contracts/tongban/exchange/v1/directory';
import { IntakeServiceService } from '@tongban/contracts/tongban/intake/v1/intake';
import { LogisticsServiceService } from '@tongban/contracts/tongban/logistics/v1/logistics';
import { ReviewServiceService } from '@tongban/contracts/tongban/review/v1/review';
import {
  ensureDevPki,
  REGION_SERVICES,
  startCarrierSimulator,
  startRegionStack,
  type RegionService,
  type RunningCarrierSimulator,
  type RunningRegionStack,
} from '@tongban/infra';
import { databaseUrl, dropDatabase } from '@tongban/persistence';
import { grpcClient, type PromiseClient } from '@tongban/service-kit';
import { testInfrastructure, uniqueTopicPrefix } from '@tongban/testing';

export const DEMO_REGIONS = ['411700', '429005', '430600'] as const;

export interface RegionNetwork {
  stack: RunningRegionStack;
  carrier: RunningCarrierSimulator;
  keysDir: string;
  topicPrefix: string;
  logs: string[];
  intake(region: string): PromiseClient<typeof IntakeServiceService>;
  review(region: string): PromiseClient<typeof ReviewServiceService>;
  certificate(region: string): PromiseClient<typeof CertificateServiceService>;
  logistics(region: string): PromiseClient<typeof LogisticsServiceService>;
  /** The exchange's in-region directory (catalogs, keys). */
  directory(region: string): PromiseClient<typeof DirectoryServiceService>;
  /**
   * Stops one service and starts it again with extra environment — e.g. CLOCK_OFFSET_DAYS to let
   * days pass for deadlines and expiry, or REGIONS_DIR to load a changed region file.
   */
  restart(region: string, service: RegionService, env?: Record<string, string>): Promise<void>;
  /** URL of one service database of the network (to inspect the exchange's message log). */
  databaseUrl(region: string, service: string): string;
  stop(): Promise<void>;
}

export async function startRegionNetwork(): Promise<RegionNetwork> {
  const infrastructure = testInfrastructure();
  const scratch = mkdtempSync(path.join(tmpdir(), 'tongban-e2e-'));
  const keysDir = path.join(scratch, 'keys');
  await ensureDevPki({ keysDir, regions: DEMO_REGIONS });
  const webhookSecret = randomBytes(16).toString('hex');
  // A parcel crosses provinces in about a second.
  const carrier = await startCarrierSimulator({ webhookSecret, speed: 100_000 });
  const topicPrefix = uniqueTopicPrefix();
  const databasePrefix = `tb_test_e2e_${String(process.pid)}_${randomBytes(3).toString('hex')}`;
  const logs: string[] = [];
  const stack = await startRegionStack({
    regions: [...DEMO_REGIONS],
    kafkaBrokers: infrastructure.kafkaBrokers,
    postgresAdminUrl: infrastructure.postgresAdminUrl,
    zipkinUrl: infrastructure.zipkinUrl,
    carrier: { url: carrier.url, apiKey: carrier.apiKey, webhookSecret },
    keysDir,
    stateDir: path.join(scratch, 'state'),
    topicPrefix,
    databasePrefix,
    logLevel: 'info',
    onLog: (line) => {
      logs.push(line);
    },
  });

  const clients: { close(): void }[] = [];
  const client = <Definition extends Record<string, unknown>>(
    definition: Definition,
    region: string,
    service: 'intake' | 'review' | 'certificate' | 'logistics' | 'exchange',
  ): PromiseClient<Definition> => {
    const endpoints = stack.regions[region];
    if (!endpoints) throw new Error(`region ${region} is not running`);
    const created = grpcClient(
      definition,
      `127.0.0.1:${String(endpoints.services[service].grpcPort)}`,
    );
    clients.push(created);
    return created;
  };

  return {
    stack,
    carrier,
    keysDir,
    topicPrefix,
    logs,
    intake: (region) => client(IntakeServiceService, region, 'intake'),
    review: (region) => client(ReviewServiceService, region, 'review'),
    certificate: (region) => client(CertificateServiceService, region, 'certificate'),
    logistics: (region) => client(LogisticsServiceService, region, 'logistics'),
    directory: (region) => client(DirectoryServiceService, region, 'exchange'),
    restart: async (region, service, env) => {
      await stack.stopService(region, service);
      await stack.startService(region, service, env);
    },
    databaseUrl: (region, service) =>
      databaseUrl(infrastructure.postgresAdminUrl, `${databasePrefix}_${region}_${service}`),
    stop: async () => {
      for (const created of clients) created.close();
      await stack.stop();
      await carrier.stop();
      await Promise.all(
        DEMO_REGIONS.flatMap((region) =>
          REGION_SERVICES.map((service) =>
            dropDatabase(infrastructure.postgresAdminUrl, `${databasePrefix}_${region}_${service}`),
          ),
        ),
      );
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
