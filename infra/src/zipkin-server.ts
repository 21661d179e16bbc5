import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { awaitReady, javaCommand, startJvm, workDirectory } from './jvm-process';
import { resolveMavenArtifacts } from './maven-artifacts';
import { freePorts } from './ports';

export interface ZipkinOptions {
  /** HTTP port (API, UI and collector); a free ephemeral port by default. */
  port?: number;
  heapMb?: number;
  /** Holds only the log and pid file (spans live in memory); a temporary directory by default. */
  dataDir?: string;
}

export interface RunningZipkin {
  /** Base URL, e.g. `http://127.0.0.1:9411`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const run = promisify(execFile);

const ZIPKIN_POM = resolve(__dirname, '..', 'zipkin', 'pom.xml');
const STARTUP_TIMEOUT_MS = 90_000;
/** In-memory storage has nothing to flush; Armeria's graceful shutdown takes about 2 s. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts a Zipkin server with in-memory storage on 127.0.0.1 and resolves once GET /health
 * reports UP.
 */
export async function startZipkin(options: ZipkinOptions = {}): Promise<RunningZipkin> {
  const { jars } = await resolveMavenArtifacts(ZIPKIN_POM);
  const execJar = jars.find((file) => file.endsWith('-exec.jar'));
  if (!execJar) throw new Error(`no zipkin-server exec jar among ${jars.join(', ')}`);
  const jar = await extracted(execJar);
  const [port] = await freePorts(options.port);
  const work = await workDirectory(options.dataDir, 'tongban-zipkin-');
  try {
    const logFile = join(work.dir, 'zipkin.log');
    const heapMb = options.heapMb ?? 256;
    const jvm = await startJvm({
      args: [
        `-Xms${heapMb}m`,
        `-Xmx${heapMb}m`,
        // Measured on 2 cores: C1 only and the serial collector start Zipkin in about 3.3 s instead
        // of 5 s and take 215 MB of memory instead of 340 MB; a dev trace sink needs no more.
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        '-jar',
        jar,
        // Loopback only. This list replaces Zipkin's own port list, so it names the protocol too.
        '--armeria.ports[0].ip=127.0.0.1',
        `--armeria.ports[0].port=${port}`,
        '--armeria.ports[0].protocols[0]=http',
        '--logging.level.root=WARN',
      ],
      dataDir: work.dir,
      logFile,
      pidFile: join(work.dir, 'zipkin.pid'),
      classArchive: join(dirname(jar), 'zipkin'),
      env: { ...process.env, STORAGE_TYPE: 'mem', SELF_TRACING_ENABLED: 'false' },
    });
    const url = `http://127.0.0.1:${port}`;
    await awaitReady(jvm, 'Zipkin', (signal) => waitForHealth(url, signal));

    const stop = async (): Promise<void> => {
      await jvm.stop(STOP_TIMEOUT_MS);
      await work.release();
    };
    return { url, port, stop };
  } catch (error) {
    await work.release();
    throw error;
  }
}

/**
 * The exec jar nests its libraries, whose classes CDS cannot archive. Spring Boot's own tool
 * extracts it, once, next to the cached jar: a plain jar plus lib/, which start the same server.
 */
async function extracted(execJar: string): Promise<string> {
  const dir = join(dirname(execJar), 'extracted');
  const jar = join(dir, basename(execJar));
  if (existsSync(jar)) return jar;
  const staging = `${dir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run(javaCommand(), [
      '-Djarmode=tools',
      '-jar',
      execJar,
      'extract',
      '--destination',
      staging,
    ]);
    // Atomic; a concurrent caller that renamed first wins, and its copy is as good.
    await rename(staging, dir).catch((error: unknown) => {
      if (!existsSync(jar)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return jar;
}

async function waitForHealth(url: string, giveUp: AbortSignal): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline && !giveUp.aborted) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { status?: string };
      if (body.status === 'UP') return;
      last = `status ${String(body.status)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`GET ${url}/health did not answer UP within ${STARTUP_TIMEOUT_MS} ms (${last})`);
}
