// `npm start`: the local Tongban system. Today that is its infrastructure — a real Kafka broker,
// PostgreSQL and Zipkin; the regions' services join it as they are built. Stays up until Ctrl-C,
// then stops everything it started, cleanly.
import path from 'node:path';
import { redactPassword, resolvePostgres, type PostgresServer } from '@tongban/persistence';
import { startKafka, type RunningKafka } from '../kafka-broker';
import { startZipkin, type RunningZipkin } from '../zipkin-server';

const repo = path.resolve(__dirname, '../../..');
// Dev state lives in the (git-ignored) .tongban folder, apart from any test run's.
const stateDir = process.env.TONGBAN_STATE_DIR ?? path.join(repo, '.tongban/dev');

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

async function main(): Promise<void> {
  const started = Date.now();
  let kafka: RunningKafka | undefined;
  let zipkin: RunningZipkin | undefined;
  let postgres: PostgresServer | undefined;
  let stopping = false;

  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log('\nStopping Tongban...');
      await Promise.allSettled([kafka?.stop(), zipkin?.stop(), postgres?.stop()]);
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

  // The JVMs run detached, so nothing else keeps this process (and, through their watchdogs,
  // them) alive until Ctrl-C.
  setInterval(() => undefined, 60_000);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
Tongban is up (${seconds} s):
  Kafka       ${kafka.brokers.join(',')}          (log: ${kafka.logFile})
  Zipkin      ${zipkin.url}    (traces UI: ${zipkin.url}/zipkin/)
  PostgreSQL  ${redactPassword(postgres.adminUrl)}  (${postgres.source})

Press Ctrl-C to stop.`);
}

void main();
