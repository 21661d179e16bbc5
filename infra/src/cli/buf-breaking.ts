// `nx run proto:breaking`: fails when proto/ breaks wire or JSON compatibility with the previous
// commit of main. Partner regions upgrade at different times, so a contract change must not break
// what the last released version sends or expects.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repo = path.resolve(__dirname, '../../..');

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

function tryGit(...args: string[]): string | undefined {
  try {
    return git(...args);
  } catch {
    return undefined;
  }
}

function baseline(): string | undefined {
  const head = tryGit('rev-parse', 'HEAD');
  const main = tryGit('rev-parse', '--verify', 'main');
  // On main itself compare with its previous commit; on a branch, with main.
  if (head && main && head !== main) return main;
  return tryGit('rev-parse', '--verify', 'HEAD~1');
}

const against = baseline();
if (!against || tryGit('cat-file', '-e', `${against}:proto/buf.yaml`) === undefined) {
  console.log('buf breaking: no earlier commit of main has proto/ yet; nothing to compare with.');
  process.exit(0);
}

const previous = mkdtempSync(path.join(tmpdir(), 'tongban-proto-'));
try {
  execFileSync('sh', ['-c', `git archive ${against} proto | tar -x -C "${previous}"`], {
    cwd: repo,
  });
  console.log(`buf breaking: proto/ against ${against.slice(0, 12)}`);
  const result = spawnSync(
    path.join(repo, 'node_modules/.bin/buf'),
    ['breaking', 'proto', '--against', path.join(previous, 'proto')],
    { cwd: repo, stdio: 'inherit' },
  );
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(previous, { recursive: true, force: true });
}
