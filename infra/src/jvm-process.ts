import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export interface JvmOptions {
  /** JVM flags, then the main class (or `-jar file`) and its arguments. */
  args: string[];
  /** Where the pid file lives and what marks the JVM as ours when a stale one is found. */
  dataDir: string;
  /** Receives the JVM's stdout and stderr (appended). */
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Path prefix of an AppCDS archive of the classes this program loads, next to its jars. With
   * the archive, the JVM maps those classes instead of loading and verifying them one by one,
   * which cuts startup by a third (Kafka) to a half (Zipkin). JDK 17 cannot create the archive on
   * the fly, so a run without one writes it as it exits, for the runs after it.
   */
  classArchive?: string;
}

export interface JvmProcess {
  /** Pid of the watchdog shell, which leads the process group holding the JVM. */
  pid: number;
  logFile: string;
  /** Settles when the JVM (and its watchdog) has exited, with the JVM's exit code. */
  exited: Promise<number | null>;
  /** SIGTERM to the group, SIGKILL after `timeoutMs`; resolves once everything has exited. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The watchdog: runs the JVM as its child, writes its pid and waits for it. A second shell checks
 * every second that the Node process that started the watchdog is still its parent; when Node
 * dies, however it dies (SIGKILL included, where no exit handler runs), the kernel re-parents the
 * watchdog at once, and the JVM gets SIGTERM, then SIGKILL after a grace period. Comparing the
 * parent pid (from /proc with the `read` builtin, no fork; from `ps` where there is no /proc) is
 * immune to pid reuse and to a Node that lingers as a zombie. A SIGTERM to the watchdog is passed
 * on to the JVM, and the watchdog exits, with the JVM's status, as soon as the JVM is gone. A class
 * archive the JVM wrote at exit is moved into place only after a normal or SIGTERM exit (0 or
 * 143), when it is complete.
 */
const WATCHDOG = `
parent=$1; pidfile=$2; dump=$3; archive=$4; shift 4
"$@" &
jvm=$!
echo "$jvm" > "$pidfile"
parent_alive() {
  if [ -r /proc/$$/stat ]; then read -r _ _ _ ppid _ < /proc/$$/stat
  else ppid=$(ps -o ppid= -p $$ | tr -d ' '); fi
  [ "$ppid" = "$parent" ]
}
(
  while parent_alive; do sleep 1; done
  kill -TERM "$jvm" 2>/dev/null
  n=0
  while kill -0 "$jvm" 2>/dev/null && [ "$n" -lt 20 ]; do sleep 1; n=$((n + 1)); done
  kill -KILL "$jvm" 2>/dev/null
) &
guard=$!
trap 'kill -TERM "$jvm" 2>/dev/null' TERM INT HUP
wait "$jvm"; status=$?
while kill -0 "$jvm" 2>/dev/null; do wait "$jvm"; status=$?; done
kill "$guard" 2>/dev/null
if [ -n "$dump" ]; then
  if [ "$status" = 0 ] || [ "$status" = 143 ]; then mv -f "$dump" "$archive" 2>/dev/null; fi
  rm -f "$dump"
fi
exit "$status"
`;

/** System property that tags the command line with the data dir, to recognise our stale JVMs. */
const OWNER_PROPERTY = '-Dtongban.dataDir=';

/**
 * Starts `java` detached in its own process group under the watchdog above, so it is never
 * orphaned and Ctrl-C in a terminal reaches only Node, which then stops it cleanly. The child is
 * unref'd: a forgotten handle does not keep Node alive, and the watchdog still ends the JVM.
 */
export async function startJvm(options: JvmOptions): Promise<JvmProcess> {
  await killStale(options.pidFile, options.dataDir);
  const java = javaCommand();
  const cds = classDataSharing(java, options.classArchive);
  const args = [OWNER_PROPERTY + options.dataDir, ...cds.flags, ...options.args];
  const watchdogArgs = [String(process.pid), options.pidFile, cds.dump, cds.archive, java, ...args];
  const log = openSync(options.logFile, 'a');
  const child = (() => {
    try {
      return spawn('sh', ['-c', WATCHDOG, 'tongban-jvm-watchdog', ...watchdogArgs], {
        detached: true,
        stdio: ['ignore', log, log],
        env: options.env ?? process.env,
      });
    } finally {
      closeSync(log);
    }
  })();
  const { pid } = child;
  if (pid === undefined) throw new Error(`could not start java (see ${options.logFile})`);
  child.unref();

  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
    child.once('error', () => {
      resolve(null);
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 30_000): Promise<void> => {
    stopping ??= (async () => {
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        signalGroup(pid, 'SIGKILL');
      }, timeoutMs);
      await exited;
      clearTimeout(timer);
      // The JVM has exited; anything it left in the group (nothing, normally) goes too.
      signalGroup(pid, 'SIGKILL');
      await rm(options.pidFile, { force: true });
    })();
    return stopping;
  };
  return { pid, logFile: options.logFile, exited, stop };
}

/**
 * The class archive's flags. The archive is only valid for the JVM build that wrote it, so its
 * name carries that build: after a JDK upgrade a new one is written instead of the old one being
 * silently rejected. Each writer dumps to a file of its own, renamed into place by the watchdog,
 * so concurrent first runs cannot corrupt the archive.
 */
function classDataSharing(
  java: string,
  prefix: string | undefined,
): { flags: string[]; dump: string; archive: string } {
  if (prefix === undefined) return { flags: [], dump: '', archive: '' };
  const archive = `${prefix}-${jvmBuild(java)}.jsa`;
  // CDS reports every class it cannot archive; none of that belongs in the server's log.
  const quiet = '-Xlog:cds*=off';
  if (existsSync(archive))
    return { flags: [quiet, `-XX:SharedArchiveFile=${archive}`], dump: '', archive };
  const dump = `${archive}.${process.pid}-${randomBytes(4).toString('hex')}`;
  return { flags: [quiet, `-XX:ArchiveClassesAtExit=${dump}`], dump, archive };
}

/** A short fingerprint of the java binary (path, size, time), standing for its build. */
function jvmBuild(java: string): string {
  const candidates = java.includes('/')
    ? [java]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, java));
  const binary = candidates.find((file) => existsSync(file));
  if (binary === undefined) return 'unknown';
  const real = realpathSync(binary);
  const { size, mtimeMs } = statSync(real);
  return createHash('sha256').update(`${real}:${size}:${mtimeMs}`).digest('hex').slice(0, 12);
}

/** A server's working directory: the caller's (kept), or a fresh temporary one that `release` removes. */
export async function workDirectory(
  requested: string | undefined,
  prefix: string,
): Promise<{ dir: string; release(): Promise<void> }> {
  if (requested !== undefined) {
    const dir = resolve(requested);
    await mkdir(dir, { recursive: true });
    return { dir, release: () => Promise.resolve() };
  }
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, release: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Waits until `ready` resolves, failing as soon as the JVM exits instead. On failure the JVM is
 * stopped, `ready` is told to give up through its signal, and the error carries the log's tail.
 */
export async function awaitReady(
  jvm: JvmProcess,
  what: string,
  ready: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const giveUp = new AbortController();
  try {
    await Promise.race([
      ready(giveUp.signal),
      jvm.exited.then((code) => {
        throw new Error(`the JVM exited with code ${String(code)} while starting`);
      }),
    ]);
  } catch (error) {
    giveUp.abort();
    await jvm.stop(5_000);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${what} did not start (${reason}); end of ${jvm.logFile}:\n${tailOf(jvm.logFile)}`,
      {
        cause: error,
      },
    );
  }
}

/** Pids of the live processes (JVM and watchdog) started by `startJvm` for `dataDir`. */
export async function processesOf(dataDir: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const owned = await Promise.all(
    pids.map(async (pid) => {
      // A zombie's command line reads empty, so only running processes match.
      const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      return commandLine.split('\0').includes(OWNER_PROPERTY + dataDir) ? Number(pid) : undefined;
    }),
  );
  return owned.filter((pid) => pid !== undefined);
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from the PATH. */
export function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, 'bin', 'java') : 'java';
}

/** Last `lines` lines of a log file, for error messages ('' when there is none). */
export function tailOf(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * A previous run in the same data dir may have left its JVM running (say its watchdog was killed
 * alone). The pid file names that JVM; it is stopped only while that process still carries this
 * data dir on its command line, so a reused pid is never touched.
 */
async function killStale(pidFile: string, dataDir: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (commandLine.split('\0').includes(OWNER_PROPERTY + dataDir)) {
    process.stderr.write(`[tongban] stopping JVM ${pid} left running in ${dataDir}\n`);
    signal(pid, 'SIGTERM');
    for (let waited = 0; waited < 30_000 && (await isRunning(pid)); waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    signal(pid, 'SIGKILL');
  }
  await rm(pidFile, { force: true });
}

function signalGroup(leader: number, name: NodeJS.Signals): void {
  signal(-leader, name);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/**
 * Whether `pid` runs, zombies excluded: an orphaned JVM is re-parented to an init that may never
 * reap it (as in some containers), and a zombie answers signals as if it were alive.
 */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== '' && state !== 'Z';
}
