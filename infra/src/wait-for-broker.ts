import { Kafka, logLevel } from 'kafkajs';

/**
 * Resolves once a Kafka client can fetch cluster metadata from `brokers`: the broker is not
 * just listening but serving requests. Rejects after `timeoutMs`, or soon after `signal` aborts
 * (a launcher whose broker died gives up instead of polling, and keeping Node alive, for long).
 */
export async function waitForBroker(
  brokers: string[],
  timeoutMs = 60_000,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !signal?.aborted) {
    const admin = new Kafka({
      clientId: 'tongban-readiness',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `Kafka at ${brokers.join(',')} did not serve metadata within ${timeoutMs} ms: ${String(lastError)}`,
  );
}
