import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { stringify } from 'yaml';
import {
  createIsolatedDatabase,
  testInfrastructure,
  type IsolatedDatabase,
} from '@tongban/testing';
import { loadConsoleConfig } from '../src/config/console-config';
import { ConsoleContext } from '../src/console-context';
import { startConsole } from '../src/start-console';

export interface TestAccount {
  username: string;
  name: string;
  region: string;
  role: 'CLERK' | 'REVIEWER' | 'APPROVER' | 'OPERATOR';
  password: string;
}

export const ACCOUNTS: TestAccount[] = [
  {
    username: 'clerk.411700',
    name: '张敏',
    region: '411700',
    role: 'CLERK',
    password: 'clerk-411700-password',
  },
  {
    username: 'operator.411700',
    name: '赵磊',
    region: '411700',
    role: 'OPERATOR',
    password: 'operator-411700-password',
  },
  {
    username: 'reviewer.429005',
    name: '陈晨',
    region: '429005',
    role: 'REVIEWER',
    password: 'reviewer-429005-password',
  },
  {
    username: 'approver.429005',
    name: '杨帆',
    region: '429005',
    role: 'APPROVER',
    password: 'approver-429005-password',
  },
];

/**
 * The console in-process on a fresh database, serving 411700 and 429005, with services that do
 * not answer (a port nobody listens on): what the console decides on its own — sign-in, sessions,
 * who may call what — is tested without the regions behind it.
 */
export class ConsoleHarness {
  private constructor(
    readonly url: string,
    private readonly app: INestApplication,
    private readonly database: IsolatedDatabase,
    private readonly scratch: string,
    readonly staffFile: string,
  ) {}

  static async start(
    options: { accounts?: TestAccount[]; database?: IsolatedDatabase; scratch?: string } = {},
  ): Promise<ConsoleHarness> {
    const database = options.database ?? (await createIsolatedDatabase({ purpose: 'console' }));
    const scratch = options.scratch ?? mkdtempSync(path.join(tmpdir(), 'tongban-console-'));
    const staffFile = path.join(scratch, 'staff.yaml');
    writeFileSync(staffFile, stringify(options.accounts ?? ACCOUNTS));
    // Nothing listens on port 9 (discard) here: every service call fails as unreachable.
    const nowhere = '127.0.0.1:9';
    const upstream = {
      intake: nowhere,
      review: nowhere,
      certificate: nowhere,
      logistics: nowhere,
      exchange: nowhere,
    };
    const config = loadConsoleConfig({
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      DATABASE_URL: database.url,
      CONSOLE_UPSTREAMS: JSON.stringify({ '411700': upstream, '429005': upstream }),
      CONSOLE_STAFF_FILE: staffFile,
      KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
      CONSOLE_WEB_DIR: path.join(scratch, 'no-web'),
      LOG_LEVEL: 'warn',
    });
    const context = new ConsoleContext(config);
    const { app, url } = await startConsole(context, { shutdownHooks: false });
    return new ConsoleHarness(url, app, database, scratch, staffFile);
  }

  /** Stops the console, keeping its database and files (to start it again). */
  async stopApp(): Promise<{ database: IsolatedDatabase; scratch: string }> {
    await this.app.close();
    return { database: this.database, scratch: this.scratch };
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.database.drop();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  get databaseUrl(): string {
    return this.database.url;
  }
}

export interface ApiResult {
  status: number;
  body: Record<string, unknown>;
  setCookie: string | null;
}

/** One browser's worth of HTTP: keeps the session cookie like a browser does. */
export class ApiSession {
  cookie = '';

  constructor(private readonly base: string) {}

  async signIn(username: string, password: string): Promise<ApiResult> {
    const result = await this.request('POST', '/api/session', { username, password });
    const cookie = result.setCookie?.split(';')[0];
    if (result.status === 200 && cookie) this.cookie = cookie;
    return result;
  }

  async request(method: string, url: string, body?: unknown): Promise<ApiResult> {
    const response = await fetch(new URL(url, this.base), {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, setCookie: response.headers.get('set-cookie') };
  }
}
