/**
 * The smallest surface the shared reliability code (outbox, inbox) needs from a database
 * transaction. A `pg` client and a Prisma interactive transaction both fit it, so a service
 * can write its business rows and its outbox/inbox rows in the same transaction whichever it uses.
 */
export interface SqlExecutor {
  // The caller names the row shape it selects, as with node-postgres' own `query<Row>`.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
}
