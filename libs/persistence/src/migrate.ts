/** The table node-pg-migrate records applied migrations in (its own default name). */
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrationLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface MigrateOptions {
  databaseUrl: string;
  /** The service's SQL migration folder, e.g. `services/intake/prisma/migrations`. */
  migrationsDir: string;
  /** Where applied migrations are recorded; {@link MIGRATIONS_TABLE} by default. */
  table?: string;
  /** Progress messages; by default only warnings and errors reach the console. */
  logger?: MigrationLogger;
}

/**
 * Only `*.sql` files are migrations: a README or an editor's dotfile next to them is not. The
 * runner anchors this pattern (`^…$`) and tests it against each file name.
 */
const IGNORE_NON_SQL_FILES = String.raw`\..*|.*(?<!\.sql)`;

const quietLogger: MigrationLogger = {
  info: () => undefined,
  warn: (message) => {
    console.warn(message);
  },
  error: (message) => {
    console.error(message);
  },
};

/**
 * Applies the pending SQL migrations of `migrationsDir` with node-pg-migrate and returns the
 * names of those it applied (empty when the database is up to date).
 *
 * All pending files run in one transaction, so a failing file leaves the database as it was.
 * Runners on the same database queue behind node-pg-migrate's advisory lock instead of failing,
 * so several processes of one service may start at once. A file added before one that already
 * ran is refused (checkOrder): the history is append-only.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  // node-pg-migrate is an ES module; loading it on demand keeps this CommonJS module importable
  // by code that never migrates.
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl: options.databaseUrl,
    dir: options.migrationsDir,
    ignorePattern: IGNORE_NON_SQL_FILES,
    migrationsTable: options.table ?? MIGRATIONS_TABLE,
    // The `sql` loader reads `-- Up Migration` / `-- Down Migration` sections of one file, or a
    // `<name>.up.sql` / `<name>.down.sql` pair.
    migrationLoaderStrategies: [{ extensions: ['.sql'], loader: 'sql' }],
    direction: 'up',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    logger: options.logger ?? quietLogger,
  });
  return applied.map((migration) => migration.name);
}
