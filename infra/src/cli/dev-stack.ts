// `npm start`: the local Tongban system — a real Kafka broker, PostgreSQL and Zipkin, a carrier
// simulator, and every service of the demo regions (one process each, logs prefixed by region and
// service). Stays up until Ctrl-C, then stops everything it started, cleanly.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { redactPassword, resolvePostgres, type PostgresServer } from '@tongban/persistence';
import {
  startCarrierSimulator,
  type RunningCarrierSimulator,
} from '../carrier-simulator/carrier-simulator';
import { ensureDevPki } from '../dev-pki';
import { startKafka, type RunningKafka } from '../kafka-broker';
import {
  ensureDemoStaff,
  startConsoleProcess,
  type DemoAccount,
  type RunningConsole,
} from '../console-process';
import { startRegionStack, type RunningRegionStack } from '../region-stack';
import { startZipkin, type RunningZipkin } from '../zipkin-server';

const repo = path.resolve(__dirname, '../../..');
// Dev state lives in the (git-ignored) .tongban folder, apart from any test run's.
const stateDir = process.env.TONGBAN_STATE_DIR ?? path.join(repo, '.tongban/dev');
const keysDir = process.env.TONGBAN_KEYS_DIR ?? path.join(repo, '.tongban/keys');
// Databases are `<prefix>_<region>_<service>` and `<prefix>_console`; a test run uses its own.
const databasePrefix = process.env.TONGBAN_DATABASE_PREFIX ?? 'tb_dev';

function port(name: string, fallback: number): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  // 0 asks for any free port.
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new Error(`${name} must be a TCP port number (0 for any free one), got "${value}"`);
  }
  return parsed === 0 ? undefined : parsed;
}

/** Every region with a file in deploy/regions. */
function regionFiles(): string[] {
  return readdirSync(path.join(repo, 'deploy/regions'))
    .filter((file) => /^\d{6}\.yaml$/.test(file))
    .map((file) => file.slice(0, 6));
}

/** The regions to run: `TONGBAN_REGIONS` (comma-separated, empty for none) or every region file. */
function regionsToRun(): string[] {
  const listed = process.env.TONGBAN_REGIONS;
  if (listed !== undefined)
    return listed
      .split(',')
      .map((code) => code.trim())
      .filter(Boolean);
  return regionFiles();
}

/** A webhook secret for the carrier simulator, generated once and kept with the dev state. */
function carrierSecret(): string {
  const file = path.join(stateDir, 'carrier-webhook-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(stateDir, { recursive: true });
  const secret = randomBytes(24).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

const ROLE_NAMES: Record<DemoAccount['role'], string> = {
  CLERK: '窗口受理',
  REVIEWER: '审查',
  APPROVER: '审批',
  OPERATOR: '效能监测',
};

async function main(): Promise<void> {
  const started = Date.now();
  const regions = regionsToRun();
  let kafka: RunningKafka | undefined;
  let zipkin: RunningZipkin | undefined;
  let postgres: PostgresServer | undefined;
  let carrier: RunningCarrierSimulator | undefined;
  let stack: RunningRegionStack | undefined;
  let consoleApp: RunningConsole | undefined;
  let accounts: DemoAccount[] = [];
  let stopping = false;

  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log('\nStopping Tongban...');
      await consoleApp?.stop();
      await stack?.stop();
      await Promise.allSettled([kafka?.stop(), zipkin?.stop(), postgres?.stop(), carrier?.stop()]);
      console.log('Stopped.');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  console.log(
    'Starting Kafka, Zipkin and PostgreSQL (the first start downloads the JVM parts with Maven)...',
  );
  const [kafkaStart, zipkinStart, postgresStart] = await Promise.allSettled([
    startKafka({ port: port('KAFKA_PORT', 9092), dataDir: path.join(stateDir, 'kafka') }),
    startZipkin({ port: port('ZIPKIN_PORT', 9411) }),
    resolvePostgres(),
  ]);
  // Keep whatever did start, so that a failure elsewhere (or Ctrl-C) stops it too.
  if (kafkaStart.status === 'fulfilled') kafka = kafkaStart.value;
  if (zipkinStart.status === 'fulfilled') zipkin = zipkinStart.value;
  if (postgresStart.status === 'fulfilled') postgres = postgresStart.value;
  if (!kafka || !zipkin || !postgres) {
    for (const result of [kafkaStart, zipkinStart, postgresStart]) {
      if (result.status === 'rejected') {
        const reason: unknown = result.reason;
        console.error(
          `Tongban could not start: ${reason instanceof Error ? reason.message : String(reason)}`,
        );
      }
    }
    return stop(1);
  }

  try {
    if (regions.length > 0) {
      // Keys for every region file, not only those run: a region's exchange needs its partners'
      // CA and public signing key even when the partners themselves are not started.
      await ensureDevPki({ keysDir, regions: regionFiles() });
      const webhookSecret = carrierSecret();
      carrier = await startCarrierSimulator({ port: port('CARRIER_PORT', 8790), webhookSecret });
      console.log(
        `Starting ${regions.length} regions (${regions.join(', ')}), five services each...`,
      );
      stack = await startRegionStack({
        regions,
        kafkaBrokers: kafka.brokers,
        postgresAdminUrl: postgres.adminUrl,
        zipkinUrl: zipkin.url,
        carrier: { url: carrier.url, apiKey: carrier.apiKey, webhookSecret },
        keysDir,
        stateDir,
        databasePrefix,
      });
      accounts = ensureDemoStaff(path.join(stateDir, 'console-staff.yaml'), regions);
      consoleApp = await startConsoleProcess({
        stack,
        postgresAdminUrl: postgres.adminUrl,
        databaseName: `${databasePrefix}_console`,
        staffFile: path.join(stateDir, 'console-staff.yaml'),
        kafkaBrokers: kafka.brokers,
        zipkinUrl: zipkin.url,
        port: port('CONSOLE_PORT', 8700),
      });
    }
  } catch (error) {
    console.error(
      `Tongban could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    return stop(1);
  }

  // The JVMs and services run as children; nothing else keeps this process alive until Ctrl-C.
  setInterval(() => undefined, 60_000);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    `Tongban is up (${seconds} s):`,
    `  Kafka       ${kafka.brokers.join(',')}          (log: ${kafka.logFile})`,
    `  Zipkin      ${zipkin.url}    (traces UI: ${zipkin.url}/zipkin/)`,
    `  PostgreSQL  ${redactPassword(postgres.adminUrl)}  (${postgres.source})`,
  ];
  if (carrier)
    lines.push(`  Carrier     ${carrier.url}  (simulator, speed ×${String(carrier.speed)})`);
  for (const region of Object.values(stack?.regions ?? {})) {
    lines.push(
      `  Region ${region.code}: exchange (partners, mTLS) 127.0.0.1:${String(region.partnerPort)}`,
    );
    for (const [service, endpoints] of Object.entries(region.services)) {
      lines.push(
        `    ${service.padEnd(12)} gRPC 127.0.0.1:${String(endpoints.grpcPort)}  HTTP http://127.0.0.1:${String(endpoints.httpPort)}/health/ready`,
      );
    }
  }
  if (consoleApp) {
    lines.push(
      '',
      `Console     ${consoleApp.url}   (window desk, reviewer queue, operator dashboard)`,
    );
    lines.push('  Demo accounts (username / password, generated at first start):');
    for (const account of accounts) {
      lines.push(
        `    ${account.region} ${ROLE_NAMES[account.role].padEnd(6, '　')} ${account.name.padEnd(3, '　')}  ${account.username.padEnd(16)} ${account.password}`,
      );
    }
  }
  console.log(`\n${lines.join('\n')}\n\nPress Ctrl-C to stop.`);
}

void main();
