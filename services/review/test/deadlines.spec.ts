import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaseRejected,
  DeadlineApproaching,
  DeadlineOverdue,
  ReviewStarted,
  SupplementReceived,
} from '@tongban/contracts/tongban/review/v1/events';
import {
  Decision,
  ReportGrouping,
  type GetOnTimeReportResponse,
  type OnTimeRow,
  type ReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import { loadHolidayCalendar, slaDeadline, slaWarningAt } from '@tongban/domain';
import { migrateServiceDatabase } from '@tongban/service-kit';
import { createIsolatedDatabase, uniqueTopicPrefix, type IsolatedDatabase } from '@tongban/testing';
import { DeadlineSweep } from '../src/tasks/deadline-sweep';
import {
  caseReceived,
  DAY,
  ExchangeStub,
  HOUR,
  refusal,
  REGION,
  ReviewEventLog,
  startReview,
  supplementArrived,
  TestClock,
  type RunningReview,
} from './support';

// Tuesday 1 December 2026, 09:00 in China.
const T0 = new Date('2026-12-01T01:00:00Z');
const MINUTE = 60_000;
const calendar = loadHolidayCalendar();
const pensionDue = slaDeadline({ startedAt: T0, limitWorkingDays: 15, pauses: [] }, calendar);
const pensionWarning = slaWarningAt({ startedAt: T0, limitWorkingDays: 15, pauses: [] }, calendar);

let database: IsolatedDatabase;
let prefix: string;
let service: RunningReview;
let exchange: ExchangeStub;
let log: ReviewEventLog;
const clock = new TestClock(T0);

beforeAll(async () => {
  database = await createIsolatedDatabase({ purpose: 'review_deadlines' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  prefix = uniqueTopicPrefix();
  exchange = await ExchangeStub.start(prefix);
  log = await ReviewEventLog.start(prefix);
  service = await startReview({ databaseUrl: database.url, prefix, clock });
});

afterAll(async () => {
  await service.stop();
  await log.stop();
  await exchange.stop();
  await database.drop();
});

async function receive(options: Parameters<typeof caseReceived>[0]): Promise<ReviewTask> {
  const event = caseReceived(options);
  await exchange.publish(event);
  const started = await log.payload(event.metadata.caseId, ReviewStarted);
  return (await service.review.getTask({ taskId: started.taskId })).task!;
}

async function task(taskId: string): Promise<ReviewTask> {
  return (await service.review.getTask({ taskId })).task!;
}

/** Moves the clock and runs the deadline sweep as the timer would. */
async function sweepAt(at: Date): Promise<void> {
  clock.set(at);
  await service.app.get(DeadlineSweep).sweep();
}

describe('the deadline sweep', () => {
  it('warns at 80% of the time limit and when it passed, once each', async () => {
    clock.set(T0);
    const opened = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    expect(opened.dueAt).toEqual(pensionDue);

    await sweepAt(new Date(pensionWarning.getTime() - MINUTE));
    expect((await task(opened.taskId)).clock?.warnedAt).toBeUndefined();

    const warnedAt = new Date(pensionWarning.getTime() + MINUTE);
    await sweepAt(warnedAt);
    await sweepAt(new Date(warnedAt.getTime() + HOUR));
    expect((await task(opened.taskId)).clock).toMatchObject({ warnedAt });
    expect((await task(opened.taskId)).clock?.overdueAt).toBeUndefined();
    expect(await log.payload(opened.caseId, DeadlineApproaching)).toEqual({
      caseId: opened.caseId,
      originRegion: '411700',
      itemCode: 'PENSION_TRANSFER',
      dueAt: pensionDue,
    });

    const overdueAt = new Date(pensionDue.getTime() + MINUTE);
    await sweepAt(overdueAt);
    await sweepAt(new Date(overdueAt.getTime() + DAY));
    expect((await task(opened.taskId)).clock).toMatchObject({ warnedAt, overdueAt });
    expect(await log.payload(opened.caseId, DeadlineOverdue)).toMatchObject({
      dueAt: pensionDue,
    });

    // The decision follows on the case's partition: every warning before it came exactly once.
    await service.review.decide({
      taskId: opened.taskId,
      decision: Decision.DECISION_REJECT,
      reason: '逾期未补齐材料',
      reviewer: 'qj-hr-01',
    });
    expect(await log.until(opened.caseId, CaseRejected)).toEqual([
      ReviewStarted.$type,
      DeadlineApproaching.$type,
      DeadlineOverdue.$type,
      CaseRejected.$type,
    ]);
  });

  it('leaves a paused clock alone, and warns by the deadline the pause moved', async () => {
    clock.set(T0);
    const opened = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0 });
    const pausedAt = clock.set(new Date(T0.getTime() + DAY));
    await service.review.requestSupplement({
      taskId: opened.taskId,
      materials: [{ code: 'ID_CARD', name: '', reason: '身份证复印件不清晰' }],
      note: '',
      reviewer: 'qj-hr-01',
    });
    // Long past the deadline as it stood: nothing, the applicant has the case.
    const resumedAt = new Date(pensionDue.getTime() + DAY);
    await sweepAt(resumedAt);
    const paused = await task(opened.taskId);
    expect(paused.clock).toMatchObject({ paused: true, dueAt: pensionDue });
    expect(paused.clock?.warnedAt).toBeUndefined();

    await exchange.publish(supplementArrived(opened.caseId, 1, ['ID_CARD']));
    const state = {
      startedAt: T0,
      limitWorkingDays: 15,
      pauses: [{ from: pausedAt, to: resumedAt }],
    };
    const moved = slaDeadline(state, calendar);
    expect((await log.payload(opened.caseId, SupplementReceived)).dueAt).toEqual(moved);
    expect(moved.getTime()).toBeGreaterThan(resumedAt.getTime());

    await sweepAt(new Date(resumedAt.getTime() + HOUR));
    expect((await task(opened.taskId)).clock?.warnedAt).toBeUndefined();
    const warnedAt = new Date(slaWarningAt(state, calendar).getTime() + MINUTE);
    await sweepAt(warnedAt);
    expect((await task(opened.taskId)).clock).toMatchObject({ warnedAt, dueAt: moved });
    expect(await log.payload(opened.caseId, DeadlineApproaching)).toMatchObject({ dueAt: moved });
  });
});

describe('the on-time report (按期办结率)', () => {
  function rowOf(report: GetOnTimeReportResponse, key: string): OnTimeRow {
    return (
      report.rows.find((row) => row.key === key) ?? {
        key,
        label: '',
        decided: 0,
        decidedOnTime: 0,
        open: 0,
        openOverdue: 0,
        onTimeRate: 1,
      }
    );
  }

  function delta(after: OnTimeRow, before: OnTimeRow) {
    return {
      decided: after.decided - before.decided,
      decidedOnTime: after.decidedOnTime - before.decidedOnTime,
      open: after.open - before.open,
      openOverdue: after.openOverdue - before.openOverdue,
    };
  }

  it('counts decisions by their deadline and open tasks past it, per group and in total', async () => {
    const end = new Date(pensionDue.getTime() + HOUR);
    const report = (grouping: ReportGrouping, from?: Date, to?: Date) =>
      service.review.getOnTimeReport({ grouping, from, to });
    clock.set(end);
    const beforeItems = await report(ReportGrouping.REPORT_GROUPING_ITEM);
    const beforeDepartments = await report(ReportGrouping.REPORT_GROUPING_DEPARTMENT);

    // Five cases from 岳阳 (430600), all received at T0.
    clock.set(T0);
    const origin = '430600';
    const onTime = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0, origin });
    await receive({
      itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
      receivedAt: T0,
      origin,
      fields: {
        withdrawal_reason: 'RETIREMENT',
        account_number: '4290050002',
        bank_account: '6222000011114444',
        bank_name: '中国建设银行潜江支行',
        outstanding_loan: 'NO',
      },
      materials: ['ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'],
    });
    const late = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0, origin });
    await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0, origin });
    const waiting = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt: T0, origin });

    clock.set(new Date(T0.getTime() + DAY));
    await service.review.decide({
      taskId: onTime.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-hr-01',
    });
    await service.review.requestSupplement({
      taskId: waiting.taskId,
      materials: [{ code: 'ID_CARD', name: '', reason: '缺失' }],
      note: '',
      reviewer: 'qj-hr-01',
    });
    clock.set(end);
    await service.review.decide({
      taskId: late.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-hr-01',
    });

    const byOrigin = await report(ReportGrouping.REPORT_GROUPING_ORIGIN_REGION);
    // Approved in time, instant, approved late; one open past its deadline, one paused before.
    expect(rowOf(byOrigin, origin)).toEqual({
      key: origin,
      label: '岳阳市',
      decided: 3,
      decidedOnTime: 2,
      open: 2,
      openOverdue: 1,
      onTimeRate: 2 / 3,
    });
    expect(byOrigin.total).toMatchObject({ key: REGION, label: '潜江市' });
    const total = byOrigin.total!;
    expect(total.decided).toBe(byOrigin.rows.reduce((sum, row) => sum + row.decided, 0));
    expect(total.onTimeRate).toBeCloseTo(total.decidedOnTime / total.decided);

    const items = await report(ReportGrouping.REPORT_GROUPING_ITEM);
    expect(rowOf(items, 'PENSION_TRANSFER').label).toBe('企业职工基本养老保险关系转移接续');
    expect(delta(rowOf(items, 'PENSION_TRANSFER'), rowOf(beforeItems, 'PENSION_TRANSFER'))).toEqual(
      { decided: 2, decidedOnTime: 1, open: 2, openOverdue: 1 },
    );
    expect(
      delta(
        rowOf(items, 'HPF_RETIREMENT_WITHDRAWAL'),
        rowOf(beforeItems, 'HPF_RETIREMENT_WITHDRAWAL'),
      ),
    ).toEqual({ decided: 1, decidedOnTime: 1, open: 0, openOverdue: 0 });
    expect(delta(items.total!, beforeItems.total!)).toEqual({
      decided: 3,
      decidedOnTime: 2,
      open: 2,
      openOverdue: 1,
    });
    const departments = await report(ReportGrouping.REPORT_GROUPING_DEPARTMENT);
    const hr = '潜江市人力资源和社会保障局';
    expect(delta(rowOf(departments, hr), rowOf(beforeDepartments, hr))).toEqual({
      decided: 2,
      decidedOnTime: 1,
      open: 2,
      openOverdue: 1,
    });

    // Decisions of a period only: from the day after the on-time approval.
    const later = await report(
      ReportGrouping.REPORT_GROUPING_ORIGIN_REGION,
      new Date(T0.getTime() + 2 * DAY),
      new Date(end.getTime() + MINUTE),
    );
    expect(rowOf(later, origin)).toMatchObject({ decided: 1, decidedOnTime: 0, onTimeRate: 0 });
    expect(await refusal(report(ReportGrouping.REPORT_GROUPING_ITEM, end, T0))).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'REVIEW.INVALID_PERIOD',
    });
  });
});

describe('a restart with a shifted clock (CLOCK_OFFSET_DAYS)', () => {
  it('catches up at start: the warning and the overdue notice of a case received days ago', async () => {
    const receivedAt = new Date();
    const opened = await receive({ itemCode: 'PENSION_TRANSFER', receivedAt });
    await service.stop();
    // 40 calendar days later every 15-working-day limit has passed.
    service = await startReview({
      databaseUrl: database.url,
      prefix,
      env: { CLOCK_OFFSET_DAYS: '40' },
    });
    expect(await log.until(opened.caseId, DeadlineOverdue)).toEqual([
      ReviewStarted.$type,
      DeadlineApproaching.$type,
      DeadlineOverdue.$type,
    ]);
    await service.app.get(DeadlineSweep).sweep();
    await service.review.decide({
      taskId: opened.taskId,
      decision: Decision.DECISION_REJECT,
      reason: '逾期未补正',
      reviewer: 'qj-hr-01',
    });
    expect(await log.until(opened.caseId, CaseRejected)).toEqual([
      ReviewStarted.$type,
      DeadlineApproaching.$type,
      DeadlineOverdue.$type,
      CaseRejected.$type,
    ]);
  });
});
