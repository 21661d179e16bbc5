import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { assertDatabaseMatchesPrismaSchema } from '@tongban/persistence';
import { ACCOUNTS, ApiSession, ConsoleHarness } from './console-harness';

describe('console sign-in and server-side authorization', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await ConsoleHarness.start();
  });

  afterAll(async () => {
    await harness.stop();
  });

  const signedIn = async (username: string): Promise<ApiSession> => {
    const account = ACCOUNTS.find((entry) => entry.username === username)!;
    const session = new ApiSession(harness.url);
    const result = await session.signIn(account.username, account.password);
    expect(result.status).toBe(200);
    return session;
  };

  it('refuses every API call without a session', async () => {
    const anonymous = new ApiSession(harness.url);
    for (const url of [
      '/api/session',
      '/api/regions/411700/desk/partners',
      '/api/regions/429005/review/tasks',
      '/api/regions/411700/operations/dashboard',
    ]) {
      const result = await anonymous.request('GET', url);
      expect(result.status, url).toBe(401);
      expect(result.body.code, url).toBe('AUTH.REQUIRED');
    }
  });

  it('signs in with the right password only, and does not tell which part was wrong', async () => {
    const session = new ApiSession(harness.url);
    const wrongPassword = await session.signIn('clerk.411700', 'not-the-password');
    const unknownUser = await session.signIn('nobody.411700', 'not-the-password');
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownUser.body);
    expect(wrongPassword.body.code).toBe('AUTH.INVALID_CREDENTIALS');
    expect(wrongPassword.setCookie).toBeNull();

    const missing = await session.request('POST', '/api/session', { username: 'clerk.411700' });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('REQUEST.INVALID');

    const ok = await session.signIn('clerk.411700', 'clerk-411700-password');
    expect(ok.status).toBe(200);
    expect(ok.body.staff).toEqual({
      username: 'clerk.411700',
      name: '张敏',
      role: 'CLERK',
      region: '411700',
      regionName: '驻马店市',
    });
    // The session cookie cannot be read by scripts nor sent by other sites.
    expect(ok.setCookie).toMatch(/HttpOnly/i);
    expect(ok.setCookie).toMatch(/SameSite=Strict/i);
    const current = await session.request('GET', '/api/session');
    expect(current.status).toBe(200);
  });

  it("answers 403 when a clerk of 411700 calls 429005's reviewer endpoints", async () => {
    const clerk = await signedIn('clerk.411700');
    for (const [method, url, body] of [
      ['GET', '/api/regions/429005/review/tasks'],
      ['GET', '/api/regions/429005/review/tasks/7f1d2c7e-0000-4000-8000-000000000001'],
      [
        'POST',
        '/api/regions/429005/review/tasks/7f1d2c7e-0000-4000-8000-000000000001/decision',
        { decision: 'APPROVE', reason: '' },
      ],
      [
        'POST',
        '/api/regions/429005/review/tasks/7f1d2c7e-0000-4000-8000-000000000001/pre-review',
        { note: '' },
      ],
      [
        'GET',
        `/api/regions/429005/review/tasks/7f1d2c7e-0000-4000-8000-000000000001/materials/${'a'.repeat(64)}`,
      ],
    ] as const) {
      const result = await clerk.request(method, url, body);
      expect(result.status, url).toBe(403);
      expect(result.body.code, url).toBe('AUTH.WRONG_REGION');
    }
    // Its own region's review endpoints are not a clerk's either.
    const ownRegion = await clerk.request('GET', '/api/regions/411700/review/tasks');
    expect(ownRegion.status).toBe(403);
    expect(ownRegion.body.code).toBe('AUTH.WRONG_ROLE');
    const dashboard = await clerk.request('GET', '/api/regions/411700/operations/dashboard');
    expect(dashboard.status).toBe(403);
    expect(dashboard.body.code).toBe('AUTH.WRONG_ROLE');
  });

  it('keeps reviewers out of the window desk and other regions out of each other', async () => {
    const reviewer = await signedIn('reviewer.429005');
    const desk = await reviewer.request('GET', '/api/regions/429005/desk/partners');
    expect(desk.status).toBe(403);
    expect(desk.body.code).toBe('AUTH.WRONG_ROLE');
    const otherQueue = await reviewer.request('GET', '/api/regions/411700/review/tasks');
    expect(otherQueue.status).toBe(403);
    expect(otherQueue.body.code).toBe('AUTH.WRONG_REGION');
    const operator = await signedIn('operator.411700');
    const otherDashboard = await operator.request(
      'GET',
      '/api/regions/429005/operations/dashboard',
    );
    expect(otherDashboard.status).toBe(403);
    expect(otherDashboard.body.code).toBe('AUTH.WRONG_REGION');
  });

  it('lets a clerk reach the desk, and says so plainly when the services do not answer', async () => {
    const clerk = await signedIn('clerk.411700');
    const partners = await clerk.request('GET', '/api/regions/411700/desk/partners');
    expect(partners.status).toBe(200);
    expect(partners.body.partners).toEqual([
      { region: '411700', name: '驻马店市' },
      { region: '429005', name: '潜江市' },
      { region: '430600', name: '岳阳市' },
    ]);
    const cases = await clerk.request('GET', '/api/regions/411700/desk/cases');
    expect(cases.status).toBe(503);
    expect(cases.body.code).toBe('UPSTREAM.UNAVAILABLE');
  });

  it('refuses a malformed application before any service is called', async () => {
    const clerk = await signedIn('clerk.411700');
    const form = new FormData();
    form.set('application', '{"handlingRegion": "429005"');
    const response = await fetch(new URL('/api/regions/411700/desk/cases', harness.url), {
      method: 'POST',
      headers: { cookie: clerk.cookie },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('REQUEST.INVALID');

    const incomplete = new FormData();
    incomplete.set('application', JSON.stringify({ handlingRegion: '429005', itemCode: 'X' }));
    const second = await fetch(new URL('/api/regions/411700/desk/cases', harness.url), {
      method: 'POST',
      headers: { cookie: clerk.cookie },
      body: incomplete,
    });
    const body = (await second.json()) as { code: string; problems: { field: string }[] };
    expect(second.status).toBe(400);
    expect(body.problems.map((problem) => problem.field)).toEqual(
      expect.arrayContaining(['idempotencyKey', 'applicant', 'delivery']),
    );
  });

  it('ends the session at sign-out', async () => {
    const clerk = await signedIn('clerk.411700');
    const cookie = clerk.cookie;
    const out = await clerk.request('DELETE', '/api/session');
    expect(out.status).toBe(204);
    const replay = new ApiSession(harness.url);
    replay.cookie = cookie;
    expect((await replay.request('GET', '/api/session')).status).toBe(401);
  });

  it('keeps the database as the Prisma schema describes it', async () => {
    await assertDatabaseMatchesPrismaSchema({
      databaseUrl: harness.databaseUrl,
      schemaPath: path.join(__dirname, '../prisma/schema.prisma'),
      ignoreTables: ['pgmigrations'],
    });
  });
});

describe('staff file', () => {
  it('disables an account removed from the staff file at the next start, and ends its sessions', async () => {
    const first = await ConsoleHarness.start();
    const operator = new ApiSession(first.url);
    expect((await operator.signIn('operator.411700', 'operator-411700-password')).status).toBe(200);
    const kept = await first.stopApp();
    const second = await ConsoleHarness.start({
      ...kept,
      accounts: ACCOUNTS.filter((account) => account.username !== 'operator.411700'),
    });
    try {
      const replay = new ApiSession(second.url);
      replay.cookie = operator.cookie;
      expect((await replay.request('GET', '/api/session')).status).toBe(401);
      const again = await new ApiSession(second.url).signIn(
        'operator.411700',
        'operator-411700-password',
      );
      expect(again.status).toBe(401);
      const clerk = await new ApiSession(second.url).signIn(
        'clerk.411700',
        'clerk-411700-password',
      );
      expect(clerk.status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
