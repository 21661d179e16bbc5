import type pg from 'pg';
import type { SqlExecutor } from './sql-executor';

/**
 * `SqlExecutor` over node-postgres: a client or pool client (inside a transaction, say), or a pool
 * for statements that stand alone.
 */
export function pgExecutor(client: pg.ClientBase | pg.Pool): SqlExecutor {
  return {
    // The caller names the row shape, as with node-postgres' own `query<Row>`.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
    async query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
      const result = await client.query<Row>(sql, params === undefined ? undefined : [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
  };
}

/** The executor of {@link withPgTransaction}, with the connection for anything beyond `query`. */
export type PgTransaction = SqlExecutor & { client: pg.PoolClient };

/**
 * Runs `work` in one transaction on a connection of `pool`: COMMIT when it resolves, ROLLBACK
 * (and rethrow) when it throws. A connection whose rollback failed is destroyed, not returned to
 * the pool, because its session state is unknown.
 */
export async function withPgTransaction<T>(
  pool: pg.Pool,
  work: (tx: PgTransaction) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await work({ ...pgExecutor(client), client });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/**
 * The raw-SQL part of a Prisma client or interactive transaction client (`tx` in
 * `prisma.$transaction(async (tx) => …)`), which every generated client has.
 */
export interface PrismaRawSql {
  $queryRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/**
 * Statements that produce rows. Prisma has one call that returns rows and another that returns
 * the affected row count; `SqlExecutor` promises both, so row-producing statements go through
 * `$queryRawUnsafe` (rowCount = rows returned) and everything else through `$executeRawUnsafe`.
 */
const RETURNS_ROWS = /^\s*(?:select|with|values|table|show|explain)\b|\breturning\b/i;
const LEADING_COMMENTS = /^(?:\s*(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/))*/;

/**
 * `SqlExecutor` over a Prisma interactive transaction, so the shared outbox/inbox code writes in
 * the same transaction as the service's Prisma calls. Parameters are `$1, $2, …` as with `pg`.
 *
 * Row values are whatever Prisma's raw queries return, which is not always what `pg` returns:
 * `bigint` columns arrive as `bigint` (pg: string), `numeric` as Prisma `Decimal`. Shared code
 * that must run on both casts such columns in SQL (`id::text`).
 */
export function prismaExecutor(tx: PrismaRawSql): SqlExecutor {
  return {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
      if (RETURNS_ROWS.test(sql.replace(LEADING_COMMENTS, ''))) {
        const rows = (await tx.$queryRawUnsafe(sql, ...params)) as Row[];
        return { rows, rowCount: rows.length };
      }
      const rowCount = await tx.$executeRawUnsafe(sql, ...params);
      return { rows: [] as Row[], rowCount };
    },
  };
}
