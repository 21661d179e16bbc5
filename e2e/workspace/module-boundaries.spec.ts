// Proves the workspace's real boundary rules (.config/module-boundaries.mjs through the shared
// ESLint config) make `nx lint` fail when a service imports another service, a lib imports a
// service, or a service imports kafkajs — and pass for the allowed direction. It runs Nx in a
// scratch workspace shaped like this one, so the repository itself is never touched.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../..');
let scratch: string;
let output = '';

function project(dir: string, name: string, tag: string, source: string): void {
  const root = path.join(scratch, dir);
  mkdirSync(path.join(root, 'src'), { recursive: true });
  writeFileSync(
    path.join(root, 'project.json'),
    JSON.stringify({
      name,
      tags: [tag],
      targets: { lint: { command: 'eslint .', options: { cwd: '{projectRoot}' } } },
    }),
  );
  writeFileSync(
    path.join(root, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts'] }),
  );
  writeFileSync(
    path.join(root, 'eslint.config.mjs'),
    "export { default } from '../../.config/eslint.base.mjs';\n",
  );
  writeFileSync(path.join(root, 'src/index.ts'), source);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'tongban-boundaries-'));
  symlinkSync(path.join(repo, 'node_modules'), path.join(scratch, 'node_modules'));
  symlinkSync(path.join(repo, '.config'), path.join(scratch, '.config'));
  // The real manifest and lock file: Nx knows npm packages (for banned imports) from them.
  copyFileSync(path.join(repo, 'package.json'), path.join(scratch, 'package.json'));
  copyFileSync(path.join(repo, 'package-lock.json'), path.join(scratch, 'package-lock.json'));
  writeFileSync(path.join(scratch, 'nx.json'), JSON.stringify({ neverConnectToCloud: true }));
  writeFileSync(
    path.join(scratch, 'tsconfig.base.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        skipLibCheck: true,
        paths: {
          '@scratch/intake': ['./services/intake/src/index.ts'],
          '@scratch/review': ['./services/review/src/index.ts'],
          '@scratch/certificate': ['./services/certificate/src/index.ts'],
          '@scratch/shared': ['./libs/shared/src/index.ts'],
        },
      },
    }),
  );
  project(
    'libs/shared',
    'shared',
    'type:lib',
    "import { reviewDeadline } from '@scratch/review';\n\nexport const deadline: number = reviewDeadline;\n",
  );
  project(
    'services/intake',
    'intake',
    'type:service',
    "import { reviewDeadline } from '@scratch/review';\n\nexport const intakeDeadline: number = reviewDeadline;\n",
  );
  project('services/review', 'review', 'type:service', 'export const reviewDeadline = 20;\n');
  project(
    'services/certificate',
    'certificate',
    'type:service',
    "import { Kafka } from 'kafkajs';\n\nexport const client = new Kafka({ brokers: [] });\n",
  );
  project(
    'services/logistics',
    'logistics',
    'type:service',
    "import { deadline } from '@scratch/shared';\n\nexport const pickupBy: number = deadline;\n",
  );
  await run('git', ['init', '-q'], { cwd: scratch });

  try {
    await run(
      path.join(repo, 'node_modules/.bin/nx'),
      ['run-many', '-t', 'lint', '--skip-nx-cache', '--outputStyle=static'],
      {
        cwd: scratch,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    output = 'lint passed';
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    output = `${failure.stdout ?? ''}\n${failure.stderr ?? ''}`;
  }
}, 180_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function lintErrorsOf(projectDir: string): string {
  const start = output.indexOf(path.join(scratch, projectDir));
  return start === -1 ? '' : output.slice(start, start + 600);
}

describe('module boundaries under nx lint', () => {
  it('fails when a service imports another service', () => {
    expect(lintErrorsOf('services/intake')).toMatch(
      /A project tagged with "type:service" can only depend on libs tagged with/,
    );
  });

  it('fails when a lib imports a service', () => {
    expect(lintErrorsOf('libs/shared')).toMatch(
      /A project tagged with "type:lib" can only depend on libs tagged with/,
    );
  });

  it('fails when a service imports kafkajs instead of the shared Kafka lib', () => {
    expect(lintErrorsOf('services/certificate')).toMatch(
      /A project tagged with "type:service" is not allowed to import "kafkajs"/,
    );
  });

  it('passes a service that depends on a lib, and a service that imports nothing', () => {
    expect(output).toMatch(/Failed tasks:/);
    const failed = output.slice(output.indexOf('Failed tasks:'));
    expect(failed).toMatch(/intake:lint/);
    expect(failed).not.toMatch(/logistics:lint/);
    expect(failed).not.toMatch(/review:lint/);
  });
});
