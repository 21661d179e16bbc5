import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcHost } from './grpc-host';
import { PinoNestLogger } from './pino-nest-logger';
import type { ServiceContext } from './service-context';

/**
 * Starts a service's Nest application: HTTP (health, and any REST adapters) on HTTP_PORT, the
 * gRPC server and consumers through ServiceKitModule, shutdown hooks on SIGTERM/SIGINT. Logs one
 * `ready` line with the bound ports, which the dev stack and tests wait for.
 */
export async function runService(
  appModule: unknown,
  context: ServiceContext,
  options: { shutdownHooks?: boolean } = {},
): Promise<INestApplication> {
  // Nest declares its options as a class with no behaviour, and does not export it.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const app = await NestFactory.create(appModule as never, {
    logger: new PinoNestLogger(context.logger),
  });
  if (options.shutdownHooks !== false) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(context.config.HTTP_PORT, context.config.HOST);
  const server = app.getHttpServer() as Server;
  const address = server.address() as AddressInfo | null;
  context.logger.info(
    { httpPort: address?.port, grpcPort: app.get(GrpcHost).port },
    `${context.regionCode}/${context.service} ready`,
  );
  return app;
}
