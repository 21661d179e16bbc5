import type { KafkaClient } from './kafka-client';

/**
 * How many messages each topic holds now: the sum over its partitions of high watermark minus
 * low watermark. For dead-letter topics, which nobody consumes, that is the number of parked
 * messages an operator still has to look at. A topic that does not exist yet holds 0.
 */
export async function topicDepths(
  client: KafkaClient,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const depths = new Map<string, number>(topics.map((topic) => [topic, 0]));
  if (topics.length === 0) return depths;
  const admin = client.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics) {
      if (!existing.has(topic)) continue;
      const offsets = await withLeaderRetry(() => admin.fetchTopicOffsets(topic));
      depths.set(
        topic,
        offsets.reduce(
          (sum, partition) => sum + (Number(partition.high) - Number(partition.low)),
          0,
        ),
      );
    }
  } finally {
    await admin.disconnect();
  }
  return depths;
}

// Right after a topic is created the broker may not yet lead its partitions; the cluster settles
// within moments, so ask again a few times before giving up.
async function withLeaderRetry<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      const retriable =
        error instanceof Error &&
        'retriable' in error &&
        (error as { retriable: unknown }).retriable === true;
      if (!retriable || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
