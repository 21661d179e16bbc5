import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';

export interface JvmOptions {
  /** JVM flags, then the main class (or `-jar file`) and its arguments. */
  args: string[];
  /** Where the pid file lives and what marks the JVM as ours when a stale one is found. */
  dataDir: string;
  /** Receives the JVM's stdout and stderr (appended). */
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
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
 * The watchdog: runs the JVM as its child, writes its pid, and checks every second that the Node
 * process that started it is still its parent. When Node dies, however it dies (SIGKILL included,
 * where no exit handler runs), the kernel re-parents this shell at once, and the JVM gets SIGTERM,
 * then SIGKILL after a grace period. Reading the parent pid from /proc (a shell builtin, no fork)
 * is immune to pid reuse and to Node lingering as a zombie. A SIGTERM to the watchdog is passed on
 * to the JVM, and the watchdog exits with the JVM's status only once the JVM is gone.
 */
const WATCHDOG = `
parent=$1; pidfile=$2; shift 2
"$@" &
jvm=$!
echo "$jvm" > "$pidfile"
trap 'kill -TERM "$jvm" 2>/dev/null' TERM INT HUP
while kill -0 "$jvm" 2>/dev/null; do
  read -r _ _ _ ppid _ < /proc/$$/stat
  if [ "$ppid" != "$parent" ]; then
    kill -TERM "$jvm" 2>/dev/null
    n=0
    while kill -0 "$jvm" 2>/dev/null && [ "$n" -lt 20 ]; do sleep 1; n=$((n + 1)); done
    kill -KILL "$jvm" 2>/dev/null
  fi
  sleep 1
done
wait "$jvm"
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
  const log = openSync(options.logFile, 'a');
  const args = [OWNER_PROPERTY + options.dataDir, ...options.args];
  const child = (() => {
    try {
      const watchdogArgs = [String(process.pid), options.pidFile, 'java', ...args];
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
    for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 200) {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
