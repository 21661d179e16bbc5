import { startKafka, startZipkin } from '@tongban/infra';
import { dropStaleTestDatabases, resolvePostgres } from '@tongban/persistence';
import type { TestInfrastructure } from './test-infrastructure';

export interface TestStack extends TestInfrastructure {
  stop(): Promise<void>;
}

/**
 * Real infrastructure for one test run: a Kafka broker and a Zipkin server of its own (free
 * ports, temporary data), and a PostgreSQL server on which every test file creates its own
 * databases. Nothing is shared with a running dev stack.
 */
export async function startTestStack(): Promise<TestStack> {
  const started = Date.now();
  const [kafkaStart, zipkinStart, postgresStart] = await Promise.allSettled([
    startKafka({}),
    startZipkin({}),
    resolvePostgres(),
  ]);
  if (
    kafkaStart.status === 'rejected' ||
    zipkinStart.status === 'rejected' ||
    postgresStart.status === 'rejected'
  ) {
    // Stop what did start before reporting what did not.
    const running = [kafkaStart, zipkinStart, postgresStart].flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    await Promise.allSettled(running.map((part) => part.stop()));
    const reasons = [kafkaStart, zipkinStart, postgresStart]
      .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
      .map((result) => String(result.reason));
    throw new Error(`test infrastructure could not start:\n${reasons.join('\n')}`);
  }
  const [kafka, zipkin, postgres] = [kafkaStart.value, zipkinStart.value, postgresStart.value];
  // Databases left behind by a run that was killed before it could clean up.
  await dropStaleTestDatabases(postgres.adminUrl).catch(() => undefined);
  console.log(
    `test infrastructure up in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `kafka ${kafka.brokers.join(',')}, zipkin ${zipkin.url}, postgres (${postgres.source})`,
  );
  return {
    kafkaBrokers: kafka.brokers,
    zipkinUrl: zipkin.url,
    postgresAdminUrl: postgres.adminUrl,
    stop: async () => {
      await Promise.allSettled([kafka.stop(), zipkin.stop(), postgres.stop()]);
    },
  };
}
