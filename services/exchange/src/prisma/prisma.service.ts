import { Inject, Injectable } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { ServiceContext } from '@tongban/service-kit';
import { PrismaClient } from '../../prisma/generated/client';

/**
 * The exchange database through Prisma, over the pg driver adapter (no Rust engine), sharing the
 * service's connection pool with the outbox relay and the delivery worker; the service kit closes the pool at shutdown.
 */
@Injectable()
export class PrismaService extends PrismaClient {
  constructor(@Inject(ServiceContext) context: ServiceContext) {
    super({ adapter: new PrismaPg(context.pool) });
  }
}

/** The client of an interactive transaction (`prisma.$transaction(async (tx) => …)`). */
export type PrismaTx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
