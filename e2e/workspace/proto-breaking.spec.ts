// `nx run proto:breaking` fails on a change that breaks what partner regions already send, and
// passes a compatible one. Runs the real check in a scratch git repository holding a copy of proto/.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '../..');
const envelope = 'proto/tongban/events/v1/envelope.proto';
let scratch: string;

function git(...args: string[]): void {
  execFileSync(
    'git',
    ['-c', 'user.name=Tongban', '-c', 'user.email=dev@tongban.invalid', ...args],
    {
      cwd: scratch,
      stdio: 'ignore',
    },
  );
}

function commitEnvelope(edit: (proto: string) => string, message: string): void {
  const file = path.join(scratch, envelope);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  git('commit', '-qam', message);
}

function breakingCheck(): { status: number | null; output: string } {
  const result = spawnSync(
    path.join(repo, 'node_modules/.bin/tsx'),
    [path.join(repo, 'infra/src/cli/buf-breaking.ts')],
    { cwd: scratch, encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'tongban-breaking-'));
  cpSync(path.join(repo, 'proto'), path.join(scratch, 'proto'), { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'contracts as released');
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('proto:breaking', () => {
  it('fails when a field a partner already sends is renumbered', () => {
    commitEnvelope(
      (proto) =>
        proto.replace('string case_id = 3;', 'string case_key = 3;\n  string case_id = 9;'),
      'move case_id',
    );
    const { status, output } = breakingCheck();
    expect(status).not.toBe(0);
    expect(output).toMatch(
      /Field "3" on message "EventEnvelope" changed name from "case_id" to "case_key"/,
    );
  });

  it('passes a compatible change that adds a field', () => {
    commitEnvelope(
      (proto) =>
        proto.replace(
          'google.protobuf.Any payload = 8;',
          'google.protobuf.Any payload = 8;\n  string channel = 9;',
        ),
      'add channel',
    );
    const { status, output } = breakingCheck();
    expect(output).toMatch(/buf breaking: proto\/ against [0-9a-f]{12}/);
    expect(status).toBe(0);
  });
});
