import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { databaseUrl, ensureDatabase } from '@tongban/persistence';
import { freePorts } from './ports';

/** The five services of a region, in the order they are started and listed. */
export const REGION_SERVICES = [
  'exchange',
  'intake',
  'review',
  'certificate',
  'logistics',
] as const;
export type RegionService = (typeof REGION_SERVICES)[number];

const repo = path.resolve(__dirname, '../..');

export interface CarrierEndpoint {
  url: string;
  apiKey: string;
  webhookSecret: string;
}

export interface RegionStackOptions {
  regions: string[];
  kafkaBrokers: string[];
  postgresAdminUrl: string;
  zipkinUrl?: string;
  carrier: CarrierEndpoint;
  keysDir: string;
  /** Per-region state (blob stores) goes below this folder. */
  stateDir: string;
  /** Isolates a test run's topics and consumer groups on a shared broker. */
  topicPrefix?: string;
  /** Databases are named `<databasePrefix>_<region>_<service>`. */
  databasePrefix: string;
  logLevel?: string;
  /** Where each process's log lines go, already prefixed with region and service. */
  onLog?: (line: string, source: { region: string; service: RegionService }) => void;
  /** Extra environment for every process (e.g. a shorter retry budget in tests). */
  env?: Record<string, string>;
  /** Which services to run; all five by default. */
  services?: readonly RegionService[];
}

export interface ServiceEndpoints {
  httpPort: number;
  grpcPort: number;
}

export interface RegionEndpoints {
  code: string;
  services: Record<RegionService, ServiceEndpoints>;
  /** The exchange's partner-facing mTLS port. */
  partnerPort: number;
}

export interface RunningRegionStack {
  regions: Record<string, RegionEndpoints>;
  /** Stops one service (SIGTERM, graceful) — to test what its region does without it. */
  stopService(region: string, service: RegionService): Promise<void>;
  /** Starts a stopped service again on the same ports, with extra environment if given. */
  startService(region: string, service: RegionService, env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

/**
 * Runs every service of every region as its own Node process, as a real deployment would: each
 * with its own database, its own ports, the region's topics, and partner endpoints pointing at the
 * other regions' exchanges. Resolves when every service logged that it is ready.
 */
export async function startRegionStack(options: RegionStackOptions): Promise<RunningRegionStack> {
  const regions: Record<string, RegionEndpoints> = {};
  for (const code of options.regions) {
    const ports = await freePorts(
      ...REGION_SERVICES.flatMap(() => [undefined, undefined]),
      undefined,
    );
    const services = Object.fromEntries(
      REGION_SERVICES.map((service, index) => [
        service,
        { httpPort: ports[index * 2] ?? 0, grpcPort: ports[index * 2 + 1] ?? 0 },
      ]),
    ) as Record<RegionService, ServiceEndpoints>;
    regions[code] = { code, services, partnerPort: ports[REGION_SERVICES.length * 2] ?? 0 };
  }

  const endpointEnv = Object.fromEntries(
    Object.values(regions).map((region) => [
      `TONGBAN_ENDPOINT_${region.code}`,
      `127.0.0.1:${String(region.partnerPort)}`,
    ]),
  );

  const selected = options.services ?? REGION_SERVICES;
  await Promise.all(
    options.regions.flatMap((code) =>
      selected.map((service) =>
        ensureDatabase(options.postgresAdminUrl, databaseName(options, code, service)),
      ),
    ),
  );

  const running = new Map<string, Running>();
  const key = (region: string, service: RegionService) => `${region}/${service}`;

  const environment = (
    region: RegionEndpoints,
    service: RegionService,
    extra: Record<string, string> = {},
  ): NodeJS.ProcessEnv => {
    const own = region.services[service];
    const blobDir = path.join(options.stateDir, region.code, 'blobs');
    mkdirSync(blobDir, { recursive: true });
    const directory = `127.0.0.1:${String(region.services.exchange.grpcPort)}`;
    return {
      ...process.env,
      ...endpointEnv,
      ...options.env,
      REGION: region.code,
      DATABASE_URL: databaseUrl(
        options.postgresAdminUrl,
        databaseName(options, region.code, service),
      ),
      KAFKA_BROKERS: options.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: options.topicPrefix ?? '',
      ...(options.zipkinUrl ? { ZIPKIN_URL: options.zipkinUrl } : {}),
      HOST: '127.0.0.1',
      HTTP_PORT: String(own.httpPort),
      GRPC_PORT: String(own.grpcPort),
      TONGBAN_KEYS_DIR: options.keysDir,
      LOG_LEVEL: options.logLevel ?? 'info',
      BLOB_DIR: blobDir,
      EXCHANGE_DIRECTORY_ADDRESS: directory,
      PARTNER_PORT: String(region.partnerPort),
      CARRIER_URL: options.carrier.url,
      CARRIER_API_KEY: options.carrier.apiKey,
      CARRIER_WEBHOOK_SECRET: options.carrier.webhookSecret,
      LOGISTICS_PUBLIC_URL: `http://127.0.0.1:${String(region.services.logistics.httpPort)}`,
      SWC_NODE_PROJECT: path.join(repo, 'tsconfig.base.json'),
      ...extra,
    };
  };

  const start = (
    region: RegionEndpoints,
    service: RegionService,
    extra?: Record<string, string>,
  ): Promise<void> => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(repo, 'services', service, 'src/main.ts')],
      {
        cwd: path.join(repo, 'services', service),
        env: environment(region, service, extra),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const source = { region: region.code, service };
    const log = options.onLog ?? ((line: string) => process.stdout.write(`${line}\n`));
    let ready: () => void = () => undefined;
    let failed: (error: Error) => void = () => undefined;
    const readyPromise = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const tail: string[] = [];
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      log(formatLine(region.code, service, line), source);
      if (line.includes(`"${region.code}/${service} ready"`)) ready();
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    const exited = new Promise<void>((resolve) => {
      child.on('exit', (code, signal) => {
        failed(
          new Error(
            `${region.code}/${service} exited (${String(code ?? signal)}) before it was ready:\n${tail.join('\n')}`,
          ),
        );
        resolve();
      });
    });
    running.set(key(region.code, service), { child, exited });
    return readyPromise;
  };

  const stopOne = async (region: string, service: RegionService): Promise<void> => {
    const entry = running.get(key(region, service));
    if (!entry) return;
    running.delete(key(region, service));
    if (entry.child.exitCode === null && entry.child.signalCode === null)
      entry.child.kill('SIGTERM');
    const timer = setTimeout(() => entry.child.kill('SIGKILL'), 20_000);
    await entry.exited;
    clearTimeout(timer);
  };

  const stopAll = async (): Promise<void> => {
    await Promise.all(
      [...running.keys()].map((id) => {
        const [region, service] = id.split('/') as [string, RegionService];
        return stopOne(region, service);
      }),
    );
  };

  try {
    await Promise.all(
      Object.values(regions).flatMap((region) => selected.map((service) => start(region, service))),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    regions,
    stopService: stopOne,
    startService: async (region, service, env) => {
      const endpoints = regions[region];
      if (!endpoints) throw new Error(`region ${region} is not part of this stack`);
      await start(endpoints, service, env);
    },
    stop: stopAll,
  };
}

function databaseName(options: RegionStackOptions, region: string, service: RegionService): string {
  return `${options.databasePrefix}_${region}_${service}`;
}

const COLORS = ['\u001b[36m', '\u001b[35m', '\u001b[33m', '\u001b[32m', '\u001b[34m'];
const LEVELS: Record<string, string> = {
  fatal: 'FATAL',
  error: 'ERROR',
  warn: 'WARN ',
  info: 'INFO ',
  debug: 'DEBUG',
  trace: 'TRACE',
};

/**
 * One readable line per log record: `411700 intake      INFO  message  {fields}`, coloured by
 * region when the output is a terminal. Non-JSON lines (a crash trace) pass through prefixed.
 */
export function formatLine(region: string, service: string, line: string): string {
  const color = process.stdout.isTTY ? (COLORS[Number(region) % COLORS.length] ?? '') : '';
  const reset = color === '' ? '' : '\u001b[0m';
  const prefix = `${color}${region} ${service.padEnd(11)}${reset}`;
  if (!line.startsWith('{')) return `${prefix} ${line}`;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const {
      level,
      msg,
      time,
      timestamp,
      service: _service,
      region: _region,
      span_id,
      ...fields
    } = record;
    const levelText = LEVELS[String(level)] ?? String(level).toUpperCase().padEnd(5);
    const extra = Object.keys(fields).length > 0 ? `  ${JSON.stringify(fields)}` : '';
    const message = typeof msg === 'string' ? msg : JSON.stringify(msg ?? '');
    return `${prefix} ${levelText} ${message}${extra}`;
  } catch {
    return `${prefix} ${line}`;
  }
}
