import { prismaExecutor, type PrismaRawSql, type SqlExecutor } from '@tongban/persistence';

/** The part of a generated Prisma client the shared inbox needs. */
export interface PrismaTransactional<Tx extends PrismaRawSql> {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: { timeout?: number }): Promise<R>;
}

/**
 * Inbox/outbox plumbing over a service's Prisma client: handler writes, inbox row and outbox rows
 * commit in one interactive transaction.
 */
export function prismaTransactions<Tx extends PrismaRawSql>(
  prisma: PrismaTransactional<Tx>,
): {
  transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>;
  executor: (tx: Tx) => SqlExecutor;
} {
  return {
    transaction: (work) => prisma.$transaction(work, { timeout: 15_000 }),
    executor: (tx) => prismaExecutor(tx),
  };
}
