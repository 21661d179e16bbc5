import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Staff } from '../api/console-api';
import { ConsoleContext } from '../console-context';
import { PrismaService } from '../prisma/prisma.service';
import { hashPassword, verifyPassword } from './password-hash';

export const SESSION_COOKIE = 'tongban_console_session';

// Checked against when the username is unknown, so a wrong name takes as long as a wrong password
// and sign-in does not tell which staff accounts exist.
const UNKNOWN_ACCOUNT_HASH = hashPassword('no account has this password');

/** Sign-in with a staff account, and the sessions the cookie names (token stored hashed). */
@Injectable()
export class SessionService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ConsoleContext) private readonly context: ConsoleContext,
  ) {}

  /** A new session's token, or undefined when the name or password is wrong. */
  async signIn(
    username: string,
    password: string,
  ): Promise<{ token: string; staff: Staff } | undefined> {
    const account = await this.prisma.staffAccount.findUnique({ where: { username } });
    const hash = account?.active ? account.passwordHash : await UNKNOWN_ACCOUNT_HASH;
    const matches = await verifyPassword(password, hash);
    if (!account?.active || !matches) return undefined;
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.prisma.$transaction([
      this.prisma.session.deleteMany({ where: { expiresAt: { lt: now } } }),
      this.prisma.session.create({
        data: { tokenHash: tokenHash(token), username, expiresAt: this.expiry(now) },
      }),
    ]);
    this.context.logger.info({ staff: username, role: account.role }, 'staff signed in');
    return { token, staff: this.staff(account) };
  }

  /** The signed-in staff of a token; an idle session expires, an active one is extended. */
  async resolve(token: string): Promise<Staff | undefined> {
    const now = new Date();
    const session = await this.prisma.session.findUnique({
      where: { tokenHash: tokenHash(token) },
      include: { account: true },
    });
    if (!session || session.expiresAt <= now || !session.account.active) return undefined;
    // Extend at most once a minute: a dashboard polling every few seconds does not write each time.
    if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
      await this.prisma.session.update({
        where: { tokenHash: session.tokenHash },
        data: { lastSeenAt: now, expiresAt: this.expiry(now) },
      });
    }
    return this.staff(session.account);
  }

  async signOut(token: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { tokenHash: tokenHash(token) } });
  }

  get idleSeconds(): number {
    return this.context.config.CONSOLE_SESSION_IDLE_MINUTES * 60;
  }

  private expiry(from: Date): Date {
    return new Date(from.getTime() + this.idleSeconds * 1000);
  }

  private staff(account: {
    username: string;
    name: string;
    role: Staff['role'];
    region: string;
  }): Staff {
    return {
      username: account.username,
      name: account.name,
      role: account.role,
      region: account.region,
      regionName: this.context.regions.name(account.region),
    };
  }
}

function tokenHash(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(token).digest());
}
