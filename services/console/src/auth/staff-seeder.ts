import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ConsoleContext } from '../console-context';
import { PrismaService } from '../prisma/prisma.service';
import { hashPassword } from './password-hash';
import { readStaffFile } from './staff-file';

/**
 * Brings the staff accounts in line with the staff file at every start: new ones are added,
 * changed ones updated, accounts no longer listed are disabled and their sessions ended.
 */
@Injectable()
export class StaffSeeder implements OnModuleInit {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ConsoleContext) private readonly context: ConsoleContext,
  ) {}

  async onModuleInit(): Promise<void> {
    const { config, logger, regions } = this.context;
    const accounts = readStaffFile(config.CONSOLE_STAFF_FILE, regions.served);
    const rows = await Promise.all(
      accounts.map(async (account) => ({
        username: account.username,
        name: account.name,
        region: account.region,
        role: account.role,
        passwordHash: account.passwordHash ?? (await hashPassword(account.password ?? '')),
        active: true,
        updatedAt: new Date(),
      })),
    );
    const listed = rows.map((row) => row.username);
    await this.prisma.$transaction([
      ...rows.map((row) =>
        this.prisma.staffAccount.upsert({
          where: { username: row.username },
          create: row,
          update: row,
        }),
      ),
      this.prisma.session.deleteMany({ where: { username: { notIn: listed } } }),
      this.prisma.staffAccount.updateMany({
        where: { username: { notIn: listed }, active: true },
        data: { active: false, updatedAt: new Date() },
      }),
    ]);
    logger.info({ accounts: rows.length }, 'staff accounts loaded from the staff file');
  }
}
