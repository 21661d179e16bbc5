// The console in a real browser (Debian's Chromium through playwright-core) against three real
// regions: the golden path through the UI, the server's own authorization, and the operator
// dashboard's numbers against the cases the test created. Screenshots of every step are saved
// under e2e/results/console/ as artifacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { residentIdCheckCharacter } from '@tongban/domain';
import { decodeQrCode, eventually } from '@tongban/testing';
import { launchChromium, StepShots } from './browser';
import { startConsoleNetwork, type ConsoleNetwork, type StaffAccount } from './console-network';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PENSION_MATERIALS = ['ID_CARD', 'TRANSFER_APPLICATION', 'CONTRIBUTION_CERTIFICATE'];
const HPF_MATERIALS = ['ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'];

let sequence = 0;
function residentId(): string {
  sequence += 1;
  const first17 = `411722196505${String(10 + (sequence % 18)).padStart(2, '0')}${String(100 + sequence).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

/** The same number with a wrong check character, as a clerk's typo would make it. */
function withWrongCheckCharacter(id: string): string {
  const wrong = id.endsWith('1') ? '2' : '1';
  return id.slice(0, 17) + wrong;
}

describe('console in a real browser', () => {
  let env: ConsoleNetwork;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const createdAt411700: string[] = [];

  beforeAll(async () => {
    env = await startConsoleNetwork();
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser.close();
    await env.stop();
  }, 120_000);

  const open = async (account: StaffAccount): Promise<Page> => {
    const context = await browser.newContext({
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1366, height: 768 },
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(env.console.url);
    await page.getByTestId('login-username').fill(account.username);
    await page.getByTestId('login-password').fill(account.password);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('staff-name').textContent()).toContain(account.name);
    return page;
  };

  const waitForOriginStatus = (caseId: string, status: CaseStatus) =>
    eventually(
      async () => {
        const { case: found } = await env.network.intake('411700').getCase({ caseId });
        expect(found?.status).toBe(status);
        return found!;
      },
      { timeoutMs: 90_000 },
    );

  it('runs the golden path through the UI: a clerk at 411700 submits, a reviewer at 429005 approves, the clerk sees COMPLETED and the verified certificate', async () => {
    const shots = new StepShots('golden-path');
    const clerk = await open(env.staff.clerk411700);
    await shots.take(clerk, 'clerk-signed-in');

    // The window desk: partner region, item from its published catalog, applicant, materials.
    await clerk.getByTestId('nav-new-case').click();
    await clerk.getByTestId('partner-select').selectOption('429005');
    await clerk.getByTestId('item-select').selectOption('PENSION_TRANSFER');
    for (const code of PENSION_MATERIALS) {
      await expect.poll(() => clerk.getByTestId(`material-${code}`).count()).toBe(1);
    }
    await clerk.getByTestId('applicant-kind').selectOption('PERSON');
    const id = residentId();
    await clerk.getByTestId('applicant-identifier').fill(withWrongCheckCharacter(id));
    await expect
      .poll(() => clerk.getByTestId('applicant-identifier-status').getAttribute('data-valid'))
      .toBe('false');
    await shots.take(clerk, 'id-number-refused-as-typed');
    await clerk.getByTestId('applicant-identifier').fill(id);
    await expect
      .poll(() => clerk.getByTestId('applicant-identifier-status').getAttribute('data-valid'))
      .toBe('true');
    await clerk.getByTestId('applicant-name').fill('王建国');
    await clerk.getByTestId('applicant-phone').fill('13800000000');
    await clerk.getByTestId('field-transfer_from').fill('驻马店市社会保险中心');
    for (const code of PENSION_MATERIALS) {
      await clerk.getByTestId(`material-${code}`).setInputFiles({
        name: `${code}.pdf`,
        mimeType: 'application/pdf',
        buffer: PDF,
      });
    }
    await clerk.getByTestId('delivery-method').selectOption('ELECTRONIC');
    await shots.take(clerk, 'application-filled');
    await clerk.getByTestId('submit-case').click();

    // The acceptance receipt (受理回执): case number, item, materials, a QR code a phone reads.
    await clerk.getByTestId('receipt').waitFor({ timeout: 30_000 });
    const caseId = ((await clerk.getByTestId('receipt-case-id').textContent()) ?? '').trim();
    expect(caseId).toMatch(/^411700-\d{8}-\d{6}$/);
    createdAt411700.push(caseId);
    const receiptText = (await clerk.getByTestId('receipt').textContent()) ?? '';
    expect(receiptText).toContain('企业职工基本养老保险关系转移接续');
    expect(receiptText).toContain('参保缴费凭证');
    const qr = await clerk.getByTestId('receipt-qr').innerHTML();
    expect(decodeQrCode(qr)).toBe(`tongban:case?origin=411700&id=${caseId}`);
    await shots.take(clerk, 'receipt');
    await waitForOriginStatus(caseId, CaseStatus.CASE_STATUS_UNDER_REVIEW);

    // The reviewer at 429005: the task in the deadline-ordered queue, its materials, approval.
    const reviewer = await open(env.staff.reviewer429005);
    const row = reviewer.locator(`[data-testid="task-row"][data-case-id="${caseId}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('task-countdown').textContent()).toMatch(/剩余|已超期|已暂停/);
    await shots.take(reviewer, 'review-queue');
    await row.click();
    await reviewer.getByTestId('task-detail').waitFor();
    await expect.poll(() => reviewer.getByTestId('material-link').count()).toBe(3);
    await reviewer.getByTestId('material-link').first().click();
    await reviewer.getByTestId('material-viewer').waitFor();
    await shots.take(reviewer, 'materials-viewer');
    await reviewer.getByTestId('action-approve').click();
    await expect
      .poll(() => reviewer.getByTestId('task-detail').getAttribute('data-state'), {
        timeout: 30_000,
      })
      .toBe('APPROVED');
    await shots.take(reviewer, 'approved');

    // Back at the window: the case found by its number, COMPLETED, the certificate verified.
    await clerk.getByTestId('nav-cases').click();
    await clerk.getByTestId('case-search-input').fill(caseId);
    await clerk.getByTestId('case-search-submit').click();
    await clerk.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`).click();
    await expect
      .poll(() => clerk.getByTestId('case-status').getAttribute('data-status'), { timeout: 90_000 })
      .toBe('COMPLETED');
    await expect
      .poll(() => clerk.getByTestId('certificate-verification').getAttribute('data-result'), {
        timeout: 30_000,
      })
      .toBe('VALID');
    const timeline = await clerk.getByTestId('timeline-entry').allTextContents();
    expect(timeline.some((entry) => entry.includes('驻马店市'))).toBe(true);
    expect(timeline.some((entry) => entry.includes('潜江市'))).toBe(true);
    await shots.take(clerk, 'completed-with-verified-certificate');
  });

  it("answers 403 from the server when a clerk of 411700 calls 429005's reviewer endpoints", async () => {
    const clerk = await open(env.staff.clerk411700);
    const { tasks } = await env.network
      .review('429005')
      .listTasks({ states: [], pageSize: 10, pageToken: '' });
    const taskId = tasks[0]?.taskId ?? '00000000-0000-4000-8000-000000000000';
    const api = clerk.context().request;
    for (const [method, url] of [
      ['GET', '/api/regions/429005/review/tasks'],
      ['GET', `/api/regions/429005/review/tasks/${taskId}`],
      ['POST', `/api/regions/429005/review/tasks/${taskId}/decision`],
    ] as const) {
      const response = await api.fetch(new URL(url, env.console.url).toString(), {
        method,
        ...(method === 'POST' ? { data: { decision: 'REJECT', reason: '越权测试' } } : {}),
      });
      expect(response.status(), url).toBe(403);
      expect(((await response.json()) as { code: string }).code, url).toBe('AUTH.WRONG_REGION');
    }
    // Nothing changed: the task the clerk tried to decide is as it was.
    if (tasks[0]) {
      const { task } = await env.network.review('429005').getTask({ taskId });
      expect(task?.state).toBe(tasks[0].state);
    }
  });

  it('shows on the operator dashboards exactly the cases the test created', async () => {
    const shots = new StepShots('dashboard');
    const clerk = await open(env.staff.clerk411700);
    const api = clerk.context().request;
    // Two instant cases (秒批, they complete on their own) and one that waits for a reviewer,
    // submitted through the console like the form does.
    const submit = async (
      itemCode: string,
      materials: string[],
      fields: Record<string, string>,
    ) => {
      const response = await api.post(
        new URL('/api/regions/411700/desk/cases', env.console.url).toString(),
        {
          multipart: {
            application: JSON.stringify({
              idempotencyKey: crypto.randomUUID(),
              handlingRegion: '429005',
              itemCode,
              applicant: {
                kind: 'PERSON',
                identifier: residentId(),
                name: '李秀英',
                phone: '13900000000',
              },
              delivery: { method: 'ELECTRONIC' },
              fields,
            }),
            ...Object.fromEntries(
              materials.map((code) => [
                `material:${code}`,
                { name: `${code}.pdf`, mimeType: 'application/pdf', buffer: PDF },
              ]),
            ),
          },
        },
      );
      expect(response.status()).toBe(201);
      const { case: created } = (await response.json()) as { case: { caseId: string } };
      createdAt411700.push(created.caseId);
      return created.caseId;
    };
    const hpfFields = {
      withdrawal_reason: 'RETIREMENT',
      account_number: '4290050001',
      bank_account: '6222000011112222',
      bank_name: '中国工商银行潜江支行',
      outstanding_loan: 'NO',
    };
    const instant = [
      await submit('HPF_RETIREMENT_WITHDRAWAL', HPF_MATERIALS, hpfFields),
      await submit('HPF_RETIREMENT_WITHDRAWAL', HPF_MATERIALS, hpfFields),
    ];
    const waiting = await submit('PENSION_TRANSFER', PENSION_MATERIALS, {
      transfer_from: '驻马店市社会保险中心',
    });
    const completed = [createdAt411700[0]!, ...instant];
    for (const caseId of completed)
      await waitForOriginStatus(caseId, CaseStatus.CASE_STATUS_COMPLETED);
    await waitForOriginStatus(waiting, CaseStatus.CASE_STATUS_UNDER_REVIEW);

    // What the dashboard must say, from the cases themselves.
    const cases = await Promise.all(
      createdAt411700.map(async (caseId) => {
        const { case: found } = await env.network.intake('411700').getCase({ caseId });
        return found!;
      }),
    );
    const handlingMs = cases
      .filter((found) => found.status === CaseStatus.CASE_STATUS_COMPLETED)
      .map((found) => found.completedAt!.getTime() - found.submittedAt!.getTime());
    const averageMs = handlingMs.reduce((sum, ms) => sum + ms, 0) / handlingMs.length;

    const operator = await open(env.staff.operator411700);
    await operator.getByTestId('dashboard').waitFor();
    const metric = (name: string) =>
      operator.getByTestId(`metric-${name}`).getAttribute('data-value').then(Number);
    await expect.poll(() => metric('total'), { timeout: 30_000 }).toBe(4);
    await expect.poll(() => metric('completed'), { timeout: 30_000 }).toBe(3);
    expect(await metric('open')).toBe(1);
    expect(await metric('overdue')).toBe(0);
    expect(Math.abs((await metric('average-handling')) - averageMs)).toBeLessThan(2);
    const count = (group: string, key: string) =>
      operator
        .locator(`[data-testid="count-row"][data-group="${group}"][data-key="${key}"]`)
        .getAttribute('data-count')
        .then(Number);
    expect(await count('status', 'COMPLETED')).toBe(3);
    expect(await count('status', 'UNDER_REVIEW')).toBe(1);
    expect(await count('handling-region', '429005')).toBe(4);
    expect(await count('item', 'HPF_RETIREMENT_WITHDRAWAL')).toBe(2);
    expect(await count('item', 'PENSION_TRANSFER')).toBe(2);
    expect(await count('channel', 'WINDOW')).toBe(4);
    const exchangeRow = operator.locator('[data-testid="exchange-row"][data-partner="429005"]');
    expect(Number(await exchangeRow.getAttribute('data-failed'))).toBe(0);
    await expect.poll(() => operator.getByTestId('dead-letter-row').count()).toBe(5);
    for (const row of await operator.getByTestId('dead-letter-row').all()) {
      expect(Number(await row.getAttribute('data-depth'))).toBe(0);
    }
    // Every case links to its own trace in Zipkin, and the trace is there, across both regions.
    const traceLinks = new Map<string, string>();
    for (const caseId of createdAt411700) {
      const link = operator.locator(
        `[data-testid="recent-case"][data-case-id="${caseId}"] [data-testid="trace-link"]`,
      );
      const href = (await link.getAttribute('href')) ?? '';
      expect(href).toMatch(/\/zipkin\/traces\/[0-9a-f]{32}$/);
      traceLinks.set(caseId, href);
    }
    expect(new Set(traceLinks.values()).size).toBe(createdAt411700.length);
    const goldenTrace = traceLinks.get(createdAt411700[0]!)!;
    const traceId = goldenTrace.slice(-32);
    await eventually(
      async () => {
        const spans = (await (
          await fetch(new URL(`/api/v2/trace/${traceId}`, goldenTrace))
        ).json()) as { localEndpoint?: { serviceName?: string } }[];
        const services = new Set(spans.map((span) => span.localEndpoint?.serviceName));
        expect(services).toContain('411700/intake');
        expect(services).toContain('429005/review');
      },
      { timeoutMs: 30_000 },
    );
    await shots.take(operator, 'origin-411700');

    // The handling region's view: four received from 411700, three decided on time (one by the
    // reviewer, two by rules), one waiting for a reviewer.
    const handler = await open(env.staff.operator429005);
    await handler.getByTestId('dashboard').waitFor();
    const handled = (key: string, attribute: string) =>
      handler
        .locator(`[data-testid="handling-item-row"][data-key="${key}"]`)
        .getAttribute(attribute)
        .then(Number);
    await expect.poll(() => handled('HPF_RETIREMENT_WITHDRAWAL', 'data-decided')).toBe(2);
    expect(await handled('HPF_RETIREMENT_WITHDRAWAL', 'data-decided-on-time')).toBe(2);
    expect(await handled('HPF_RETIREMENT_WITHDRAWAL', 'data-open')).toBe(0);
    expect(await handled('PENSION_TRANSFER', 'data-decided')).toBe(1);
    expect(await handled('PENSION_TRANSFER', 'data-open')).toBe(1);
    const fromOrigin = handler.locator('[data-testid="on-time-row"][data-key="411700"]');
    expect(Number(await fromOrigin.getAttribute('data-decided'))).toBe(3);
    expect(Number(await fromOrigin.getAttribute('data-rate'))).toBe(1);
    expect(
      Number(await handler.getByTestId('metric-on-time-rate').getAttribute('data-value')),
    ).toBe(1);
    await shots.take(handler, 'handling-429005');
  });
});
