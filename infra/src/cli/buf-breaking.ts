// `nx run proto:breaking`: fails when proto/ breaks wire or JSON compatibility with the previous
// commit of main. Partner regions upgrade at different times, so a contract change must not break
// what the last released version sends or expects.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const buf = path.resolve(__dirname, '../../../node_modules/.bin/buf');

/** Runs git in the repository of the current directory (the workspace, or a scratch one in tests). */
function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

function baseline(): string | undefined {
  const head = git('rev-parse', 'HEAD');
  const main = git('rev-parse', '--verify', 'main');
  // On main itself compare with its previous commit; on a branch, with main.
  if (head && main && head !== main) return main;
  return git('rev-parse', '--verify', 'HEAD~1');
}

const repo = git('rev-parse', '--show-toplevel');
const against = baseline();
if (!repo || !against || git('cat-file', '-e', `${against}:proto/buf.yaml`) === undefined) {
  console.log('buf breaking: no earlier commit of main has proto/ yet; nothing to compare with.');
  process.exit(0);
}

const previous = mkdtempSync(path.join(tmpdir(), 'tongban-proto-'));
try {
  execFileSync('sh', ['-c', `git archive ${against} proto | tar -x -C "${previous}"`], {
    cwd: repo,
  });
  console.log(`buf breaking: proto/ against ${against.slice(0, 12)}`);
  const result = spawnSync(buf, ['breaking', 'proto', '--against', path.join(previous, 'proto')], {
    cwd: repo,
    stdio: 'inherit',
  });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(previous, { recursive: true, force: true });
}
