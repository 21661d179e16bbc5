// Handling as the seeds describe it, end to end across regions: every service of 411700, 429005
// and 430600 as real processes on real Kafka, PostgreSQL and Zipkin, mTLS between exchanges.
// One scenario per part of issue 4; the scenarios that let days pass (deadlines, expiring
// certificates) run last, because they restart services with a shifted clock.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaseStatus,
  DeliveryMethod,
  HandlingMode,
  ServiceList,
  TimelineKind,
  type TimelineEntry,
} from '@tongban/contracts/tongban/case/v1/case';
import {
  Certificate,
  VerificationResult,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { Envelope } from '@tongban/contracts/tongban/exchange/v1/exchange';
import {
  BundleStatus,
  type Case,
  type SubmitCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import {
  ExceptionState,
  Resolution,
  ShipmentKind,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import {
  Decision,
  ReportGrouping,
  TaskState,
  type ReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import { statusLabel } from '@tongban/domain';
import { pgExecutor } from '@tongban/persistence';
import { GrpcCallError } from '@tongban/service-kit';
import { decodeQrCode, eventually } from '@tongban/testing';
import { readLog, verifyLog } from '@tongban/trust';
import { Pool } from 'pg';
import { startRegionNetwork, type RegionNetwork } from '../pipeline/region-network';
import {
  application,
  jpeg,
  mp4,
  pdfs,
  pensionTransfer,
  residentId,
  retireeWithdrawal,
  statusesOf,
  waitForCase,
  waitForStatus,
  ZHUMADIAN_HOME,
} from './applications';

let network: RegionNetwork;
const DAY = 86_400_000;

beforeAll(async () => {
  network = await startRegionNetwork();
}, 240_000);

afterAll(async () => {
  await (network as RegionNetwork | undefined)?.stop();
}, 120_000);

const S = CaseStatus;

async function taskOf(caseId: string): Promise<ReviewTask> {
  return eventually(
    async () => {
      const { tasks } = await network
        .review('429005')
        .listTasks({ states: [], pageSize: 500, pageToken: '' });
      const task = tasks.find((candidate) => candidate.caseId === caseId);
      expect(task, `review task of ${caseId}`).toBeDefined();
      return task!;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GrpcCallError);
  return (error as GrpcCallError).errorCode ?? '';
}

function notices(found: Case, kind: TimelineKind): TimelineEntry[] {
  return found.timeline.filter((entry) => entry.kind === kind);
}

async function submit(origin: string, request: SubmitCaseRequest): Promise<string> {
  const { case: submitted } = await network.intake(origin).submitCase(request);
  expect(submitted?.caseId).toBeDefined();
  return submitted!.caseId;
}

describe('catalog depth: modes, surveys, delivery, time limits and seed 002’s lists', () => {
  it('publishes 429005’s items to 411700 with their handling and the lists they are on', async () => {
    const { catalog } = await network.directory('411700').getPartnerCatalog({ region: '429005' });
    const item = (code: string) => catalog?.items.find((candidate) => candidate.code === code);

    const funeral = item('FUNERAL_SUBSIDY');
    expect(funeral?.mode).toBe(HandlingMode.HANDLING_MODE_TWO_LEVEL);
    expect(funeral?.department).toBe('潜江市园林街道社会保障服务中心');
    expect(funeral?.approvalDepartment).toBe('潜江市民政局');
    expect(funeral?.preReviewWorkingDays).toBe(2);
    expect(funeral?.lists).toEqual([ServiceList.SERVICE_LIST_ZERO_VISIT]);

    const catering = item('SMALL_CATERING_LICENSE');
    expect(catering?.surveyRequired).toBe(true);
    expect(catering?.originalsRequired).toBe(true);
    expect(catering?.timeLimitWorkingDays).toBe(10);
    expect(catering?.deliveryMethods).toEqual([
      DeliveryMethod.DELIVERY_METHOD_ELECTRONIC,
      DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP,
      DeliveryMethod.DELIVERY_METHOD_MAIL,
    ]);

    expect(item('HPF_RETIREMENT_WITHDRAWAL')?.lists).toEqual([
      ServiceList.SERVICE_LIST_ZERO_VISIT,
      ServiceList.SERVICE_LIST_ON_THE_SPOT,
      ServiceList.SERVICE_LIST_SIMPLE_APPROVAL,
    ]);
    expect(item('PENSION_TRANSFER')?.lists).toEqual([
      ServiceList.SERVICE_LIST_ZERO_VISIT,
      ServiceList.SERVICE_LIST_SIMPLE_APPROVAL,
    ]);
    // Not agreed with 411700: never published to it.
    expect(item('FOOD_BUSINESS_LICENSE')).toBeUndefined();

    // The region's own board shows every item; the food licence is on no zero-visit list.
    const own = await network.directory('429005').getOwnCatalog({});
    const food = own.catalog?.items.find((candidate) => candidate.code === 'FOOD_BUSINESS_LICENSE');
    expect(food?.lists).toEqual([]);
  });
});

describe('秒批: instant rules as data', () => {
  it('records which rule decided and why, and a rule change never alters a past decision', async () => {
    const first = await submit('411700', retireeWithdrawal({ outstanding_loan: 'YES' }));
    const rejected = await waitForStatus(network, '411700', first, S.CASE_STATUS_REJECTED);
    expect(rejected.rejectionReason).toContain('尚有未结清的住房公积金贷款');
    const before = await taskOf(first);
    expect(before.rule).toBe('outstanding-loan');
    expect(before.ruleSetVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(before.ruleTrace.map((trace) => [trace.rule, trace.matched])).toEqual([
      ['organization-applicant', false],
      ['outstanding-loan', true],
    ]);
    expect(before.ruleTrace[1]?.conditions).toEqual([
      { condition: '“是否有未结清的住房公积金贷款”为“是”', held: true },
    ]);

    // 潜江 rewrites the rule's wording (a region file change, review restarted with it).
    const scratch = mkdtempSync(path.join(tmpdir(), 'tongban-rules-'));
    try {
      cpSync(path.join(__dirname, '../../deploy/regions'), scratch, { recursive: true });
      const file = path.join(scratch, '429005.yaml');
      const changedReason = '尚有未结清的住房公积金贷款，请先到潜江市住房公积金中心结清贷款。';
      const original = readFileSync(file, 'utf8');
      const changed = original.replace(
        /reason: 尚有未结清的住房公积金贷款[^\n]*/,
        `reason: ${changedReason}`,
      );
      expect(changed).not.toBe(original);
      writeFileSync(file, changed);
      await network.restart('429005', 'review', { REGIONS_DIR: scratch });

      const second = await submit('411700', retireeWithdrawal({ outstanding_loan: 'YES' }));
      const secondRejected = await waitForStatus(network, '411700', second, S.CASE_STATUS_REJECTED);
      expect(secondRejected.rejectionReason).toBe(changedReason);
      const after = await taskOf(second);
      expect(after.rule).toBe('outstanding-loan');
      expect(after.ruleSetVersion).not.toBe(before.ruleSetVersion);

      // The first decision reads as it was made.
      const again = await taskOf(first);
      expect(again.reason).toBe(before.reason);
      expect(again.ruleSetVersion).toBe(before.ruleSetVersion);
      expect(again.ruleTrace).toEqual(before.ruleTrace);
      const { case: firstAgain } = await network.intake('411700').getCase({ caseId: first });
      expect(firstAgain?.rejectionReason).toBe(rejected.rejectionReason);
    } finally {
      await network.restart('429005', 'review');
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('two-level review (seed 004): the town pre-reviews, the district approves', () => {
  it('needs a second staff account at the higher level, then sends the result to the origin window', async () => {
    const caseId = await submit(
      '411700',
      application({
        itemCode: 'FUNERAL_SUBSIDY',
        materials: pdfs(
          'DEATH_CERTIFICATE',
          'CREMATION_CERTIFICATE',
          'HOUSEHOLD_CANCELLATION',
          'APPLICANT_ID',
        ),
        fields: {
          deceased_name: '王老汉',
          deceased_id: residentId('19400101', 7),
          relation: '子女',
          bank_account: '6222000011113333',
        },
        delivery: { method: DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP, address: undefined },
      }),
    );
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_UNDER_REVIEW);
    const review = network.review('429005');
    const task = await taskOf(caseId);
    expect(task.mode).toBe(HandlingMode.HANDLING_MODE_TWO_LEVEL);
    expect(task.approvalDepartment).toBe('潜江市民政局');

    // The town cannot approve on its own: initial review first.
    expect(
      await refusal(
        review.decide({
          taskId: task.taskId,
          decision: Decision.DECISION_APPROVE,
          reason: '',
          reviewer: 'yl-town-1',
        }),
      ),
    ).toMatch(/^REVIEW\./);
    await review.passPreReview({
      taskId: task.taskId,
      reviewer: 'yl-town-1',
      note: '材料齐全，初审通过',
    });
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_PRE_REVIEWED);

    // … and whoever passed the initial review cannot also approve.
    expect(
      await refusal(
        review.decide({
          taskId: task.taskId,
          decision: Decision.DECISION_APPROVE,
          reason: '',
          reviewer: 'yl-town-1',
        }),
      ),
    ).toBe('REVIEW.SAME_REVIEWER');
    const unchanged = await taskOf(caseId);
    expect(unchanged.state).toBe(TaskState.TASK_STATE_PRE_REVIEWED);

    await review.decide({
      taskId: task.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-civil-affairs-1',
    });
    const decided = await taskOf(caseId);
    expect(decided.preReviewedBy).toBe('yl-town-1');
    expect(decided.decidedBy).toBe('qj-civil-affairs-1');

    // The paper result is mailed to the 驻马店 window, where the clerk hands it over.
    const delivered = await waitForStatus(network, '411700', caseId, S.CASE_STATUS_DELIVERED);
    const { shipments } = await network
      .logistics('429005')
      .listShipments({ caseId, openExceptionsOnly: false });
    expect(shipments.map((shipment) => [shipment.kind, shipment.address?.recipient])).toEqual([
      [ShipmentKind.SHIPMENT_KIND_RESULT, '驻马店市民中心跨省通办窗口'],
    ]);
    expect(statusesOf(delivered)).toEqual([
      S.CASE_STATUS_SUBMITTED,
      S.CASE_STATUS_FORWARDED,
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_PRE_REVIEWED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_CERTIFICATE_ISSUED,
      S.CASE_STATUS_DISPATCHED,
      S.CASE_STATUS_DELIVERED,
    ]);
    const { case: completed } = await network
      .intake('411700')
      .handOverResult({ caseId, handedOverBy: 'zmd-window-01' });
    expect(completed?.status).toBe(S.CASE_STATUS_COMPLETED);
  });
});

describe('补正: a reviewer asks for materials, the origin window hands them in', () => {
  it('pauses the clock while the applicant is asked and resumes it after', async () => {
    const caseId = await submit('411700', pensionTransfer());
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_UNDER_REVIEW);
    const review = network.review('429005');
    const task = await taskOf(caseId);
    const dueBefore = task.clock?.dueAt;
    expect(dueBefore).toBeInstanceOf(Date);

    await review.requestSupplement({
      taskId: task.taskId,
      materials: [
        {
          code: 'CONTRIBUTION_CERTIFICATE',
          name: '参保缴费凭证',
          reason: '扫描件模糊，缴费月份无法辨认',
        },
      ],
      note: '请补交清晰的参保缴费凭证',
      reviewer: 'qj-reviewer-1',
    });
    const asked = await waitForStatus(
      network,
      '411700',
      caseId,
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
    );
    expect(asked.openSupplement?.round).toBe(1);
    expect(asked.openSupplement?.materials.map((material) => material.code)).toEqual([
      'CONTRIBUTION_CERTIFICATE',
    ]);
    expect((await taskOf(caseId)).clock?.paused).toBe(true);

    // A supplement of something nobody asked for is refused and changes nothing.
    const intake = network.intake('411700');
    expect(
      await refusal(
        intake.submitSupplement({
          caseId,
          round: 1,
          materials: pdfs('ID_CARD'),
          note: '',
          submittedBy: 'zmd-window-01',
        }),
      ),
    ).toMatch(/^INTAKE\./);

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const clearer = Buffer.from(
      '%PDF-1.4\n% clearer scan of the contribution certificate\n%%EOF\n',
    );
    const { case: handedIn } = await intake.submitSupplement({
      caseId,
      round: 1,
      materials: [
        {
          code: 'CONTRIBUTION_CERTIFICATE',
          name: '参保缴费凭证',
          contentType: 'application/pdf',
          content: clearer,
        },
      ],
      note: '已补交清晰扫描件',
      submittedBy: 'zmd-window-01',
    });
    // The window sees at once that its answer went out, before 429005 confirms it.
    expect(notices(handedIn!, TimelineKind.TIMELINE_KIND_REPLY_SUBMITTED)).toHaveLength(1);
    const back = await waitForStatus(network, '411700', caseId, S.CASE_STATUS_SUPPLEMENTED);
    expect(back.openSupplement).toBeUndefined();

    const resumed = await taskOf(caseId);
    expect(resumed.state).toBe(TaskState.TASK_STATE_OPEN);
    expect(resumed.clock?.paused).toBe(false);
    expect(resumed.supplements).toHaveLength(1);
    expect(resumed.supplements[0]?.materials.map((material) => material.code)).toEqual([
      'CONTRIBUTION_CERTIFICATE',
    ]);
    // The time the applicant needed is added to the deadline (never taken from it).
    expect(resumed.clock!.dueAt!.getTime()).toBeGreaterThanOrEqual(dueBefore!.getTime());

    await review.decide({
      taskId: task.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-reviewer-1',
    });
    const done = await waitForStatus(network, '411700', caseId, S.CASE_STATUS_COMPLETED);
    expect(statusesOf(done)).toEqual([
      S.CASE_STATUS_SUBMITTED,
      S.CASE_STATUS_FORWARDED,
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SUPPLEMENTED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_CERTIFICATE_ISSUED,
      S.CASE_STATUS_COMPLETED,
    ]);
  });
});

let cateringCaseId = '';

describe('远程踏勘 and 邮寄办 both ways (seed 000)', () => {
  it('surveys remotely with hashed media, collects the originals by mail and mails the licence back', async () => {
    const caseId = await submit(
      '411700',
      application({
        itemCode: 'SMALL_CATERING_LICENSE',
        materials: pdfs(
          'APPLICATION_FORM',
          'BUSINESS_LICENSE',
          'PREMISES_LAYOUT',
          'HEALTH_CERTIFICATE',
        ),
        fields: {
          shop_name: '老王家常菜',
          premises_address: '潜江市园林街道章华中路8号',
          seats: '30',
        },
        delivery: { method: DeliveryMethod.DELIVERY_METHOD_MAIL, address: ZHUMADIAN_HOME },
        materialsPickup: ZHUMADIAN_HOME,
      }),
    );
    cateringCaseId = caseId;
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_UNDER_REVIEW);
    const review = network.review('429005');
    const intake = network.intake('411700');
    const task = await taskOf(caseId);
    expect(task.surveyRequired).toBe(true);

    const checkpoints = [
      { code: 'KITCHEN', description: '后厨全景，含排烟设施' },
      { code: 'DINING', description: '就餐区全景' },
    ];
    await review.requestSurvey({
      taskId: task.taskId,
      checkpoints,
      note: '请拍摄以下位置',
      reviewer: 'qj-market-1',
    });
    const asked = await waitForStatus(network, '411700', caseId, S.CASE_STATUS_SURVEY_REQUIRED);
    expect(asked.openSurvey?.checkpoints.map((checkpoint) => checkpoint.code)).toEqual([
      'KITCHEN',
      'DINING',
    ]);

    // A photo "taken" before the request is refused: the evidence must be fresh.
    const requestedAt = asked.openSurvey!.requestedAt!;
    expect(
      await refusal(
        intake.submitSurveyMedia({
          caseId,
          round: 1,
          media: [
            {
              checkpoint: 'KITCHEN',
              contentType: 'image/jpeg',
              content: jpeg('old kitchen'),
              capturedAt: new Date(requestedAt.getTime() - DAY),
              description: '',
            },
            {
              checkpoint: 'DINING',
              contentType: 'image/jpeg',
              content: jpeg('old dining'),
              capturedAt: new Date(requestedAt.getTime() - DAY),
              description: '',
            },
          ],
          submittedBy: 'zmd-window-01',
        }),
      ),
    ).toMatch(/^INTAKE\./);

    const now = () => new Date();
    const round1 = [
      {
        checkpoint: 'KITCHEN',
        contentType: 'image/jpeg',
        content: jpeg('kitchen, round 1'),
        capturedAt: now(),
        description: '后厨',
      },
      {
        checkpoint: 'DINING',
        contentType: 'video/mp4',
        content: mp4('dining, round 1'),
        capturedAt: now(),
        description: '就餐区视频',
      },
    ];
    await intake.submitSurveyMedia({
      caseId,
      round: 1,
      media: round1,
      submittedBy: 'zmd-window-01',
    });
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_SURVEYED);

    // The hood is not visible: the reviewer asks again.
    const surveyed = await taskOf(caseId);
    expect(surveyed.surveys[0]?.media.map((medium) => medium.checkpoint)).toEqual([
      'KITCHEN',
      'DINING',
    ]);
    await review.requestSurvey({
      taskId: task.taskId,
      checkpoints: [{ code: 'HOOD', description: '排烟罩近景' }],
      note: '排烟罩未拍清',
      reviewer: 'qj-market-1',
    });
    await waitForCase(
      network,
      '411700',
      caseId,
      (found) => found.openSurvey?.round === 2,
      'round 2 asked',
    );
    const round2 = [
      {
        checkpoint: 'HOOD',
        contentType: 'image/jpeg',
        content: jpeg('hood, round 2'),
        capturedAt: now(),
        description: '排烟罩',
      },
    ];
    await intake.submitSurveyMedia({
      caseId,
      round: 2,
      media: round2,
      submittedBy: 'zmd-window-01',
    });
    await waitForCase(
      network,
      '411700',
      caseId,
      (found) => found.status === S.CASE_STATUS_SURVEYED && found.openSurvey === undefined,
      'round 2 surveyed',
    );
    await eventually(
      async () => {
        expect((await taskOf(caseId)).surveys[1]?.media).toHaveLength(1);
      },
      { timeoutMs: 30_000 },
    );
    await review.acceptSurvey({ taskId: task.taskId, round: 2, reviewer: 'qj-market-1' });
    await waitForCase(
      network,
      '411700',
      caseId,
      (found) => notices(found, TimelineKind.TIMELINE_KIND_SURVEY_EVIDENCE).length > 0,
      'survey accepted notice',
    );

    // Every medium is hashed into both regions' message logs, and both chains verify.
    const withHashes = await Promise.all(
      ['411700', '429005'].map(async (region) => {
        const pool = new Pool({
          connectionString: network.databaseUrl(region, 'exchange'),
          max: 1,
        });
        try {
          expect((await verifyLog(pgExecutor(pool))).ok).toBe(true);
          const entries = await readLog(pgExecutor(pool), { limit: 10_000 });
          return entries
            .filter((entry) => entry.caseId === caseId)
            .flatMap(
              (entry) => Envelope.decode(entry.envelope.envelope).surveyEvidence?.media ?? [],
            )
            .map((medium) => medium.sha256);
        } finally {
          await pool.end();
        }
      }),
    );
    const { createHash } = await import('node:crypto');
    const expected = [...round1, ...round2].map((medium) =>
      createHash('sha256').update(medium.content).digest('hex'),
    );
    for (const hashes of withHashes)
      expect([...new Set(hashes)].sort()).toEqual([...expected].sort());

    // Pre-review passes: the carrier collects the originals at the applicant's home.
    await review.passPreReview({ taskId: task.taskId, reviewer: 'qj-market-1', note: '' });
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_PRE_REVIEWED);
    const pickup = await eventually(
      async () => {
        const { shipments } = await network
          .logistics('429005')
          .listShipments({ caseId, openExceptionsOnly: false });
        const found = shipments.find(
          (shipment) => shipment.kind === ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
        );
        expect(found).toBeDefined();
        return found!;
      },
      { timeoutMs: 30_000 },
    );
    expect(pickup.trackingNumber).toMatch(/SIM\d{12}/);
    await waitForCase(
      network,
      '411700',
      caseId,
      (found) => notices(found, TimelineKind.TIMELINE_KIND_HANDOVER).length > 0,
      'originals delivered to the department',
    );

    await review.decide({
      taskId: task.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-market-2',
    });
    const completed = await waitForStatus(network, '411700', caseId, S.CASE_STATUS_COMPLETED);
    expect(statusesOf(completed)).toEqual([
      S.CASE_STATUS_SUBMITTED,
      S.CASE_STATUS_FORWARDED,
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_SURVEYED,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_SURVEYED,
      S.CASE_STATUS_PRE_REVIEWED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_CERTIFICATE_ISSUED,
      S.CASE_STATUS_DISPATCHED,
      S.CASE_STATUS_DELIVERED,
      S.CASE_STATUS_COMPLETED,
    ]);
    // Carrier scans of both parcels are on the window's timeline.
    const tracking = notices(completed, TimelineKind.TIMELINE_KIND_TRACKING);
    expect(tracking.some((entry) => entry.note.includes(pickup.trackingNumber))).toBe(true);
    expect(tracking.length).toBeGreaterThanOrEqual(2);
  });

  it('turns a lost parcel into an exception a person resolves by sending it again', async () => {
    const lostAddress = { ...ZHUMADIAN_HOME, line: `${ZHUMADIAN_HOME.line} [LOST]` };
    const caseId = await submit(
      '411700',
      pensionTransfer({
        delivery: { method: DeliveryMethod.DELIVERY_METHOD_MAIL, address: lostAddress },
      }),
    );
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_UNDER_REVIEW);
    const task = await taskOf(caseId);
    await network.review('429005').decide({
      taskId: task.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-reviewer-1',
    });

    const flagged = await waitForCase(
      network,
      '411700',
      caseId,
      (found) => found.mailException,
      'mail exception shown',
      120_000,
    );
    expect(flagged.status).toBe(S.CASE_STATUS_DISPATCHED);
    expect(notices(flagged, TimelineKind.TIMELINE_KIND_MAIL_EXCEPTION)).toHaveLength(1);

    const logistics = network.logistics('429005');
    const { shipments } = await logistics.listShipments({ caseId: '', openExceptionsOnly: true });
    const lost = shipments.find((shipment) => shipment.caseId === caseId);
    expect(lost?.exception).toBe(ExceptionState.EXCEPTION_STATE_OPEN);
    // Resolving needs a staff account: refused, nothing changes.
    expect(
      await refusal(
        logistics.resolveException({
          shipmentId: lost!.shipmentId,
          resolution: Resolution.RESOLUTION_RESEND,
          note: '地址已核实',
          resolvedBy: '',
          address: ZHUMADIAN_HOME,
        }),
      ),
    ).toMatch(/^LOGISTICS\./);
    const { replacement } = await logistics.resolveException({
      shipmentId: lost!.shipmentId,
      resolution: Resolution.RESOLUTION_RESEND,
      note: '电话联系申请人核实地址后重新寄送',
      resolvedBy: 'qj-logistics-1',
      address: ZHUMADIAN_HOME,
    });
    expect(replacement?.trackingNumber).not.toBe(lost?.trackingNumber);

    const completed = await waitForStatus(
      network,
      '411700',
      caseId,
      S.CASE_STATUS_COMPLETED,
      120_000,
    );
    expect(completed.mailException).toBe(false);
    expect(notices(completed, TimelineKind.TIMELINE_KIND_MAIL_EXCEPTION_RESOLVED)).toHaveLength(1);
  });
});

describe('帮代办: an agent applies for the applicant', () => {
  it('records the agent and the authorization on the case in both regions', async () => {
    const agent = {
      name: '王小红',
      identifier: residentId('19880808', 808),
      phone: '13900000000',
      relation: '子女',
      authorizationMaterial: 'AUTHORIZATION',
    };
    const base = retireeWithdrawal();
    const withAuthorization = {
      ...base,
      agent,
      materials: [...base.materials, ...pdfs('AUTHORIZATION')],
    };

    // Without the authorization document, or as their own agent: refused, nothing recorded.
    expect(
      await refusal(
        network
          .intake('411700')
          .submitCase({ ...base, agent, idempotencyKey: `${base.idempotencyKey}-a` }),
      ),
    ).toMatch(/^INTAKE\./);
    expect(
      await refusal(
        network.intake('411700').submitCase({
          ...withAuthorization,
          idempotencyKey: `${base.idempotencyKey}-b`,
          agent: { ...agent, identifier: base.applicant!.identifier },
        }),
      ),
    ).toMatch(/^INTAKE\./);

    const caseId = await submit('411700', withAuthorization);
    const completed = await waitForStatus(network, '411700', caseId, S.CASE_STATUS_COMPLETED);
    expect(completed.agent?.name).toBe('王小红');
    expect(completed.agent?.relation).toBe('子女');
    expect(completed.materials.map((material) => material.code)).toContain('AUTHORIZATION');
    const task = await taskOf(caseId);
    expect(task.agent?.name).toBe('王小红');
    expect(task.materials.map((material) => material.code)).toContain('AUTHORIZATION');
    // The agent's ID number is personal data: it never appears in any service's log.
    expect(network.logs.filter((line) => line.includes(agent.identifier))).toEqual([]);
  });
});

describe('一件事: one application, linked cases in two partner regions', () => {
  it('completes the bundle when every case completed, with one timeline of all of them', async () => {
    const intake = network.intake('411700');
    const { bundles } = await intake.listBundleDefinitions({});
    const definition = bundles.find((bundle) => bundle.code === 'RELOCATION_HOME');
    expect(definition?.items.map((item) => `${item.handlingRegion}/${item.itemCode}`)).toEqual([
      '429005/HPF_RETIREMENT_WITHDRAWAL',
      '429005/PENSION_TRANSFER',
      '430600/HPF_DEPOSIT_CERTIFICATE',
    ]);
    const withdrawal = retireeWithdrawal();
    const pension = pensionTransfer();
    const deposit = await network.directory('411700').getPartnerCatalog({ region: '430600' });
    const depositItem = deposit.catalog?.items.find(
      (item) => item.code === 'HPF_DEPOSIT_CERTIFICATE',
    );
    expect(depositItem).toBeDefined();
    const depositFields = { account_number: '4306000001', purpose: 'HOUSE_PURCHASE_LOAN' };
    const parts = [
      {
        handlingRegion: '429005',
        itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
        materials: withdrawal.materials,
        fields: withdrawal.fields,
      },
      {
        handlingRegion: '429005',
        itemCode: 'PENSION_TRANSFER',
        materials: pension.materials,
        fields: pension.fields,
      },
      {
        handlingRegion: '430600',
        itemCode: 'HPF_DEPOSIT_CERTIFICATE',
        materials: pdfs(
          ...depositItem!.materials
            .filter((material) => material.mandatory)
            .map((material) => material.code),
        ),
        fields: depositFields,
      },
    ];
    const shared = {
      idempotencyKey: `e2e-bundle-${String(Date.now())}`,
      bundleCode: 'RELOCATION_HOME',
      applicant: withdrawal.applicant,
      agent: undefined,
      delivery: withdrawal.delivery,
      channel: withdrawal.channel,
      submittedBy: 'zmd-window-01',
      materialsPickup: undefined,
    };

    // One bad part refuses the whole bundle: no case is created.
    const countCases = async () =>
      (
        await intake.listCases({
          statuses: [],
          handlingRegion: '',
          pageSize: 200,
          pageToken: '',
          query: '',
          overdueOnly: false,
        })
      ).cases.length;
    const before = await countCases();
    expect(
      await refusal(
        intake.submitBundle({
          ...shared,
          idempotencyKey: `${shared.idempotencyKey}-bad`,
          parts: [parts[0]!, { ...parts[1]!, materials: [] }, parts[2]!],
        }),
      ),
    ).toMatch(/^INTAKE\./);
    expect(await countCases()).toBe(before);

    const { bundle } = await intake.submitBundle({ ...shared, parts });
    expect(bundle?.cases).toHaveLength(3);
    const pensionCase = bundle!.cases.find((found) => found.itemCode === 'PENSION_TRANSFER')!;
    await waitForStatus(network, '411700', pensionCase.caseId, S.CASE_STATUS_UNDER_REVIEW);
    const task = await taskOf(pensionCase.caseId);
    await network.review('429005').decide({
      taskId: task.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-reviewer-1',
    });

    const completed = await eventually(
      async () => {
        const { bundle: found } = await intake.getBundle({ bundleId: bundle!.bundleId });
        expect(found?.status).toBe(BundleStatus.BUNDLE_STATUS_COMPLETED);
        return found!;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(new Set(completed.cases.map((found) => found.handlingRegion))).toEqual(
      new Set(['429005', '430600']),
    );
    expect(completed.cases.every((found) => found.bundleId === bundle!.bundleId)).toBe(true);
    const caseIds = new Set(completed.timeline.map((entry) => entry.caseId));
    expect(caseIds).toEqual(new Set(completed.cases.map((found) => found.caseId)));
    const times = completed.timeline.map((entry) => entry.at!.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('certificates that remind (无感智办, seed 001), verify by code and print with a QR code', () => {
  it('prints a QR code that verifies, reminds ahead of expiry with a pre-filled renewal, and shows a revocation', async () => {
    expect(cateringCaseId).not.toBe('');
    const { case: licensed } = await network.intake('411700').getCase({ caseId: cateringCaseId });
    const certificate = Certificate.decode(licensed!.certificate);

    // The printed page carries a QR code with the verification code, and the code verifies.
    const rendered = await network
      .certificate('429005')
      .renderCertificate({ certificateId: licensed!.certificateId, certificate: undefined });
    expect(rendered.html).toContain('小餐饮经营许可证');
    // Read the printed page's QR code as a phone would.
    expect(decodeQrCode(rendered.html)).toBe(rendered.qrPayload);
    const code = new URL(rendered.qrPayload.replace('tongban:', 'tongban://x/')).searchParams.get(
      'code',
    );
    // Printed in groups of four for reading aloud at the window.
    expect(rendered.html).toContain(code!.match(/.{1,4}/g)!.join('-'));
    // The code is looked up in the issuer's library, where the QR code's `issuer` points.
    const byCode = await network.certificate('429005').verifyCertificate({
      certificate: undefined,
      code: { issuerRegion: '429005', verificationCode: code! },
    });
    expect(byCode.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
    expect(byCode.decoded?.caseId).toBe(cateringCaseId);

    // 1 070 days later the licence (3 years) is a month from expiry: 429005 reminds, 411700 offers.
    await network.restart('429005', 'certificate', { CLOCK_OFFSET_DAYS: '1070' });
    const offered = await waitForCase(
      network,
      '411700',
      cateringCaseId,
      (found) => notices(found, TimelineKind.TIMELINE_KIND_RENEWAL_OFFERED).length > 0,
      'renewal offered',
    );
    expect(offered.status).toBe(S.CASE_STATUS_COMPLETED);
    await network.restart('429005', 'certificate');
    const intake = network.intake('411700');
    const { offers } = await intake.listRenewalOffers({ openOnly: true });
    const offer = offers.find((candidate) => candidate.caseId === cateringCaseId);
    expect(offer?.itemCode).toBe('SMALL_CATERING_RENEWAL');
    expect(offer?.certificateId).toBe(licensed!.certificateId);

    const { case: renewal } = await intake.acceptRenewalOffer({
      offerId: offer!.offerId,
      submittedBy: 'zmd-window-01',
      channel: licensed!.channel,
      delivery: undefined,
      fields: { changed: 'NO' },
    });
    expect(renewal?.renewsCertificateId).toBe(licensed!.certificateId);
    expect(renewal?.fields).toMatchObject({
      previous_certificate_id: licensed!.certificateId,
      shop_name: '老王家常菜',
      seats: '30',
      changed: 'NO',
    });
    const renewed = await waitForStatus(
      network,
      '411700',
      renewal!.caseId,
      S.CASE_STATUS_COMPLETED,
    );
    expect(renewed.certificateId).not.toBe(licensed!.certificateId);

    // The old licence is revoked by its issuer: the window sees it, and verification says so.
    await network.certificate('429005').revokeCertificate({
      certificateId: licensed!.certificateId,
      reason: '已延续换发新证',
      revokedBy: 'qj-market-1',
    });
    await waitForCase(
      network,
      '411700',
      cateringCaseId,
      (found) => notices(found, TimelineKind.TIMELINE_KIND_CERTIFICATE_REVOKED).length > 0,
      'revocation shown',
    );
    const revoked = await network
      .certificate('411700')
      .verifyCertificate({ certificate, code: undefined });
    expect(revoked.result).toBe(VerificationResult.VERIFICATION_RESULT_REVOKED);
  });
});

describe('the SLA clock: working days, a warning at 80%, overdue, and the on-time rate', () => {
  it('warns the origin window at 80% of the time limit, then reports the case overdue', async () => {
    const caseId = await submit('411700', pensionTransfer());
    const started = await waitForStatus(network, '411700', caseId, S.CASE_STATUS_UNDER_REVIEW);
    const task = await taskOf(caseId);
    const due = task.clock!.dueAt!;
    // The origin knows the handling region's deadline.
    expect(started.dueAt?.getTime()).toBe(due.getTime());
    // 15 working days counted from the day after receipt: three weeks, less at most the rest of
    // the day of receipt when that was a weekend day — never under 19 calendar days.
    expect(due.getTime() - task.receivedAt!.getTime()).toBeGreaterThanOrEqual(19 * DAY);

    // Let days pass at 429005's review until 80% of the time is used, not yet all of it.
    const warnAt = task.receivedAt!.getTime() + 0.8 * (due.getTime() - task.receivedAt!.getTime());
    const warnOffset = Math.ceil((warnAt - Date.now()) / DAY) + 1;
    expect(Date.now() + warnOffset * DAY).toBeLessThan(due.getTime());
    await network.restart('429005', 'review', { CLOCK_OFFSET_DAYS: String(warnOffset) });
    const warned = await waitForCase(
      network,
      '411700',
      caseId,
      (found) => notices(found, TimelineKind.TIMELINE_KIND_DEADLINE_APPROACHING).length > 0,
      'deadline warning',
    );
    expect(warned.overdue).toBe(false);

    const overdueOffset = Math.ceil((due.getTime() - Date.now()) / DAY) + 1;
    await network.restart('429005', 'review', { CLOCK_OFFSET_DAYS: String(overdueOffset) });
    const overdue = await waitForCase(
      network,
      '411700',
      caseId,
      (found) => found.overdue,
      'overdue',
    );
    expect(notices(overdue, TimelineKind.TIMELINE_KIND_OVERDUE)).toHaveLength(1);
    expect(notices(overdue, TimelineKind.TIMELINE_KIND_DEADLINE_APPROACHING)).toHaveLength(1);

    const review = network.review('429005');
    const openReport = await review.getOnTimeReport({
      grouping: ReportGrouping.REPORT_GROUPING_ITEM,
      from: undefined,
      to: undefined,
    });
    const pensionRow = openReport.rows.find((row) => row.key === 'PENSION_TRANSFER');
    expect(pensionRow?.openOverdue).toBeGreaterThanOrEqual(1);

    // Decided late: the item's on-time rate drops below 100%.
    await review.decide({
      taskId: task.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-reviewer-1',
    });
    await waitForStatus(network, '411700', caseId, S.CASE_STATUS_COMPLETED);
    const report = await review.getOnTimeReport({
      grouping: ReportGrouping.REPORT_GROUPING_DEPARTMENT,
      from: undefined,
      to: undefined,
    });
    const department = report.rows.find((row) => row.key === '潜江市人力资源和社会保障局');
    expect(department?.decided).toBeGreaterThan(department!.decidedOnTime);
    expect(department!.onTimeRate).toBeLessThan(1);
    const byOrigin = await review.getOnTimeReport({
      grouping: ReportGrouping.REPORT_GROUPING_ORIGIN_REGION,
      from: undefined,
      to: undefined,
    });
    expect(byOrigin.rows.map((row) => row.key)).toContain('411700');
    expect(byOrigin.total?.decided).toBeGreaterThanOrEqual(department!.decided);
    console.log(
      `on-time report of 429005: ${report.rows.map((row) => `${row.label} ${String(row.decidedOnTime)}/${String(row.decided)}`).join('; ')}`,
    );
    await network.restart('429005', 'review');
    expect(statusLabel(S.CASE_STATUS_PRE_REVIEWED)).toBe('预审通过');
  });
});
