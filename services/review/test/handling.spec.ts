import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaseApproved,
  CaseRejected,
  PreReviewPassed,
  ReviewStarted,
  SupplementReceived,
  SupplementRequested,
  SurveyAccepted,
  SurveyEvidenceReceived,
  SurveyRequested,
} from '@tongban/contracts/tongban/review/v1/events';
import {
  Decision,
  ReviewLevel,
  TaskState,
  type ReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import { HandlingMode } from '@tongban/contracts/tongban/case/v1/case';
import { loadHolidayCalendar, slaDeadline, slaUsedMs } from '@tongban/domain';
import { migrateServiceDatabase } from '@tongban/service-kit';
import {
  createIsolatedDatabase,
  eventually,
  uniqueTopicPrefix,
  type IsolatedDatabase,
} from '@tongban/testing';
import {
  CaseStatus,
  caseReceived,
  DAY,
  ExchangeStub,
  HOUR,
  refusal,
  REGION,
  remoteStatusChanged,
  ReviewEventLog,
  startReview,
  supplementArrived,
  surveyMediaArrived,
  TestClock,
  zhumadianHome,
  type Review,
  type RunningReview,
} from './support';

// Tuesday 1 December 2026, 09:00 in China: a plain working week, no holiday near.
const T0 = new Date('2026-12-01T01:00:00Z');
const calendar = loadHolidayCalendar();

let database: IsolatedDatabase;
let service: RunningReview;
let review: Review;
let exchange: ExchangeStub;
let log: ReviewEventLog;
const clock = new TestClock(T0);

beforeAll(async () => {
  database = await createIsolatedDatabase({ purpose: 'review_handling' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  const prefix = uniqueTopicPrefix();
  exchange = await ExchangeStub.start(prefix);
  log = await ReviewEventLog.start(prefix);
  service = await startReview({ databaseUrl: database.url, prefix, clock });
  review = service.review;
});

afterAll(async () => {
  await service.stop();
  await log.stop();
  await exchange.stop();
  await database.drop();
});

/** Publishes a received case and waits for its task; returns the task as first seen. */
async function receive(options: Parameters<typeof caseReceived>[0]): Promise<ReviewTask> {
  const event = caseReceived(options);
  await exchange.publish(event);
  const started = await log.payload(event.metadata.caseId, ReviewStarted);
  return (await review.getTask({ taskId: started.taskId })).task!;
}

async function task(taskId: string): Promise<ReviewTask> {
  return (await review.getTask({ taskId })).task!;
}

const pensionMaterials = ['ID_CARD', 'TRANSFER_APPLICATION', 'CONTRIBUTION_CERTIFICATE'];
const funeral = {
  itemCode: 'FUNERAL_SUBSIDY',
  fields: {
    deceased_name: '李某某',
    deceased_id: '429005194001010000',
    relation: '子女',
    bank_account: '6222000011113333',
  },
  materials: [
    'DEATH_CERTIFICATE',
    'CREMATION_CERTIFICATE',
    'HOUSEHOLD_CANCELLATION',
    'APPLICANT_ID',
  ],
};
const catering = {
  itemCode: 'SMALL_CATERING_LICENSE',
  fields: { shop_name: '李记小吃', premises_address: '潜江市园林街道章华路 8 号', seats: '30' },
  materials: ['APPLICATION_FORM', 'BUSINESS_LICENSE', 'PREMISES_LAYOUT', 'HEALTH_CERTIFICATE'],
};

describe('a STANDARD item', () => {
  it('opens with its clock from receipt, is pre-reviewed and then decided by a reviewer', async () => {
    clock.set(T0);
    const opened = await receive({
      itemCode: 'PENSION_TRANSFER',
      receivedAt: T0,
      materials: pensionMaterials,
    });
    const due = slaDeadline({ startedAt: T0, limitWorkingDays: 15, pauses: [] }, calendar);
    expect(opened).toMatchObject({
      state: TaskState.TASK_STATE_OPEN,
      mode: HandlingMode.HANDLING_MODE_STANDARD,
      department: '潜江市人力资源和社会保障局',
      approvalDepartment: '',
      surveyRequired: false,
      level: ReviewLevel.REVIEW_LEVEL_INITIAL,
      dueAt: due,
      clock: {
        timeLimitWorkingDays: 15,
        startedAt: T0,
        dueAt: due,
        paused: false,
        preReviewDueAt: slaDeadline({ startedAt: T0, limitWorkingDays: 2, pauses: [] }, calendar),
      },
    });
    const started = await log.payload(opened.caseId, ReviewStarted);
    expect(started.dueAt).toEqual(due);

    clock.set(new Date(T0.getTime() + 3 * HOUR));
    const preReviewed = await review.passPreReview({
      taskId: opened.taskId,
      reviewer: 'qj-hr-01',
      note: '材料齐全',
    });
    expect(preReviewed.task).toMatchObject({
      state: TaskState.TASK_STATE_PRE_REVIEWED,
      preReviewedBy: 'qj-hr-01',
      preReviewedAt: clock.now(),
      level: ReviewLevel.REVIEW_LEVEL_INITIAL,
    });
    const passed = await log.payload(opened.caseId, PreReviewPassed);
    expect(passed).toMatchObject({
      caseId: opened.caseId,
      originRegion: '411700',
      reviewer: 'qj-hr-01',
      note: '材料齐全',
      itemCode: 'PENSION_TRANSFER',
    });
    // The item needs no originals: nothing for the carrier to collect.
    expect(passed.materialsPickup).toBeUndefined();

    const again = await refusal(
      review.passPreReview({ taskId: opened.taskId, reviewer: 'qj-hr-01', note: '' }),
    );
    expect(again).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'REVIEW.ILLEGAL_STATE',
    });
    expect(again.message).toMatch(
      /预审通过.*当前可以：要求补正、要求远程踏勘、认可踏勘材料、准予办理、不予办理/,
    );

    // In a STANDARD item the one who pre-reviewed may also decide.
    const decided = await review.decide({
      taskId: opened.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-hr-01',
    });
    expect(decided.task).toMatchObject({
      state: TaskState.TASK_STATE_APPROVED,
      decidedBy: 'qj-hr-01',
      decidedAt: clock.now(),
      level: ReviewLevel.REVIEW_LEVEL_UNSPECIFIED,
    });
    expect(await log.until(opened.caseId, CaseApproved)).toEqual([
      ReviewStarted.$type,
      PreReviewPassed.$type,
      CaseApproved.$type,
    ]);
  });

  it('lets two clicks on the same action act once', async () => {
    clock.set(T0);
    const opened = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    const outcomes = await Promise.allSettled([
      review.passPreReview({ taskId: opened.taskId, reviewer: 'qj-hr-01', note: '' }),
      review.passPreReview({ taskId: opened.taskId, reviewer: 'qj-hr-01', note: '' }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')?.reason).toMatchObject({
      errorCode: 'REVIEW.ILLEGAL_STATE',
    });
    const decisions = await Promise.allSettled([
      review.decide({
        taskId: opened.taskId,
        decision: Decision.DECISION_APPROVE,
        reason: '',
        reviewer: 'qj-hr-01',
      }),
      review.decide({
        taskId: opened.taskId,
        decision: Decision.DECISION_REJECT,
        reason: '缴费凭证不清晰',
        reviewer: 'qj-hr-02',
      }),
    ]);
    expect(decisions.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(decisions.find((outcome) => outcome.status === 'rejected')?.reason).toMatchObject({
      errorCode: 'REVIEW.ALREADY_DECIDED',
    });
    const events = await log.until(opened.caseId, PreReviewPassed);
    expect(events.filter((type) => type === PreReviewPassed.$type)).toHaveLength(1);
  });
});

describe('a TWO_LEVEL item (初审 at the town, 审批 at the district)', () => {
  it('needs the initial review first, then another staff account to approve', async () => {
    clock.set(T0);
    const opened = await receive({
      ...funeral,
      receivedAt: T0,
      agent: {
        name: '李小明',
        identifier: '429005199001010000',
        phone: '13900000000',
        relation: '子女',
        authorizationMaterial: 'AUTHORIZATION',
      },
    });
    expect(opened).toMatchObject({
      mode: HandlingMode.HANDLING_MODE_TWO_LEVEL,
      department: '潜江市园林街道社会保障服务中心',
      approvalDepartment: '潜江市民政局',
      level: ReviewLevel.REVIEW_LEVEL_INITIAL,
      agent: { name: '李小明', relation: '子女', authorizationMaterial: 'AUTHORIZATION' },
    });

    const early = await refusal(
      review.decide({
        taskId: opened.taskId,
        decision: Decision.DECISION_APPROVE,
        reason: '',
        reviewer: 'qj-district-01',
      }),
    );
    expect(early).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'REVIEW.INITIAL_REVIEW_REQUIRED',
    });

    const initial = await review.passPreReview({
      taskId: opened.taskId,
      reviewer: 'qj-town-01',
      note: '核实无误',
    });
    expect(initial.task).toMatchObject({
      state: TaskState.TASK_STATE_PRE_REVIEWED,
      level: ReviewLevel.REVIEW_LEVEL_APPROVAL,
      preReviewedBy: 'qj-town-01',
    });

    for (const decision of [Decision.DECISION_APPROVE, Decision.DECISION_REJECT]) {
      const same = await refusal(
        review.decide({ taskId: opened.taskId, decision, reason: '自审', reviewer: 'qj-town-01' }),
      );
      expect(same).toMatchObject({
        grpcCode: status.PERMISSION_DENIED,
        errorCode: 'REVIEW.SAME_REVIEWER',
      });
      expect(same.message).toMatch(/潜江市民政局/);
    }
    expect((await task(opened.taskId)).state).toBe(TaskState.TASK_STATE_PRE_REVIEWED);

    const approved = await review.decide({
      taskId: opened.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-district-01',
    });
    expect(approved.task).toMatchObject({
      state: TaskState.TASK_STATE_APPROVED,
      decidedBy: 'qj-district-01',
      preReviewedBy: 'qj-town-01',
    });
    expect(await log.until(opened.caseId, CaseApproved)).toEqual([
      ReviewStarted.$type,
      PreReviewPassed.$type,
      CaseApproved.$type,
    ]);
    expect((await log.payload(opened.caseId, CaseApproved)).decidedBy).toBe('qj-district-01');
  });

  it('may be refused at the initial level', async () => {
    clock.set(T0);
    const opened = await receive({ ...funeral, receivedAt: T0 });
    const rejected = await review.decide({
      taskId: opened.taskId,
      decision: Decision.DECISION_REJECT,
      reason: '逝者生前已领取丧葬补助金',
      reviewer: 'qj-town-02',
    });
    expect(rejected.task?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(await log.payload(opened.caseId, CaseRejected)).toMatchObject({
      reason: '逝者生前已领取丧葬补助金',
      decidedBy: 'qj-town-02',
    });
  });

  it('goes back to the approval level after a supplement asked for there', async () => {
    clock.set(T0);
    const opened = await receive({ ...funeral, receivedAt: T0 });
    await review.passPreReview({ taskId: opened.taskId, reviewer: 'qj-town-01', note: '' });
    await review.requestSupplement({
      taskId: opened.taskId,
      materials: [{ code: 'HOUSEHOLD_CANCELLATION', name: '', reason: '户籍注销证明印章不清晰' }],
      note: '',
      reviewer: 'qj-district-01',
    });
    await exchange.publish(supplementArrived(opened.caseId, 1, ['HOUSEHOLD_CANCELLATION']));
    await log.payload(opened.caseId, SupplementReceived);
    expect(await task(opened.taskId)).toMatchObject({
      state: TaskState.TASK_STATE_PRE_REVIEWED,
      level: ReviewLevel.REVIEW_LEVEL_APPROVAL,
    });
  });
});

describe('supplements (补正)', () => {
  it('pause the clock while the applicant is asked and move the deadline by the pause', async () => {
    clock.set(T0);
    const opened = await receive({
      itemCode: 'PENSION_TRANSFER',
      receivedAt: T0,
      materials: pensionMaterials,
    });
    const requestedAt = clock.set(new Date(T0.getTime() + DAY));
    const asked = await review.requestSupplement({
      taskId: opened.taskId,
      materials: [
        { code: 'CONTRIBUTION_CERTIFICATE', name: '', reason: '缴费凭证缺少 2019 年度记录' },
        { code: 'EMPLOYMENT_PROOF', name: '劳动合同或工作证明', reason: '需证明 2019 年在职' },
      ],
      note: '请于 15 日内补正',
      reviewer: 'qj-hr-01',
    });
    expect(asked.task).toMatchObject({
      state: TaskState.TASK_STATE_SUPPLEMENT_REQUESTED,
      dueAt: opened.dueAt,
      clock: { paused: true },
      supplements: [
        {
          request: {
            round: 1,
            note: '请于 15 日内补正',
            requestedBy: 'qj-hr-01',
            requestedAt,
            materials: [
              {
                code: 'CONTRIBUTION_CERTIFICATE',
                name: '参保缴费凭证',
                reason: '缴费凭证缺少 2019 年度记录',
              },
              {
                code: 'EMPLOYMENT_PROOF',
                name: '劳动合同或工作证明',
                reason: '需证明 2019 年在职',
              },
            ],
          },
          materials: [],
        },
      ],
    });
    const usedAtPause = asked.task!.clock!.usedMs;
    const request = (await log.payload(opened.caseId, SupplementRequested)).request!;
    expect(request).toMatchObject({ round: 1, requestedBy: 'qj-hr-01', requestedAt });
    expect(request.materials.map((material) => material.name)).toEqual([
      '参保缴费凭证',
      '劳动合同或工作证明',
    ]);

    // While waiting, only a refusal is possible; the used time stands still.
    clock.set(new Date(T0.getTime() + 2 * DAY));
    const waiting = await refusal(
      review.decide({
        taskId: opened.taskId,
        decision: Decision.DECISION_APPROVE,
        reason: '',
        reviewer: 'qj-hr-01',
      }),
    );
    expect(waiting).toMatchObject({ errorCode: 'REVIEW.ILLEGAL_STATE' });
    expect(waiting.message).toMatch(/待申请人补正.*当前可以：不予办理/);
    expect((await task(opened.taskId)).clock?.usedMs).toBe(usedAtPause);
    const listed = await review.listTasks({
      states: [TaskState.TASK_STATE_SUPPLEMENT_REQUESTED],
      pageSize: 100,
      pageToken: '',
    });
    expect(listed.tasks.map((candidate) => candidate.caseId)).toContain(opened.caseId);

    const arrivedAt = clock.now();
    await exchange.publish(
      supplementArrived(opened.caseId, 1, ['CONTRIBUTION_CERTIFICATE', 'EMPLOYMENT_PROOF']),
    );
    const received = await log.payload(opened.caseId, SupplementReceived);
    const moved = slaDeadline(
      {
        startedAt: T0,
        limitWorkingDays: 15,
        pauses: [{ from: requestedAt, to: arrivedAt }],
      },
      calendar,
    );
    expect(received).toMatchObject({ caseId: opened.caseId, round: 1, dueAt: moved });
    // A working day spent waiting for the applicant is a working day more for the reviewer.
    expect(moved.getTime()).toBeGreaterThan(opened.dueAt!.getTime());
    const resumed = await task(opened.taskId);
    expect(resumed).toMatchObject({
      state: TaskState.TASK_STATE_OPEN,
      dueAt: moved,
      clock: { paused: false, dueAt: moved },
    });
    expect(resumed.supplements[0]).toMatchObject({
      submittedAt: arrivedAt,
      note: '已按要求补正',
      materials: [{ code: 'CONTRIBUTION_CERTIFICATE' }, { code: 'EMPLOYMENT_PROOF' }],
    });

    // A second round is round 2.
    await review.requestSupplement({
      taskId: opened.taskId,
      materials: [{ code: 'ID_CARD', name: '', reason: '身份证已过有效期' }],
      note: '',
      reviewer: 'qj-hr-02',
    });
    expect((await log.payload(opened.caseId, SupplementRequested, 1)).request?.round).toBe(2);
  });

  it('may end in a refusal while waiting; the wait counts as paused for the deadline', async () => {
    clock.set(T0);
    const opened = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    const pausedAt = clock.set(new Date(T0.getTime() + DAY));
    await review.requestSupplement({
      taskId: opened.taskId,
      materials: [{ code: 'ID_CARD', name: '', reason: '缺失' }],
      note: '',
      reviewer: 'qj-hr-01',
    });
    // The applicant never answered (行政许可法 第三十二条).
    const decidedAt = clock.set(new Date(T0.getTime() + 20 * DAY));
    const rejected = await review.decide({
      taskId: opened.taskId,
      decision: Decision.DECISION_REJECT,
      reason: '逾期未补正材料',
      reviewer: 'qj-hr-01',
    });
    const due = slaDeadline(
      { startedAt: T0, limitWorkingDays: 15, pauses: [{ from: pausedAt, to: decidedAt }] },
      calendar,
    );
    expect(rejected.task).toMatchObject({
      state: TaskState.TASK_STATE_REJECTED,
      decidedAt,
      dueAt: due,
      clock: { paused: false, usedMs: asked(pausedAt) },
    });
    expect(due.getTime()).toBeGreaterThan(decidedAt.getTime());
    expect(await log.payload(opened.caseId, CaseRejected)).toMatchObject({
      reason: '逾期未补正材料',
    });

    function asked(at: Date): number {
      return slaUsedMs({ startedAt: T0, limitWorkingDays: 15, pauses: [] }, at, calendar);
    }
  });

  it('refuses a request without materials, reasons or names, and changes nothing', async () => {
    clock.set(T0);
    const opened = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    const ask = (materials: { code: string; name: string; reason: string }[], reviewer = 'r1') =>
      refusal(review.requestSupplement({ taskId: opened.taskId, materials, note: '', reviewer }));
    expect(await ask([])).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'REVIEW.MATERIALS_REQUIRED',
    });
    expect(await ask([{ code: 'ID_CARD', name: '', reason: ' ' }])).toMatchObject({
      errorCode: 'REVIEW.MATERIAL_REASON_REQUIRED',
    });
    expect(await ask([{ code: 'SOMETHING_ELSE', name: '', reason: '缺失' }])).toMatchObject({
      errorCode: 'REVIEW.MATERIAL_INVALID',
    });
    expect(await ask([{ code: '身份证', name: '身份证', reason: '缺失' }])).toMatchObject({
      errorCode: 'REVIEW.MATERIAL_INVALID',
    });
    expect(
      await ask([
        { code: 'ID_CARD', name: '', reason: '缺失' },
        { code: 'ID_CARD', name: '', reason: '过期' },
      ]),
    ).toMatchObject({ errorCode: 'REVIEW.MATERIAL_INVALID' });
    expect(await ask([{ code: 'ID_CARD', name: '', reason: '缺失' }], ' ')).toMatchObject({
      errorCode: 'REVIEW.REVIEWER_REQUIRED',
    });
    expect(await task(opened.taskId)).toEqual(opened);
  });
});

describe('remote surveys (远程踏勘)', () => {
  it('are asked for, answered, asked again and accepted before an approval', async () => {
    clock.set(T0);
    const opened = await receive({
      ...catering,
      receivedAt: T0,
      materialsPickup: zhumadianHome,
    });
    expect(opened.surveyRequired).toBe(true);

    await review.passPreReview({ taskId: opened.taskId, reviewer: 'qj-sc-01', note: '' });
    // The originals are needed: the carrier collects them from the applicant (邮寄办).
    expect((await log.payload(opened.caseId, PreReviewPassed)).materialsPickup).toEqual(
      zhumadianHome,
    );

    const unsurveyed = await refusal(
      review.decide({
        taskId: opened.taskId,
        decision: Decision.DECISION_APPROVE,
        reason: '',
        reviewer: 'qj-sc-01',
      }),
    );
    expect(unsurveyed).toMatchObject({ errorCode: 'REVIEW.SURVEY_NOT_ACCEPTED' });

    const checkpoints = [
      { code: 'KITCHEN', description: '后厨操作间全景，含灶台和排烟设施' },
      { code: 'STOREFRONT', description: '店铺门头及招牌' },
    ];
    expect(
      await refusal(
        review.requestSurvey({ taskId: opened.taskId, checkpoints: [], note: '', reviewer: 'x' }),
      ),
    ).toMatchObject({ errorCode: 'REVIEW.CHECKPOINTS_REQUIRED' });
    expect(
      await refusal(
        review.requestSurvey({
          taskId: opened.taskId,
          checkpoints: [{ code: 'KITCHEN', description: '' }],
          note: '',
          reviewer: 'x',
        }),
      ),
    ).toMatchObject({ errorCode: 'REVIEW.CHECKPOINT_INVALID' });

    const requestedAt = clock.set(new Date(T0.getTime() + DAY));
    const asked = await review.requestSurvey({
      taskId: opened.taskId,
      checkpoints,
      note: '请在白天拍摄',
      reviewer: 'qj-sc-01',
    });
    expect(asked.task).toMatchObject({
      state: TaskState.TASK_STATE_SURVEY_REQUESTED,
      clock: { paused: true },
    });
    expect((await log.payload(opened.caseId, SurveyRequested)).request).toMatchObject({
      round: 1,
      checkpoints,
      note: '请在白天拍摄',
      requestedBy: 'qj-sc-01',
      requestedAt,
    });
    expect(
      await refusal(review.acceptSurvey({ taskId: opened.taskId, round: 1, reviewer: 'qj-sc-01' })),
    ).toMatchObject({ errorCode: 'REVIEW.ILLEGAL_STATE' });

    const capturedAt = new Date(T0.getTime() + DAY + 2 * HOUR);
    clock.set(new Date(T0.getTime() + DAY + 4 * HOUR));
    await exchange.publish(
      surveyMediaArrived(opened.caseId, 1, [
        { checkpoint: 'KITCHEN', contentType: 'image/jpeg', capturedAt },
        { checkpoint: 'STOREFRONT', contentType: 'video/mp4', capturedAt },
      ]),
    );
    const evidence = await log.payload(opened.caseId, SurveyEvidenceReceived);
    expect(evidence).toMatchObject({ round: 1, media: 2 });
    const surveyed = await task(opened.taskId);
    expect(surveyed).toMatchObject({
      state: TaskState.TASK_STATE_PRE_REVIEWED,
      dueAt: evidence.dueAt,
      clock: { paused: false },
    });
    expect(surveyed.surveys[0]).toMatchObject({
      submittedAt: clock.now(),
      media: [
        { checkpoint: 'KITCHEN', contentType: 'image/jpeg', capturedAt, sizeBytes: 204_800 },
        { checkpoint: 'STOREFRONT', contentType: 'video/mp4', capturedAt },
      ],
    });

    // The kitchen is too dark: once more.
    await review.requestSurvey({
      taskId: opened.taskId,
      checkpoints: [{ code: 'KITCHEN', description: '后厨操作间，请开灯拍摄' }],
      note: '',
      reviewer: 'qj-sc-01',
    });
    expect((await log.payload(opened.caseId, SurveyRequested, 1)).request?.round).toBe(2);
    await exchange.publish(
      surveyMediaArrived(opened.caseId, 2, [
        { checkpoint: 'KITCHEN', contentType: 'image/jpeg', capturedAt: clock.now() },
      ]),
    );
    expect((await log.payload(opened.caseId, SurveyEvidenceReceived, 1)).round).toBe(2);

    expect(
      await refusal(review.acceptSurvey({ taskId: opened.taskId, round: 1, reviewer: 'qj-sc-01' })),
    ).toMatchObject({ errorCode: 'REVIEW.SURVEY_ROUND_SUPERSEDED' });
    expect(
      await refusal(review.acceptSurvey({ taskId: opened.taskId, round: 3, reviewer: 'qj-sc-01' })),
    ).toMatchObject({ grpcCode: status.NOT_FOUND, errorCode: 'REVIEW.SURVEY_ROUND_NOT_FOUND' });
    expect(
      await refusal(review.acceptSurvey({ taskId: opened.taskId, round: 2, reviewer: '' })),
    ).toMatchObject({ errorCode: 'REVIEW.REVIEWER_REQUIRED' });

    const accepted = await review.acceptSurvey({
      taskId: opened.taskId,
      round: 2,
      reviewer: 'qj-sc-02',
    });
    expect(accepted.task?.surveys[1]).toMatchObject({
      acceptedBy: 'qj-sc-02',
      acceptedAt: clock.now(),
    });
    expect(await log.payload(opened.caseId, SurveyAccepted)).toMatchObject({
      round: 2,
      reviewer: 'qj-sc-02',
    });
    expect(
      await refusal(review.acceptSurvey({ taskId: opened.taskId, round: 2, reviewer: 'qj-sc-02' })),
    ).toMatchObject({ errorCode: 'REVIEW.SURVEY_ALREADY_ACCEPTED' });

    const approved = await review.decide({
      taskId: opened.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-sc-01',
    });
    expect(approved.task?.state).toBe(TaskState.TASK_STATE_APPROVED);
    expect(await log.until(opened.caseId, CaseApproved)).toEqual([
      ReviewStarted.$type,
      PreReviewPassed.$type,
      SurveyRequested.$type,
      SurveyEvidenceReceived.$type,
      SurveyRequested.$type,
      SurveyEvidenceReceived.$type,
      SurveyAccepted.$type,
      CaseApproved.$type,
    ]);
  });
});

describe('withdrawal', () => {
  it('cancels the open task and stops its clock; other status changes are ignored', async () => {
    clock.set(T0);
    const kept = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    const withdrawn = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    await review.requestSupplement({
      taskId: kept.taskId,
      materials: [{ code: 'ID_CARD', name: '', reason: '不清晰' }],
      note: '',
      reviewer: 'qj-hr-01',
    });
    await review.requestSupplement({
      taskId: withdrawn.taskId,
      materials: [{ code: 'ID_CARD', name: '', reason: '不清晰' }],
      note: '',
      reviewer: 'qj-hr-01',
    });
    clock.set(new Date(T0.getTime() + DAY));
    // Ahead of the supplement on the case's partition: a withdrawal at another handler (the
    // origin's view of its own case) and another status; then the supplement, which must apply.
    await exchange.publish(
      remoteStatusChanged(kept.caseId, CaseStatus.CASE_STATUS_WITHDRAWN, '430600'),
      remoteStatusChanged(kept.caseId, CaseStatus.CASE_STATUS_UNDER_REVIEW, REGION),
      supplementArrived(kept.caseId, 1, ['ID_CARD']),
      remoteStatusChanged(withdrawn.caseId, CaseStatus.CASE_STATUS_WITHDRAWN, REGION),
    );
    await log.payload(kept.caseId, SupplementReceived);
    expect((await task(kept.taskId)).state).toBe(TaskState.TASK_STATE_OPEN);

    const cancelled = await eventually(async () => {
      const current = await task(withdrawn.taskId);
      expect(current.state).toBe(TaskState.TASK_STATE_CANCELLED);
      return current;
    });
    expect(cancelled.clock).toMatchObject({ paused: false });
    const refused = await refusal(
      review.passPreReview({ taskId: withdrawn.taskId, reviewer: 'qj-hr-01', note: '' }),
    );
    expect(refused).toMatchObject({
      grpcCode: status.FAILED_PRECONDITION,
      errorCode: 'REVIEW.TASK_CANCELLED',
    });
    // A supplement that crosses the withdrawal is consumed but not applied.
    const late = supplementArrived(withdrawn.caseId, 1, ['ID_CARD']);
    await exchange.publish(late);
    await eventually(async () => {
      const consumed = await database.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [
        late.metadata.eventId,
      ]);
      expect(consumed.rowCount).toBe(1);
    });
    const after = await task(withdrawn.taskId);
    expect(after.state).toBe(TaskState.TASK_STATE_CANCELLED);
    expect(after.supplements[0]?.submittedAt).toBeUndefined();
  });
});

describe('bad input', () => {
  it('is refused with a stable code, and the task and its events stay as they were', async () => {
    clock.set(T0);
    const opened = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    const unknown = '00000000-0000-0000-0000-000000000000';
    for (const taskId of [unknown, 'not-a-task']) {
      for (const call of [
        () => review.getTask({ taskId }),
        () => review.passPreReview({ taskId, reviewer: 'r1', note: '' }),
        () =>
          review.decide({
            taskId,
            decision: Decision.DECISION_APPROVE,
            reason: '',
            reviewer: 'r1',
          }),
        () =>
          review.requestSupplement({
            taskId,
            materials: [{ code: 'ID_CARD', name: '', reason: '缺失' }],
            note: '',
            reviewer: 'r1',
          }),
        () =>
          review.requestSurvey({
            taskId,
            checkpoints: [{ code: 'KITCHEN', description: '后厨' }],
            note: '',
            reviewer: 'r1',
          }),
        () => review.acceptSurvey({ taskId, round: 1, reviewer: 'r1' }),
      ]) {
        expect(await refusal(call())).toMatchObject({
          grpcCode: status.NOT_FOUND,
          errorCode: 'REVIEW.TASK_NOT_FOUND',
        });
      }
    }
    const { taskId } = opened;
    for (const call of [
      () => review.passPreReview({ taskId, reviewer: '', note: '' }),
      () =>
        review.decide({ taskId, decision: Decision.DECISION_APPROVE, reason: '', reviewer: ' ' }),
      () =>
        review.requestSurvey({
          taskId,
          checkpoints: [{ code: 'KITCHEN', description: '后厨' }],
          note: '',
          reviewer: '',
        }),
    ]) {
      expect(await refusal(call())).toMatchObject({
        grpcCode: status.INVALID_ARGUMENT,
        errorCode: 'REVIEW.REVIEWER_REQUIRED',
      });
    }
    expect(
      await refusal(
        review.decide({ taskId, decision: Decision.DECISION_REJECT, reason: '', reviewer: 'r1' }),
      ),
    ).toMatchObject({ errorCode: 'REVIEW.REASON_REQUIRED' });
    expect(
      await refusal(
        review.decide({
          taskId,
          decision: Decision.DECISION_UNSPECIFIED,
          reason: '',
          reviewer: 'r1',
        }),
      ),
    ).toMatchObject({ errorCode: 'REVIEW.DECISION_REQUIRED' });
    expect(await refusal(review.acceptSurvey({ taskId, round: 1, reviewer: 'r1' }))).toMatchObject({
      errorCode: 'REVIEW.SURVEY_ROUND_NOT_FOUND',
    });
    expect(await task(taskId)).toEqual(opened);

    // Nothing was published for the refusals: the next event of the case follows ReviewStarted.
    await review.passPreReview({ taskId, reviewer: 'r1', note: '' });
    expect(await log.until(opened.caseId, PreReviewPassed)).toEqual([
      ReviewStarted.$type,
      PreReviewPassed.$type,
    ]);
  });

  it('refuses every reviewer action on an INSTANT item', async () => {
    clock.set(T0);
    const decided = await receive({
      itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
      receivedAt: T0,
      fields: {
        withdrawal_reason: 'RETIREMENT',
        account_number: '4290050001',
        bank_account: '6222000011112222',
        bank_name: '中国工商银行潜江支行',
        outstanding_loan: 'NO',
      },
      materials: ['ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'],
    });
    const { taskId } = decided;
    for (const call of [
      () => review.passPreReview({ taskId, reviewer: 'r1', note: '' }),
      () =>
        review.requestSupplement({
          taskId,
          materials: [{ code: 'ID_CARD', name: '', reason: '缺失' }],
          note: '',
          reviewer: 'r1',
        }),
      () =>
        review.requestSurvey({
          taskId,
          checkpoints: [{ code: 'KITCHEN', description: '后厨' }],
          note: '',
          reviewer: 'r1',
        }),
      () =>
        review.decide({ taskId, decision: Decision.DECISION_APPROVE, reason: '', reviewer: 'r1' }),
    ]) {
      expect(await refusal(call())).toMatchObject({ errorCode: 'REVIEW.NOT_A_REVIEWER_DECISION' });
    }
  });
});
