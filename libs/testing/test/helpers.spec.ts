import { describe, expect, it } from 'vitest';
import { eventually, spawnTsProcess, uniqueTopicPrefix } from '../src';

describe('uniqueTopicPrefix', () => {
  it('is different every time and safe in topic names', () => {
    const prefixes = new Set(Array.from({ length: 100 }, () => uniqueTopicPrefix()));
    expect(prefixes.size).toBe(100);
    for (const prefix of prefixes) expect(prefix).toMatch(/^t[0-9a-f]{8}\.$/);
  });
});

describe('eventually', () => {
  it('retries until the assertion passes and returns its value', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('rethrows the last failure after the timeout', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('case never arrived');
        },
        { timeoutMs: 50, intervalMs: 5 },
      ),
    ).rejects.toThrow('case never arrived');
  });
});

describe('spawnTsProcess', () => {
  it('reads the lines a TypeScript process prints', async () => {
    const child = spawnTsProcess(new URL('fixtures/greeter.ts', `file://${__filename}`).href, {
      args: ['411700'],
    });
    const [, region] = await child.waitForLine(/^hello from (\d{6})$/);
    expect(region).toBe('411700');
    expect(await child.exited).toBe(0);
  });

  it('fails with the process output when it exits before printing the line', async () => {
    const child = spawnTsProcess(new URL('fixtures/greeter.ts', `file://${__filename}`).href, {
      args: ['crash'],
    });
    await expect(child.waitForLine(/^never$/)).rejects.toThrow(
      /exited \(3\)[\s\S]*region code missing/,
    );
  });
});
