// `npm test`: starts the test infrastructure once, runs the given command with its addresses in
// the environment (every project's tests reuse it), stops it — also on Ctrl-C — and closes with
// one line counting the tests of every project.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { exportTestInfrastructure } from '../test-infrastructure';
import { startTestStack } from '../test-stack';

const RESULTS_DIR = path.resolve(__dirname, '../../../../dist/test-results');

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

function summary(): string | undefined {
  if (!existsSync(RESULTS_DIR)) return undefined;
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const file of readdirSync(RESULTS_DIR).filter((name) => name.endsWith('.json'))) {
    const report = JSON.parse(
      readFileSync(path.join(RESULTS_DIR, file), 'utf8'),
    ) as VitestJsonReport;
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  }
  return `Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
}

async function run(command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, { stdio: 'inherit', env: process.env });
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal ? 130 : 1));
    });
  });
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('usage: with-test-infrastructure <command> [args...]');
    return 2;
  }
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  const stack = await startTestStack();
  exportTestInfrastructure(stack);
  let code: number;
  try {
    code = await run(command, args);
  } finally {
    await stack.stop();
  }
  const line = summary();
  if (line) console.log(`\n${line}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
