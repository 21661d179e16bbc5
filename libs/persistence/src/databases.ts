import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * Every database this code creates is named `tb_<purpose>_<pid>_<random>`: the pid ties it to the
 * process that owns it (so leftovers of killed runs can be found), the random part keeps parallel
 * test files and regions of one process apart.
 */
const NAME_PREFIX = 'tb_';
/** PostgreSQL truncates identifiers longer than this, which would silently merge names. */
const MAX_IDENTIFIER_LENGTH = 63;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** Test databases whose owner died; see {@link dropStaleTestDatabases}. */
const TEST_DATABASE = /^tb_test(?:_[a-z0-9_]*)?_(\d+)_[0-9a-f]{8}$/;

/** A PostgreSQL identifier we can quote safely and that survives without truncation. */
export function assertDatabaseName(name: string): void {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_LENGTH) {
    throw new Error(
      `Invalid database name ${JSON.stringify(name)}: use lower-case letters, digits and "_", at most ${MAX_IDENTIFIER_LENGTH} characters`,
    );
  }
}

/**
 * A fresh database name for one test file, one region or one run: `tb_<purpose>_<pid>_<random>`.
 * Purposes starting with `test` mark throw-away databases that {@link dropStaleTestDatabases}
 * may remove once their process is gone.
 */
export function uniqueDatabaseName(purpose: string): string {
  const slug = purpose
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const suffix = `_${process.pid}_${randomBytes(4).toString('hex')}`;
  const room = MAX_IDENTIFIER_LENGTH - NAME_PREFIX.length - suffix.length;
  const name = `${NAME_PREFIX}${(slug || 'db').slice(0, room).replace(/_+$/, '')}${suffix}`;
  assertDatabaseName(name);
  return name;
}

/** The URL of database `dbName` on the server `adminUrl` points at (credentials and options kept). */
export function databaseUrl(adminUrl: string, dbName: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(dbName)}`;
  return url.toString();
}

/** The database part of a connection URL (`postgres` when the URL names none, as libpq does). */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? 'postgres' : name;
}

/** Runs `work` on a short-lived connection to the admin database. */
export async function withAdminClient<T>(
  adminUrl: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface CreateDatabaseOptions {
  /**
   * Clone this database instead of the empty `template1`: a migrated template makes each further
   * test database a file copy instead of a migration run. The template must have no connections.
   */
  template?: string;
}

/** Creates database `name` on the server of `adminUrl` and returns its URL. */
export async function createDatabase(
  adminUrl: string,
  name: string,
  options: CreateDatabaseOptions = {},
): Promise<string> {
  assertDatabaseName(name);
  if (options.template !== undefined) assertDatabaseName(options.template);
  await withAdminClient(adminUrl, async (client) => {
    const template =
      options.template === undefined
        ? ''
        : ` TEMPLATE ${client.escapeIdentifier(options.template)}`;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${template}`);
  });
  return databaseUrl(adminUrl, name);
}

/**
 * Creates database `name` unless it exists (a dev stack keeps its data across restarts); safe
 * when two processes race for it.
 */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  assertDatabaseName(name);
  await withAdminClient(adminUrl, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount !== 0) return;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } catch (error) {
      // 42P04 duplicate_database: another process created it in between.
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
  });
  return databaseUrl(adminUrl, name);
}

/**
 * Drops database `name` if it exists. `WITH (FORCE)` ends the sessions still connected to it (a
 * pool somebody forgot to close), which would otherwise make the drop fail and leak the database.
 */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertDatabaseName(name);
  await withAdminClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/** Whether a process with this pid exists on this machine. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user, which still means "alive".
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process stays a zombie until its parent reaps it; it no longer owns anything.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Drops the `tb_test_*` databases whose owning process (the pid in the name) no longer runs:
 * leftovers of test runs that were killed before their `afterAll`. Databases with open sessions
 * are left alone. Pids are only meaningful on one machine, so run this where the tests run.
 * Returns the names dropped.
 */
export async function dropStaleTestDatabases(adminUrl: string): Promise<string[]> {
  const candidates = await withAdminClient(adminUrl, async (client) => {
    const result = await client.query<{ datname: string; sessions: string }>(
      `SELECT d.datname,
              (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid) AS sessions
         FROM pg_database d
        WHERE d.datname LIKE 'tb\\_test%' AND NOT d.datistemplate`,
    );
    return result.rows;
  });
  const stale = candidates.filter(({ datname, sessions }) => {
    const pid = TEST_DATABASE.exec(datname)?.[1];
    return pid !== undefined && sessions === '0' && !isProcessAlive(Number(pid));
  });
  for (const { datname } of stale) await dropDatabase(adminUrl, datname);
  return stale.map(({ datname }) => datname);
}
