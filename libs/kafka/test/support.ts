import {
  createIsolatedDatabase,
  testInfrastructure,
  uniqueTopicPrefix,
  type IsolatedDatabase,
} from '@tongban/testing';
import {
  createKafkaClient,
  ensureTopics,
  KAFKA_MIGRATIONS_DIR,
  KAFKA_MIGRATIONS_TABLE,
  TopicNaming,
  type KafkaClient,
} from '../src';

/** A region namespace of its own on the shared test broker. */
export async function isolatedRegion(region = '411700'): Promise<{
  client: KafkaClient;
  naming: TopicNaming;
  brokers: string[];
}> {
  const { kafkaBrokers } = testInfrastructure();
  const naming = new TopicNaming(region, uniqueTopicPrefix());
  const client = createKafkaClient({ brokers: kafkaBrokers, clientId: `${naming.prefix}test` });
  await ensureTopics(client, [
    naming.events('intake'),
    naming.events('review'),
    naming.events('certificate'),
    naming.deadLetters('review'),
  ]);
  return { client, naming, brokers: kafkaBrokers };
}

/** A database with the outbox and inbox tables plus a table where a test consumer records effects. */
export async function outboxDatabase(): Promise<IsolatedDatabase> {
  const database = await createIsolatedDatabase({
    purpose: 'kafka',
    migrations: [{ dir: KAFKA_MIGRATIONS_DIR, table: KAFKA_MIGRATIONS_TABLE }],
  });
  await database.pool.query(
    `CREATE TABLE probe_effects (
       event_id UUID PRIMARY KEY, case_id TEXT NOT NULL, label TEXT NOT NULL, sequence BIGINT NOT NULL,
       applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())`,
  );
  return database;
}
