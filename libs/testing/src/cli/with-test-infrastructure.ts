// `npm test`: starts the test infrastructure once, runs the given command with its addresses in
// the environment (every project's tests reuse it), then stops it — also on Ctrl-C.
import { spawn } from 'node:child_process';
import { exportTestInfrastructure } from '../test-infrastructure';
import { startTestStack } from '../test-stack';

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('usage: with-test-infrastructure <command> [args...]');
    return 2;
  }
  const stack = await startTestStack();
  exportTestInfrastructure(stack);
  try {
    const child = spawn(command, args, { stdio: 'inherit', env: process.env });
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return await new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => {
        resolve(code ?? (signal ? 128 + 15 : 1));
      });
    });
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
