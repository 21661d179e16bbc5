import type { SqlExecutor } from '@tongban/persistence';
import type { ConsumedEvent, EventHandler, MessageContext } from '../event-consumer';

/** Runs work in one database transaction: commit when it resolves, roll back when it throws. */
export type TransactionRunner<Tx> = <R>(work: (tx: Tx) => Promise<R>) => Promise<R>;

/**
 * Records that `consumerGroup` applies `eventId`, inside the transaction of the effect. Returns
 * false when the event was applied before: the caller skips the effect. A concurrent delivery of
 * the same event waits on the first one's row lock, then sees it and returns false.
 */
export async function claimEvent(
  tx: SqlExecutor,
  consumerGroup: string,
  eventId: string,
): Promise<boolean> {
  const result = await tx.query(
    'INSERT INTO inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [consumerGroup, eventId],
  );
  return result.rowCount === 1;
}

/**
 * Makes a handler effectively-once over at-least-once delivery: the inbox row and the handler's
 * writes commit together, and a redelivered event (relay restart, consumer rebalance, replay)
 * commits nothing new.
 */
export function idempotent<T, Tx>(
  options: {
    consumerGroup: string;
    transaction: TransactionRunner<Tx>;
    executor: (tx: Tx) => SqlExecutor;
    onDuplicate?: (event: ConsumedEvent<T>) => void;
  },
  handle: (event: ConsumedEvent<T>, tx: Tx, context: MessageContext) => Promise<void>,
): EventHandler<T> {
  return async (event, context) => {
    await options.transaction(async (tx) => {
      if (
        !(await claimEvent(options.executor(tx), options.consumerGroup, event.metadata.eventId))
      ) {
        options.onDuplicate?.(event);
        return;
      }
      await handle(event, tx, context);
    });
  };
}
