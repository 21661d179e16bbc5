import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

export interface TsProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves with the first stdout line (past or future) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs a TypeScript file in a separate Node process, as a service would run: a real process
 * boundary for tests of trace propagation, crashes between two steps, and restarts.
 */
export function spawnTsProcess(
  file: string,
  options: { env?: Record<string, string>; args?: string[] } = {},
): TsProcess {
  const entry = file.startsWith('file:') ? fileURLToPath(file) : file;
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...(options.args ?? [])], {
    cwd: WORKSPACE_ROOT,
    env: {
      ...process.env,
      // tsx resolves the workspace path aliases (@tongban/*) from this file.
      TSX_TSCONFIG_PATH: path.join(WORKSPACE_ROOT, 'tsconfig.base.json'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters) {
      const match = waiter.pattern.exec(line);
      if (match) {
        waiters.delete(waiter);
        waiter.resolve(match);
      }
    }
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });

  return {
    child,
    lines,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitForLine: (pattern, timeoutMs = 60_000) => {
      for (const line of lines) {
        const match = pattern.exec(line);
        if (match) return Promise.resolve(match);
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (match: RegExpMatchArray) => {
            clearTimeout(timer);
            resolve(match);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `${path.basename(entry)} printed no line matching ${pattern} within ${timeoutMs} ms.\n` +
                `stdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr.slice(-40).join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(
            new Error(
              `${path.basename(entry)} exited (${code}) before printing ${pattern}.\n` +
                `stdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr.slice(-40).join('\n')}`,
            ),
          );
        });
      });
    },
  };
}
