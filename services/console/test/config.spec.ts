import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServiceConfigError } from '@tongban/service-kit';
import { hashPassword, verifyPassword } from '../src/auth/password-hash';
import { readStaffFile } from '../src/auth/staff-file';
import { loadConsoleConfig } from '../src/config/console-config';

const upstream = {
  intake: 'intake:9090',
  review: 'review:9090',
  certificate: 'certificate:9090',
  logistics: 'logistics:9090',
  exchange: 'exchange:9090',
};
const valid = {
  DATABASE_URL: 'postgres://console@db/tb_console',
  CONSOLE_UPSTREAMS: JSON.stringify({ '411700': upstream }),
  CONSOLE_STAFF_FILE: '/etc/tongban/console/staff.yaml',
  KAFKA_BROKERS: 'kafka:9092',
};

describe('console configuration', () => {
  it('reads a valid environment with its defaults', () => {
    const config = loadConsoleConfig(valid);
    expect(config.HTTP_PORT).toBe(8700);
    expect(config.CONSOLE_UPSTREAMS['411700']?.review).toBe('review:9090');
    expect(config.CONSOLE_SECURE_COOKIE).toBe(false);
    expect(config.CONSOLE_SESSION_IDLE_MINUTES).toBe(480);
  });

  it('names every wrong variable at once', () => {
    let error: unknown;
    try {
      loadConsoleConfig({
        ...valid,
        DATABASE_URL: 'mysql://x',
        CONSOLE_UPSTREAMS: JSON.stringify({ '411700': { ...upstream, review: 'no port' } }),
        CONSOLE_STAFF_FILE: undefined,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServiceConfigError);
    const problems = (error as ServiceConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL: must be a postgres/),
        expect.stringMatching(/^CONSOLE_UPSTREAMS: must map region codes .*host:port/),
        expect.stringMatching(/^CONSOLE_STAFF_FILE: missing; /),
      ]),
    );
  });

  it('refuses upstreams that are not JSON or name no region', () => {
    expect(() => loadConsoleConfig({ ...valid, CONSOLE_UPSTREAMS: '411700=intake:1' })).toThrow(
      /CONSOLE_UPSTREAMS: must be JSON/,
    );
    expect(() => loadConsoleConfig({ ...valid, CONSOLE_UPSTREAMS: '{}' })).toThrow(
      /no region given/,
    );
  });
});

describe('staff file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongban-staff-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (text: string) => {
    const name = path.join(dir, `${String(Math.random()).slice(2)}.yaml`);
    writeFileSync(name, text);
    return name;
  };

  it('takes hashed passwords, and plain ones only as development passwords of 12 or more', async () => {
    const hash = await hashPassword('a long enough password');
    const accounts = readStaffFile(
      file(
        `- { username: clerk.411700, name: 张敏, region: '411700', role: CLERK, passwordHash: '${hash}' }\n` +
          `- { username: operator.411700, name: 赵磊, region: '411700', role: OPERATOR, password: development-only }\n`,
      ),
      ['411700'],
    );
    expect(accounts.map((account) => account.username)).toEqual([
      'clerk.411700',
      'operator.411700',
    ]);
    expect(() =>
      readStaffFile(
        file(
          `- { username: clerk.411700, name: 张敏, region: '411700', role: CLERK, password: short }\n`,
        ),
        ['411700'],
      ),
    ).toThrow(/at least 12 characters/);
  });

  it('refuses duplicates, unknown roles, regions the console does not serve, and accounts without a password', () => {
    expect(() =>
      readStaffFile(
        file(
          `- { username: a.411700, name: 甲, region: '411700', role: CLERK, password: development-only }\n` +
            `- { username: a.411700, name: 乙, region: '411700', role: CLERK, password: development-only }\n` +
            `- { username: b.429005, name: 丙, region: '429005', role: CLERK, password: development-only }\n`,
        ),
        ['411700'],
      ),
    ).toThrow(/a\.411700: listed twice[\s\S]*b\.429005: region 429005 is not served/);
    expect(() =>
      readStaffFile(
        file(
          `- { username: a.411700, name: 甲, region: '411700', role: ADMIN, password: development-only }\n`,
        ),
        ['411700'],
      ),
    ).toThrow(/role/);
    expect(() =>
      readStaffFile(file(`- { username: a.411700, name: 甲, region: '411700', role: CLERK }\n`), [
        '411700',
      ]),
    ).toThrow(/exactly one of passwordHash and password/);
  });

  it('verifies a password against its hash, and never against a malformed one', async () => {
    const hash = await hashPassword('the right password');
    expect(await verifyPassword('the right password', hash)).toBe(true);
    expect(await verifyPassword('the wrong password', hash)).toBe(false);
    expect(await verifyPassword('the right password', 'plain-text')).toBe(false);
  });
});
