import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parse, stringify } from 'yaml';
import { databaseUrl, ensureDatabase } from '@tongban/persistence';
import { freePorts } from './ports';
import { formatLine, type RunningRegionStack } from './region-stack';

const repo = path.resolve(__dirname, '../..');

export interface DemoAccount {
  username: string;
  name: string;
  region: string;
  role: 'CLERK' | 'REVIEWER' | 'APPROVER' | 'OPERATOR';
  password: string;
}

/**
 * The demo staff of `deploy/console/demo-staff.yaml` for the given regions, each with a password
 * generated on first use and kept in `file` (dev state, never committed) so it stays the same
 * from one start to the next. The file is also the console's staff file.
 */
export function ensureDemoStaff(file: string, regions: readonly string[]): DemoAccount[] {
  const listed = parse(
    readFileSync(path.join(repo, 'deploy/console/demo-staff.yaml'), 'utf8'),
  ) as Omit<DemoAccount, 'password'>[];
  const known = new Map<string, string>();
  if (existsSync(file)) {
    for (const account of parse(readFileSync(file, 'utf8')) as DemoAccount[]) {
      known.set(account.username, account.password);
    }
  }
  const accounts = listed
    .filter((account) => regions.includes(account.region))
    .map((account) => ({
      ...account,
      password: known.get(account.username) ?? randomBytes(9).toString('base64url'),
    }));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `# Generated demo staff with development passwords (never commit).\n${stringify(accounts)}`,
    { mode: 0o600 },
  );
  return accounts;
}

export interface ConsoleProcessOptions {
  stack: RunningRegionStack;
  /** Regions whose staff this console serves; every region of the stack by default. */
  regions?: string[];
  postgresAdminUrl: string;
  databaseName: string;
  staffFile: string;
  kafkaBrokers: string[];
  topicPrefix?: string;
  zipkinUrl?: string;
  port?: number;
  logLevel?: string;
  onLog?: (line: string) => void;
}

export interface RunningConsole {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs the console (API + built web app) as its own process against a running region stack,
 * like the services; resolves once it logged that it is ready.
 */
export async function startConsoleProcess(options: ConsoleProcessOptions): Promise<RunningConsole> {
  const regions = options.regions ?? Object.keys(options.stack.regions);
  const upstreams = Object.fromEntries(
    regions.map((code) => {
      const region = options.stack.regions[code];
      if (!region) throw new Error(`region ${code} is not part of the stack`);
      const address = (service: keyof typeof region.services) =>
        `127.0.0.1:${String(region.services[service].grpcPort)}`;
      return [
        code,
        {
          intake: address('intake'),
          review: address('review'),
          certificate: address('certificate'),
          logistics: address('logistics'),
          exchange: address('exchange'),
        },
      ];
    }),
  );
  await ensureDatabase(options.postgresAdminUrl, options.databaseName);
  const [port] = await freePorts(options.port);
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(repo, 'services/console/src/main.ts')],
    {
      cwd: path.join(repo, 'services/console'),
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        DATABASE_URL: databaseUrl(options.postgresAdminUrl, options.databaseName),
        CONSOLE_UPSTREAMS: JSON.stringify(upstreams),
        CONSOLE_STAFF_FILE: options.staffFile,
        KAFKA_BROKERS: options.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: options.topicPrefix ?? '',
        ...(options.zipkinUrl ? { ZIPKIN_URL: options.zipkinUrl } : {}),
        LOG_LEVEL: options.logLevel ?? 'info',
        SWC_NODE_PROJECT: path.join(repo, 'tsconfig.base.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = options.onLog ?? ((line: string) => process.stdout.write(`${line}\n`));
  const tail: string[] = [];
  let url = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      log(formatLine('console', 'bff', line));
      const match = line.includes('"msg":"console ready"') ? /"url":"([^"]+)"/.exec(line) : null;
      if (match?.[1]) {
        url = match[1];
        resolve();
      }
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code, signal) => {
      reject(
        new Error(
          `the console exited (${String(code ?? signal)}) before it was ready:\n${tail.join('\n')}`,
        ),
      );
    });
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
