// First: telemetry must be running before grpc-js, pg and the rest are loaded.
import { telemetry } from './traced';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  TimelineKind,
} from '@tongban/contracts/tongban/case/v1/case';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import {
  SubmitBundleRequest,
  type Case,
  type ListCasesRequest,
  type SubmitCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { readTopic, testInfrastructure, eventually } from '@tongban/testing';
import { forwarded, noticed, refusal, reported, startIntake, type IntakeHarness } from './harness';
import {
  creditCode,
  HANDLER,
  ORIGIN,
  regionFile,
  residentId,
  retireeSubmit,
  scan,
  upload,
} from './support';

const S = CaseStatus;
const K = TimelineKind;
const CLERK = 'zmd-window-07';
const YUEYANG = '430600';
const HOUR = 3_600_000;

let h: IntakeHarness;

beforeAll(async () => {
  // 岳阳 (430600) is reachable too: the retirement bundle and one statistics case go there.
  h = await startIntake([HANDLER, YUEYANG]);
});

afterAll(async () => {
  await h.stop();
  await telemetry.shutdown();
});

async function submit(request: SubmitCaseRequest): Promise<Case> {
  const response = await h.intake.submitCase(request);
  if (!response.case) throw new Error('SubmitCase answered without a case');
  return response.case;
}

/** The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`). */
function traceIdOf(traceparent: string | undefined): string {
  return /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '')?.[1] ?? '';
}

/** The trace context stored with the case's CaseSubmitted outbox row, as the relay sends it. */
async function outboxTraceId(caseId: string): Promise<string> {
  const rows = await h.database.pool.query<{ traceparent: string | null }>(
    `SELECT headers ->> 'traceparent' AS traceparent FROM outbox
      WHERE message_key = $1 AND headers ->> 'tongban-event-type' = $2`,
    [caseId, CaseSubmitted.$type],
  );
  expect(rows.rowCount).toBe(1);
  return traceIdOf(rows.rows[0]?.traceparent ?? undefined);
}

/** The trace context CaseSubmitted carries on intake's topic. */
async function publishedTraceId(caseId: string): Promise<string> {
  return eventually(async () => {
    const messages = await readTopic(testInfrastructure().kafkaBrokers, h.naming.events('intake'), {
      count: 1_000,
      timeoutMs: 1_000,
    });
    const submitted = messages.find(
      (message) =>
        message.key === caseId && message.headers['tongban-event-type'] === CaseSubmitted.$type,
    );
    expect(submitted).toBeDefined();
    return traceIdOf(submitted?.headers.traceparent);
  });
}

async function expectTracedLikeItsEvent(accepted: Case): Promise<void> {
  expect(accepted.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(accepted.traceId).not.toBe('0'.repeat(32));
  expect(await outboxTraceId(accepted.caseId)).toBe(accepted.traceId);
  expect(await publishedTraceId(accepted.caseId)).toBe(accepted.traceId);
  expect((await h.intake.getCase({ caseId: accepted.caseId })).case?.traceId).toBe(
    accepted.traceId,
  );
}

/** 李某's small eatery (seeds 000 and 002), with the result as an electronic licence. */
function cateringSubmit(overrides: Partial<SubmitCaseRequest> = {}): SubmitCaseRequest {
  return retireeSubmit({
    itemCode: 'SMALL_CATERING_LICENSE',
    applicant: {
      kind: ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: residentId('42900519800101123'),
      name: '李某',
      phone: '13700000000',
    },
    materials: [
      upload('APPLICATION_FORM', 'application/pdf', scan.pdf()),
      upload('BUSINESS_LICENSE', 'image/jpeg', scan.jpeg()),
      upload('PREMISES_LAYOUT', 'application/pdf', scan.pdf()),
      upload('HEALTH_CERTIFICATE', 'image/png', scan.png()),
    ],
    fields: { shop_name: '李记小吃', premises_address: '潜江市园林街道某路 1 号', seats: '20' },
    ...overrides,
  });
}

/** A pension transfer (养老保险关系转移) to 潜江, as the console shows a third item. */
function pensionSubmit(overrides: Partial<SubmitCaseRequest> = {}): SubmitCaseRequest {
  return retireeSubmit({
    itemCode: 'PENSION_TRANSFER',
    materials: [
      upload('ID_CARD', 'image/jpeg', scan.jpeg()),
      upload('TRANSFER_APPLICATION', 'application/pdf', scan.pdf()),
      upload('CONTRIBUTION_CERTIFICATE', 'application/pdf', scan.pdf()),
    ],
    fields: { transfer_from: '潜江市社会保险事业局' },
    ...overrides,
  });
}

/** A deposit certificate from 岳阳's housing fund, decided at once there. */
function depositCertificateSubmit(overrides: Partial<SubmitCaseRequest> = {}): SubmitCaseRequest {
  return retireeSubmit({
    handlingRegion: YUEYANG,
    itemCode: 'HPF_DEPOSIT_CERTIFICATE',
    materials: [upload('ID_CARD', 'image/jpeg', scan.jpeg())],
    fields: { account_number: '4306000001', purpose: 'HOUSE_PURCHASE_LOAN' },
    ...overrides,
  });
}

/** The handling region's reports from receipt to COMPLETED, completed at `completedAt`. */
function completedAt(caseId: string, at: Date) {
  return [
    forwarded(caseId),
    reported(caseId, S.CASE_STATUS_RECEIVED),
    reported(caseId, S.CASE_STATUS_UNDER_REVIEW),
    reported(caseId, S.CASE_STATUS_APPROVED),
    reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, { certificateId: `C-${caseId}` }),
    reported(caseId, S.CASE_STATUS_COMPLETED, { at }),
  ];
}

const list = (request: Partial<ListCasesRequest>) =>
  h.intake.listCases({
    statuses: [],
    handlingRegion: '',
    pageSize: 100,
    pageToken: '',
    query: '',
    overdueOnly: false,
    ...request,
  });

const ids = (cases: readonly Case[]) => cases.map((found) => found.caseId);

// ---------------------------------------------------------------------------------------------

describe('Case.trace_id', () => {
  it('is the trace of the request that accepted the case, as its CaseSubmitted carries it', async () => {
    const first = await submit(retireeSubmit());
    await expectTracedLikeItsEvent(first);
    // Another request, another trace.
    const second = await submit(retireeSubmit());
    await expectTracedLikeItsEvent(second);
    expect(second.traceId).not.toBe(first.traceId);
  });

  it('is the one trace of a bundle application for every case of it', async () => {
    const definition = regionFile(ORIGIN).bundles[0]!;
    const retiree = retireeSubmit();
    const bundle = (
      await h.intake.submitBundle(
        SubmitBundleRequest.fromPartial({
          bundleCode: definition.code,
          applicant: retiree.applicant,
          delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
          channel: Channel.CHANNEL_WINDOW,
          submittedBy: CLERK,
          parts: [
            {
              handlingRegion: HANDLER,
              itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
              materials: retiree.materials,
              fields: retiree.fields,
            },
            {
              handlingRegion: HANDLER,
              itemCode: 'PENSION_TRANSFER',
              materials: pensionSubmit().materials,
              fields: pensionSubmit().fields,
            },
            {
              handlingRegion: YUEYANG,
              itemCode: 'HPF_DEPOSIT_CERTIFICATE',
              materials: depositCertificateSubmit().materials,
              fields: depositCertificateSubmit().fields,
            },
          ],
        }),
      )
    ).bundle!;
    expect(bundle.cases).toHaveLength(3);
    for (const found of bundle.cases) {
      await expectTracedLikeItsEvent(found);
      expect(found.submittedBy).toBe(CLERK);
    }
    expect(new Set(bundle.cases.map((found) => found.traceId)).size).toBe(1);
  });

  it('is the trace of the acceptance for a renewal case', async () => {
    const original = await submit(cateringSubmit());
    const { caseId } = original;
    await h.publish(...completedAt(caseId, new Date()));
    await h.publish(
      noticed(caseId, {
        kind: K.TIMELINE_KIND_RENEWAL_OFFERED,
        renewal: {
          certificateId: `C-${caseId}`,
          validUntil: new Date('2029-11-21T16:00:00.000Z'),
          renewalItemCode: 'SMALL_CATERING_RENEWAL',
        },
      }),
    );
    const offer = await eventually(async () => {
      const offers = (await h.intake.listRenewalOffers({ openOnly: true })).offers;
      const found = offers.find((candidate) => candidate.caseId === caseId);
      expect(found).toBeDefined();
      return found!;
    });
    const renewal = (
      await h.intake.acceptRenewalOffer({
        offerId: offer.offerId,
        submittedBy: 'zmd-window-03',
        channel: Channel.CHANNEL_WINDOW,
        delivery: undefined,
        fields: { changed: 'NO' },
      })
    ).case!;
    await expectTracedLikeItsEvent(renewal);
    expect(renewal.traceId).not.toBe(original.traceId);
    expect(renewal.submittedBy).toBe('zmd-window-03');
  });
});

describe('ListCases: query and overdue_only', () => {
  // 欧阳 is nobody else's name in this file; the odd names keep LIKE's wildcards honest.
  const person = (name: string, body17: string) => ({
    kind: ApplicantKind.APPLICANT_KIND_PERSON,
    identifier: residentId(body17),
    name,
    phone: '',
  });
  const organization = {
    kind: ApplicantKind.APPLICANT_KIND_ORGANIZATION,
    identifier: creditCode('MA7K2P0B'),
    name: '驻马店欧阳建材有限公司',
    phone: '',
  };

  it('finds a case by number, by ID number or credit code, or by part of the name', async () => {
    const percent = await submit(
      retireeSubmit({ applicant: person('欧阳%一', '41170219900101001') }),
    );
    const underscore = await submit(
      retireeSubmit({ applicant: person('欧阳_二', '41170219900101002') }),
    );
    const plain = await submit(retireeSubmit({ applicant: person('欧阳三', '41170219900101003') }));
    const company = await submit(pensionSubmit({ applicant: organization }));

    // Newest first, like the unfiltered list.
    expect(ids((await list({ query: '欧阳' })).cases)).toEqual(
      ids([company, plain, underscore, percent]),
    );
    expect(ids((await list({ query: ' 欧阳三 ' })).cases)).toEqual([plain.caseId]);
    // % and _ are letters of the name, not wildcards.
    expect(ids((await list({ query: '%' })).cases)).toEqual([percent.caseId]);
    expect(ids((await list({ query: '阳_' })).cases)).toEqual([underscore.caseId]);
    // The case number exactly; a part of it is not a name.
    expect(ids((await list({ query: underscore.caseId })).cases)).toEqual([underscore.caseId]);
    expect((await list({ query: underscore.caseId.slice(0, 15) })).cases).toEqual([]);
    // The identifier exactly, whatever case the clerk types the letters in; not a part of it.
    expect(
      ids((await list({ query: ` ${organization.identifier.toLowerCase()} ` })).cases),
    ).toEqual([company.caseId]);
    expect(ids((await list({ query: plain.applicant!.identifier })).cases)).toEqual([plain.caseId]);
    expect((await list({ query: plain.applicant!.identifier.slice(0, 17) })).cases).toEqual([]);

    // With the other filters, page by page as without a query.
    expect(ids((await list({ query: '欧阳', handlingRegion: YUEYANG })).cases)).toEqual([]);
    const pages: string[] = [];
    let pageToken = '';
    do {
      const page = await list({ query: '欧阳', pageSize: 3, pageToken });
      pages.push(...ids(page.cases));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(pages).toEqual(ids([company, plain, underscore, percent]));

    const tooLong = await refusal(list({ query: '欧'.repeat(65) }));
    expect(tooLong.errorCode).toBe('INTAKE.QUERY_TOO_LONG');
  });

  it('lists only open cases the handling region reported overdue', async () => {
    const late = await submit(retireeSubmit({ applicant: person('欧阳晚', '41170219900101004') }));
    const withdrawn = await submit(
      retireeSubmit({ applicant: person('欧阳撤', '41170219900101005') }),
    );
    const onTime = await submit(
      retireeSubmit({ applicant: person('欧阳准', '41170219900101006') }),
    );
    for (const { caseId } of [late, withdrawn]) {
      await h.publish(
        forwarded(caseId),
        reported(caseId, S.CASE_STATUS_RECEIVED),
        reported(caseId, S.CASE_STATUS_UNDER_REVIEW),
        noticed(caseId, { kind: K.TIMELINE_KIND_OVERDUE }),
      );
      await h.caseWhen(caseId, (found) => found.overdue);
    }
    await h.intake.withdrawCase({
      caseId: withdrawn.caseId,
      reason: '不再办理',
      withdrawnBy: CLERK,
    });

    expect(ids((await list({ overdueOnly: true })).cases)).toEqual([late.caseId]);
    expect(ids((await list({ overdueOnly: true, query: '欧阳晚' })).cases)).toEqual([late.caseId]);
    expect((await list({ overdueOnly: true, query: onTime.caseId })).cases).toEqual([]);
    expect((await list({ overdueOnly: true, statuses: [S.CASE_STATUS_WITHDRAWN] })).cases).toEqual(
      [],
    );
    expect(
      ids((await list({ overdueOnly: true, statuses: [S.CASE_STATUS_UNDER_REVIEW] })).cases),
    ).toEqual([late.caseId]);
  });
});

describe('GetCaseStatistics', () => {
  it('counts the cases of a period by region, item, status and channel, with the handling time', async () => {
    const from = new Date();
    // Completed in 3 h, after it was reported overdue: counted as completed, not as overdue.
    const fast = await submit(retireeSubmit());
    await h.publish(
      forwarded(fast.caseId),
      noticed(fast.caseId, { kind: K.TIMELINE_KIND_OVERDUE }),
      ...completedAt(fast.caseId, new Date(fast.submittedAt!.getTime() + 3 * HOUR)).slice(1),
    );
    // Completed in 5 h, applied for online.
    const online = await submit(retireeSubmit({ channel: Channel.CHANNEL_ONLINE }));
    await h.publish(
      ...completedAt(online.caseId, new Date(online.submittedAt!.getTime() + 5 * HOUR)),
    );
    // Under review and overdue, from a self-service terminal.
    const overdue = await submit(pensionSubmit({ channel: Channel.CHANNEL_TERMINAL }));
    await h.publish(
      forwarded(overdue.caseId),
      reported(overdue.caseId, S.CASE_STATUS_RECEIVED),
      reported(overdue.caseId, S.CASE_STATUS_UNDER_REVIEW),
      noticed(overdue.caseId, { kind: K.TIMELINE_KIND_OVERDUE }),
    );
    // For 岳阳, withdrawn.
    const withdrawn = await submit(depositCertificateSubmit());
    await h.intake.withdrawCase({
      caseId: withdrawn.caseId,
      reason: '申请人不再办理',
      withdrawnBy: CLERK,
    });
    // Just submitted.
    const waiting = await submit(retireeSubmit());
    const to = new Date(Date.now() + 1);

    const completedFast = await h.caseWhen(
      fast.caseId,
      (found) => found.status === S.CASE_STATUS_COMPLETED,
    );
    expect(completedFast.completedAt).toEqual(new Date(fast.submittedAt!.getTime() + 3 * HOUR));
    expect(completedFast.overdue).toBe(true);
    await h.caseWhen(online.caseId, (found) => found.status === S.CASE_STATUS_COMPLETED);
    await h.caseWhen(overdue.caseId, (found) => found.overdue);

    const region = regionFile(ORIGIN);
    const regionName = (code: string) =>
      region.partners.find((partner) => partner.code === code)?.name;
    const statistics = await h.intake.getCaseStatistics({ from, to });
    expect(statistics).toEqual({
      total: 5,
      open: 2,
      completed: 2,
      overdueOpen: 1,
      averageHandlingMs: 4 * HOUR,
      byHandlingRegion: [
        { key: HANDLER, label: regionName(HANDLER), count: 4 },
        { key: YUEYANG, label: regionName(YUEYANG), count: 1 },
      ],
      byItem: [
        { key: 'HPF_RETIREMENT_WITHDRAWAL', label: fast.itemName, count: 3 },
        { key: 'HPF_DEPOSIT_CERTIFICATE', label: withdrawn.itemName, count: 1 },
        { key: 'PENSION_TRANSFER', label: overdue.itemName, count: 1 },
      ],
      byStatus: [
        { key: 'COMPLETED', label: '已办结', count: 2 },
        { key: 'SUBMITTED', label: '已受理', count: 1 },
        { key: 'UNDER_REVIEW', label: '审查中', count: 1 },
        { key: 'WITHDRAWN', label: '已撤回', count: 1 },
      ],
      byChannel: [
        { key: 'WINDOW', label: '窗口', count: 3 },
        { key: 'ONLINE', label: '网上', count: 1 },
        { key: 'TERMINAL', label: '自助终端', count: 1 },
      ],
    });
    expect(regionName(HANDLER)).toBeTruthy();
    expect(waiting.status).toBe(S.CASE_STATUS_SUBMITTED);

    // Without a period: every case of the region, as ListCases has them.
    const everything = await h.intake.getCaseStatistics({ from: undefined, to: undefined });
    const listed = (await list({ pageSize: 1_000 })).cases;
    expect(everything.total).toBe(listed.length);
    expect(everything.completed).toBe(
      listed.filter((found) => found.status === S.CASE_STATUS_COMPLETED).length,
    );
    for (const breakdown of [
      everything.byHandlingRegion,
      everything.byItem,
      everything.byStatus,
      everything.byChannel,
    ]) {
      expect(breakdown.reduce((sum, row) => sum + row.count, 0)).toBe(everything.total);
    }

    // A period without cases, and one that ends before it starts.
    expect(
      await h.intake.getCaseStatistics({
        from: new Date('2020-01-01T00:00:00Z'),
        to: new Date('2020-02-01T00:00:00Z'),
      }),
    ).toEqual({
      total: 0,
      open: 0,
      completed: 0,
      overdueOpen: 0,
      averageHandlingMs: 0,
      byHandlingRegion: [],
      byItem: [],
      byStatus: [],
      byChannel: [],
    });
    const backwards = await refusal(h.intake.getCaseStatistics({ from: to, to: from }));
    expect(backwards.errorCode).toBe('INTAKE.INVALID_PERIOD');
  });
});
