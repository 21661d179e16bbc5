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

/**
 * Creates topics that do not exist yet (existing ones are left as they are) and waits until the
 * broker serves their metadata. Several services of a region create the same topics at start, so
 * losing the race to another creator is expected and retried, not an error.
 */
export async function ensureTopics(
  client: KafkaClient,
  topics: string[],
  options: { partitions?: number; timeoutMs?: number } = {},
): Promise<void> {
  const wanted = [...new Set(topics)];
  if (wanted.length === 0) return;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const admin = client.kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = wanted.filter((topic) => !existing.has(topic));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: false,
            topics: missing.map((topic) => ({
              topic,
              // Several partitions so a region can run more than one consumer per service;
              // per-case order holds because every message is keyed by its case id.
              numPartitions: options.partitions ?? 3,
              replicationFactor: -1,
            })),
          });
        }
        // Every partition has a leader: producers and consumers can use the topics now.
        const metadata = await admin.fetchTopicMetadata({ topics: wanted });
        const ready = metadata.topics.every(
          (topic) =>
            topic.partitions.length > 0 &&
            topic.partitions.every((partition) => partition.leader >= 0),
        );
        if (ready) return;
        throw new Error('topic partitions have no leader yet');
      } catch (error) {
        if (Date.now() >= deadline) {
          throw new Error(`Kafka topics ${wanted.join(', ')} not available: ${String(error)}`, {
            cause: error,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1_000)));
      }
    }
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
