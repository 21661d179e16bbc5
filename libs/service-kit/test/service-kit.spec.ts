import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthCheckResponse_ServingStatus, HealthService } from '@tongban/contracts';
import { loadRegion } from '@tongban/domain';
import {
  createIsolatedDatabase,
  testInfrastructure,
  uniqueTopicPrefix,
  type IsolatedDatabase,
} from '@tongban/testing';
import {
  GrpcHost,
  grpcClient,
  loadServiceConfig,
  migrateServiceDatabase,
  runService,
  ServiceContext,
  ServiceKitModule,
} from '../src';

let database: IsolatedDatabase;
let app: INestApplication;
let httpPort: number;
let grpcPort: number;

beforeAll(async () => {
  const infrastructure = testInfrastructure();
  database = await createIsolatedDatabase({ purpose: 'servicekit' });
  await migrateServiceDatabase(database.url, path.join(__dirname, 'fixtures/migrations'));
  const config = loadServiceConfig('probe', { HTTP_PORT: 0, GRPC_PORT: 0 }, undefined, {
    REGION: '411700',
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    LOG_LEVEL: 'warn',
  });
  const context = new ServiceContext(
    config,
    loadRegion(path.resolve(__dirname, '../../../deploy/regions/411700.yaml')),
  );
  @Module({ imports: [ServiceKitModule.forRoot(context)] })
  class ProbeModule {}
  app = await runService(ProbeModule, context, { shutdownHooks: false });
  httpPort = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  grpcPort = app.get(GrpcHost).port ?? 0;
});

afterAll(async () => {
  await app.close();
  await database.drop();
});

describe('a service on the service kit', () => {
  it('is live and ready over HTTP, with each check reported', async () => {
    expect((await fetch(`http://127.0.0.1:${String(httpPort)}/health/live`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${String(httpPort)}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: {
        lifecycle: { ok: true },
        database: { ok: true },
        kafka: { ok: true },
        consumer: { ok: true },
      },
    });
  });

  it('answers the standard gRPC health check', async () => {
    const health = grpcClient(HealthService, `127.0.0.1:${String(grpcPort)}`);
    try {
      expect(await health.check({ service: '' })).toEqual({
        status: HealthCheckResponse_ServingStatus.SERVING,
      });
    } finally {
      health.close();
    }
  });

  it('has the outbox and inbox tables from the shared migrations', async () => {
    const tables = await database.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['inbox', 'outbox', 'probe_note']),
    );
  });
});
