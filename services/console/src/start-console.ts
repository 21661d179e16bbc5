import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { migrate } from '@tongban/persistence';
import { PinoNestLogger } from '@tongban/service-kit';
import { AppModule } from './app.module';
import type { ConsoleContext } from './console-context';
import { serveWebApp } from './web/web-app';

export interface RunningConsole {
  app: INestApplication;
  url: string;
}

/**
 * Migrates the console's database, seeds the staff accounts, and serves the API and the web app
 * on HTTP_PORT. Logs one `console ready` line with the URL, which the dev stack waits for.
 */
export async function startConsole(
  context: ConsoleContext,
  options: { shutdownHooks?: boolean } = {},
): Promise<RunningConsole> {
  await migrate({
    databaseUrl: context.config.DATABASE_URL,
    migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
    table: 'pgmigrations',
  });
  // Nest declares its options as a class with no behaviour, and does not export it.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const app = await NestFactory.create(AppModule.forRoot(context), {
    logger: new PinoNestLogger(context.logger),
  });
  if (options.shutdownHooks !== false) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  serveWebApp(app, context.config.webDir, context.logger);
  await app.listen(context.config.HTTP_PORT, context.config.HOST);
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://${context.config.HOST}:${String(address.port)}`;
  context.logger.info({ url, regions: context.regions.served }, 'console ready');
  return { app, url };
}
