import type { SqlExecutor } from '@tongban/persistence';
import type { OutgoingEvent } from '../event-codec';
import { toRecord } from '../event-producer';
import { traceHeaders } from '../trace-headers';

/** The channel the outbox trigger notifies on commit (see migrations/). */
export const OUTBOX_CHANNEL = 'tongban_outbox';

/**
 * Writes events to the outbox inside the caller's transaction, next to the business change they
 * describe: either both commit or neither does. The active trace context is stored with each row
 * so the relay can publish it as part of the request's trace.
 *
 * Write the case's own row (which locks it) before its outbox rows: then two transactions on the
 * same case take outbox ids in commit order and the relay publishes the case's events in order.
 */
export async function enqueueEvents(
  tx: SqlExecutor,
  topic: string,
  events: OutgoingEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const trace = traceHeaders();
  const params: unknown[] = [];
  const rows = events.map((event) => {
    const record = toRecord(event, trace);
    params.push(event.metadata.eventId, topic, record.key, record.value, record.headers);
    const base = params.length - 5;
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5})`;
  });
  await tx.query(
    `INSERT INTO outbox (event_id, topic, message_key, payload, headers) VALUES ${rows.join(', ')}`,
    params,
  );
}
