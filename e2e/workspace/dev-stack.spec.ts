// `npm start` (infra/src/cli/dev-stack.ts): leaves Kafka, PostgreSQL and Zipkin up and says where
// they listen, until Ctrl-C stops them — with no JVM left behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { REGION_SERVICES, waitForBroker } from '@tongban/infra';
import { dropDatabase } from '@tongban/persistence';
import { eventually, spawnTsProcess, testInfrastructure } from '@tongban/testing';

const stateDir = mkdtempSync(path.join(tmpdir(), 'tongban-dev-stack-'));

afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

/** Live JVMs whose command line contains `marker` (a data dir, a port flag). */
function jvmsOf(marker: string): string[] {
  const table = execFileSync('ps', ['-eo', 'stat=,comm=,args='], { encoding: 'utf8' });
  return table.split('\n').filter((line) => {
    const [stat, command] = line.trim().split(/\s+/);
    // Zombies are dead already; only the JVM itself counts, not its watchdog shell.
    return command === 'java' && !stat?.startsWith('Z') && line.includes(marker);
  });
}

describe('npm start', () => {
  it('prints where Kafka, Zipkin and PostgreSQL listen, serves them, and stops them on Ctrl-C', async () => {
    const stack = spawnTsProcess(path.resolve(__dirname, '../../infra/src/cli/dev-stack.ts'), {
      // The infrastructure alone; the regions' services have e2e tests of their own.
      env: { KAFKA_PORT: '0', ZIPKIN_PORT: '0', TONGBAN_STATE_DIR: stateDir, TONGBAN_REGIONS: '' },
    });
    try {
      await stack.waitForLine(/^Press Ctrl-C to stop\.$/, 120_000);
      const [, kafka] = await stack.waitForLine(/^\s+Kafka\s+(\S+)/);
      const [, zipkin] = await stack.waitForLine(/^\s+Zipkin\s+(\S+)/);
      const [, postgres] = await stack.waitForLine(/^\s+PostgreSQL\s+(\S+)/);

      await waitForBroker([kafka!], 10_000);
      const health = (await (await fetch(`${zipkin!}/health`)).json()) as { status: string };
      expect(health.status).toBe('UP');
      const client = new Client({ connectionString: postgres });
      await client.connect();
      expect((await client.query('SELECT 1 AS up')).rows).toEqual([{ up: 1 }]);
      await client.end();
      expect(jvmsOf(stateDir)).toHaveLength(1); // the broker, with its data in our state dir
      expect(jvmsOf(`--armeria.ports[0].port=${new URL(zipkin!).port}`)).toHaveLength(1);

      stack.kill('SIGINT');
      expect(await stack.exited).toBe(0);
      expect(stack.lines).toContain('Stopped.');
      await eventually(
        () => {
          expect(jvmsOf(stateDir)).toEqual([]);
          expect(jvmsOf(`--armeria.ports[0].port=${new URL(zipkin!).port}`)).toEqual([]);
        },
        { timeoutMs: 15_000 },
      );
    } finally {
      stack.kill('SIGKILL');
    }
  });

  it('serves the console with a region and prints its URL and the demo accounts, which sign in', async () => {
    const prefix = `tb_test_devstack_${String(process.pid)}`;
    const stack = spawnTsProcess(path.resolve(__dirname, '../../infra/src/cli/dev-stack.ts'), {
      env: {
        KAFKA_PORT: '0',
        ZIPKIN_PORT: '0',
        CARRIER_PORT: '0',
        CONSOLE_PORT: '0',
        TONGBAN_STATE_DIR: path.join(stateDir, 'with-region'),
        TONGBAN_KEYS_DIR: path.join(stateDir, 'keys'),
        TONGBAN_DATABASE_PREFIX: prefix,
        TONGBAN_REGIONS: '411700',
      },
    });
    try {
      await stack.waitForLine(/^Press Ctrl-C to stop\.$/, 240_000);
      const [, url] = await stack.waitForLine(/^Console\s+(http:\/\/\S+)/);
      const accounts = stack.lines
        .map((line) => /^\s+411700 .+\s(\S+\.411700)\s+(\S+)$/.exec(line))
        .filter((match) => match !== null)
        .map((match) => ({ username: match[1]!, password: match[2]! }));
      // One account per role of the region: clerk, reviewer, approver, operator.
      expect(accounts.map((account) => account.username).sort()).toEqual([
        'approver.411700',
        'clerk.411700',
        'operator.411700',
        'reviewer.411700',
      ]);
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const clerk = accounts.find((account) => account.username === 'clerk.411700')!;
      const signIn = await fetch(new URL('/api/session', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(clerk),
      });
      expect(signIn.status).toBe(200);
      expect(((await signIn.json()) as { staff: { role: string } }).staff.role).toBe('CLERK');

      stack.kill('SIGINT');
      expect(await stack.exited).toBe(0);
    } finally {
      stack.kill('SIGKILL');
      const { postgresAdminUrl } = testInfrastructure();
      await Promise.all(
        [
          ...REGION_SERVICES.map((service) => `${prefix}_411700_${service}`),
          `${prefix}_console`,
        ].map((name) => dropDatabase(postgresAdminUrl, name)),
      );
    }
  });
});
