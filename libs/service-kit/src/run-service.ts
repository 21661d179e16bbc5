import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from '@tongban/telemetry';
import { GrpcHost } from './grpc-host';
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

/** Nest's own log lines, as pino JSON with the service's fields and trace ids. */
class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
