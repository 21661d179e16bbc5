import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '@tongban/telemetry';

export interface KafkaClientOptions {
  brokers: string[];
  /** Shows up in broker logs and quotas, e.g. `411700.intake`. */
  clientId: string;
  logger?: Logger;
  /** How often a failed request is retried (with exponential backoff from 100 ms); default 8. */
  retries?: number;
}

/** Runtime handle to a Kafka cluster; services get one through this lib only. */
export interface KafkaClient {
  readonly kafka: Kafka;
  readonly logger: Logger | undefined;
}

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: options.logger ? pinoLogCreator(options.logger) : undefined,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: options.retries ?? 8 },
  });
  return { kafka, logger: options.logger };
}

/** Creates topics that do not exist yet (existing ones are left as they are). */
export async function ensureTopics(
  client: KafkaClient,
  topics: string[],
  options: { partitions?: number } = {},
): Promise<void> {
  const admin = client.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        // Several partitions so a region can run more than one consumer per service; per-case
        // order holds because every message is keyed by its case id.
        numPartitions: options.partitions ?? 3,
        replicationFactor: -1,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const child = logger.child({ component: 'kafkajs' });
      if (level === logLevel.ERROR) child.error(extra, message);
      else if (level === logLevel.WARN) child.warn(extra, message);
      else if (level === logLevel.INFO) child.info(extra, message);
      else child.debug(extra, message);
    };
}
