import { Inject, Injectable } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../prisma/generated/client';
import { ConsoleContext } from '../console-context';

/** The console's own database (staff accounts, sessions) through Prisma on the shared pool. */
@Injectable()
export class PrismaService extends PrismaClient {
  constructor(@Inject(ConsoleContext) context: ConsoleContext) {
    super({ adapter: new PrismaPg(context.pool) });
  }
}
