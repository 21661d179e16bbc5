import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewStarted } from '@tongban/contracts/tongban/review/v1/events';
import {
  Decision,
  TaskState,
  type ListTasksRequest,
  type ReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import { migrateServiceDatabase } from '@tongban/service-kit';
import { createIsolatedDatabase, uniqueTopicPrefix, type IsolatedDatabase } from '@tongban/testing';
import {
  caseReceived,
  DAY,
  ExchangeStub,
  HOUR,
  refusal,
  ReviewEventLog,
  startReview,
  TestClock,
  type Review,
  type RunningReview,
} from './support';

// Tuesday 1 December 2026, 09:00 in China: a plain working week, no holiday near.
const T0 = new Date('2026-12-01T01:00:00Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

let database: IsolatedDatabase;
let service: RunningReview;
let review: Review;
let exchange: ExchangeStub;
let log: ReviewEventLog;
const clock = new TestClock(T0);

beforeAll(async () => {
  database = await createIsolatedDatabase({ purpose: 'review_queue' });
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

async function receive(options: Parameters<typeof caseReceived>[0]): Promise<ReviewTask> {
  const event = caseReceived(options);
  await exchange.publish(event);
  const started = await log.payload(event.metadata.caseId, ReviewStarted);
  return (await review.getTask({ taskId: started.taskId })).task!;
}

/** Every page of the listing, `pageSize` tasks at a time; the case ids in the order served. */
async function allPages(request: Omit<ListTasksRequest, 'pageToken'>): Promise<string[]> {
  const caseIds: string[] = [];
  let pageToken = '';
  do {
    const page = await review.listTasks({ ...request, pageToken });
    expect(page.tasks.length).toBeLessThanOrEqual(request.pageSize);
    caseIds.push(...page.tasks.map((task) => task.caseId));
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return caseIds;
}

const pension = ['ID_CARD', 'TRANSFER_APPLICATION', 'CONTRIBUTION_CERTIFICATE'];
const funeralMaterials = [
  'DEATH_CERTIFICATE',
  'CREMATION_CERTIFICATE',
  'HOUSEHOLD_CANCELLATION',
  'APPLICANT_ID',
];
const running = [TaskState.TASK_STATE_OPEN, TaskState.TASK_STATE_PRE_REVIEWED];

describe('the reviewer queue (ListTasks)', () => {
  let funeral: ReviewTask;
  let pensionEarly: ReviewTask;
  let pensionLate: ReviewTask;
  let waiting: ReviewTask;
  let instant: ReviewTask;

  beforeAll(async () => {
    // Received in an order that is neither the deadline's nor the receipt's.
    clock.set(at(6 * HOUR));
    // Same item, same day: the same deadline, so the earlier receipt comes first.
    pensionLate = await receive({
      itemCode: 'PENSION_TRANSFER',
      receivedAt: at(2 * HOUR),
      materials: pension,
    });
    // 10 working days, received last: due before both pension transfers (15 days).
    funeral = await receive({
      itemCode: 'FUNERAL_SUBSIDY',
      receivedAt: at(3 * HOUR),
      materials: funeralMaterials,
    });
    // Decided by its rules at once: no deadline any more.
    instant = await receive({ itemCode: 'HPF_RETIREMENT_WITHDRAWAL', receivedAt: at(-3 * DAY) });
    // Received a day earlier, so its stored deadline is the earliest of all; but it waits for the
    // applicant and nobody can act on it.
    waiting = await receive({
      itemCode: 'FUNERAL_SUBSIDY',
      receivedAt: at(-DAY),
      materials: funeralMaterials,
    });
    pensionEarly = await receive({
      itemCode: 'PENSION_TRANSFER',
      receivedAt: T0,
      materials: pension,
    });

    await review.passPreReview({ taskId: funeral.taskId, reviewer: 'qj-mz-01', note: '' });
    await review.requestSupplement({
      taskId: waiting.taskId,
      materials: [{ code: 'APPLICANT_ID', name: '', reason: '身份证已过期' }],
      note: '',
      reviewer: 'qj-mz-01',
    });
    expect(instant.state).not.toBe(TaskState.TASK_STATE_OPEN);
    expect(funeral.dueAt!.getTime()).toBeLessThan(pensionEarly.dueAt!.getTime());
    expect(pensionLate.dueAt).toEqual(pensionEarly.dueAt);
    expect(waiting.dueAt!.getTime()).toBeLessThan(funeral.dueAt!.getTime());
  });

  it('serves running clocks by deadline, then tasks waiting for the applicant, then closed ones', async () => {
    const everything = await review.listTasks({ states: [], pageSize: 100, pageToken: '' });
    expect(everything.tasks.map((task) => task.caseId)).toEqual([
      funeral.caseId,
      pensionEarly.caseId,
      pensionLate.caseId,
      waiting.caseId,
      instant.caseId,
    ]);
    expect(everything.nextPageToken).toBe('');

    const queue = await review.listTasks({ states: running, pageSize: 100, pageToken: '' });
    expect(queue.tasks.map((task) => [task.caseId, task.state])).toEqual([
      [funeral.caseId, TaskState.TASK_STATE_PRE_REVIEWED],
      [pensionEarly.caseId, TaskState.TASK_STATE_OPEN],
      [pensionLate.caseId, TaskState.TASK_STATE_OPEN],
    ]);
  });

  it('pages through the same order, whatever the page size', async () => {
    const whole = (await review.listTasks({ states: [], pageSize: 100, pageToken: '' })).tasks.map(
      (task) => task.caseId,
    );
    for (const pageSize of [1, 2, 3]) {
      expect(await allPages({ states: [], pageSize })).toEqual(whole);
    }
  });

  it('does not skip a task when one already shown is decided before the next page', async () => {
    const first = await review.listTasks({ states: running, pageSize: 2, pageToken: '' });
    expect(first.tasks.map((task) => task.caseId)).toEqual([funeral.caseId, pensionEarly.caseId]);

    await review.decide({
      taskId: pensionEarly.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-hr-01',
    });

    const second = await review.listTasks({
      states: running,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(second.tasks.map((task) => task.caseId)).toEqual([pensionLate.caseId]);
    expect(second.nextPageToken).toBe('');
  });

  it('refuses a page token it did not issue', async () => {
    for (const pageToken of ['2', 'not-a-token', Buffer.from('q1.0.1.2.x').toString('base64url')]) {
      expect(await refusal(review.listTasks({ states: [], pageSize: 2, pageToken }))).toMatchObject(
        { grpcCode: status.INVALID_ARGUMENT, errorCode: 'REVIEW.INVALID_PAGE_TOKEN' },
      );
    }
  });
});
