import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaseApproved,
  CaseRejected,
  ReviewStarted,
} from '@tongban/contracts/tongban/review/v1/events';
import { TaskState, type ReviewTask } from '@tongban/contracts/tongban/review/v1/review';
import { findItem, ruleSetVersion, type Region } from '@tongban/domain';
import { migrateServiceDatabase } from '@tongban/service-kit';
import { createIsolatedDatabase, uniqueTopicPrefix, type IsolatedDatabase } from '@tongban/testing';
import {
  caseReceived,
  ExchangeStub,
  regionFile,
  ReviewEventLog,
  startReview,
  type RunningReview,
} from './support';

let database: IsolatedDatabase;
let prefix: string;
let service: RunningReview;
let exchange: ExchangeStub;
let log: ReviewEventLog;

beforeAll(async () => {
  database = await createIsolatedDatabase({ purpose: 'review_rules' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  prefix = uniqueTopicPrefix();
  exchange = await ExchangeStub.start(prefix);
  log = await ReviewEventLog.start(prefix);
  service = await startReview({ databaseUrl: database.url, prefix });
});

afterAll(async () => {
  await service.stop();
  await log.stop();
  await exchange.stop();
  await database.drop();
});

const renewal = {
  itemCode: 'SMALL_CATERING_RENEWAL',
  fields: {
    previous_certificate_id: 'JY24290050012345',
    shop_name: '李记小吃',
    premises_address: '潜江市园林街道章华路 8 号',
    seats: '40',
    changed: 'NO',
  },
};

/** The task of a published case: an INSTANT task is decided in the transaction that opens it. */
async function decidedTask(event: ReturnType<typeof caseReceived>): Promise<ReviewTask> {
  await exchange.publish(event);
  const started = await log.payload(event.metadata.caseId, ReviewStarted);
  return (await service.review.getTask({ taskId: started.taskId })).task!;
}

/** 潜江 lowers the seat limit of a small eatery to 30 (a region file edit and a restart). */
function withStricterSeats(region: Region): Region {
  const copy = structuredClone(region);
  const item = findItem(copy, 'SMALL_CATERING_RENEWAL')!;
  item.rules = item.rules!.map((rule) => {
    if (rule.name === 'small-catering-seats') {
      return {
        ...rule,
        description: '小餐饮就餐座位不超过 30 个',
        when: [{ kind: 'fieldRange' as const, field: 'seats', atLeast: 31 }],
        reason: '就餐座位超过 30 个不属于小餐饮，请申请食品经营许可。',
      };
    }
    if (rule.name === 'unchanged-renewal') {
      return {
        ...rule,
        when: rule.when.map((condition) =>
          condition.kind === 'fieldRange' ? { ...condition, atMost: 30 } : condition,
        ),
      };
    }
    return rule;
  });
  return copy;
}

describe('instant decisions (秒批)', () => {
  it('record the rule, its reason, the rule set version and the whole trace', async () => {
    const event = caseReceived({ ...renewal, receivedAt: new Date() });
    const decided = await decidedTask(event);
    const item = findItem(regionFile(), 'SMALL_CATERING_RENEWAL')!;
    expect(await log.until(event.metadata.caseId, CaseApproved)).toEqual([
      ReviewStarted.$type,
      CaseApproved.$type,
    ]);
    const task = (await service.review.getTask({ taskId: decided.taskId })).task!;
    expect(task).toMatchObject({
      state: TaskState.TASK_STATE_APPROVED,
      rule: 'unchanged-renewal',
      decidedBy: 'rule:unchanged-renewal',
      reason: '经营条件未变化，准予延续小餐饮经营许可三年。',
      ruleSetVersion: ruleSetVersion(item),
    });
    expect(task.ruleTrace).toEqual([
      {
        rule: 'conditions-changed',
        description: '经营条件变化的须重新申请许可',
        matched: false,
        conditions: [{ condition: '“经营条件是否变化”为“有变化”', held: false }],
      },
      {
        rule: 'small-catering-seats',
        description: '小餐饮就餐座位不超过 50 个',
        matched: false,
        conditions: [{ condition: '“就餐座位数”不小于 51', held: false }],
      },
      {
        rule: 'unchanged-renewal',
        description: '经营条件未变化的小餐饮延续',
        matched: true,
        conditions: [
          { condition: '“经营条件是否变化”为“未变化”', held: true },
          { condition: '填写“原许可证编号”', held: true },
          { condition: '“就餐座位数”不大于 50', held: true },
        ],
      },
    ]);
    expect((await log.payload(event.metadata.caseId, CaseApproved)).reason).toBe(
      '经营条件未变化，准予延续小餐饮经营许可三年。',
    );
  });

  it('stay as decided after the region changed its rules; new cases meet the new rules', async () => {
    const before = caseReceived({ ...renewal, receivedAt: new Date() });
    const past = await decidedTask(before);
    await log.until(before.metadata.caseId, CaseApproved);

    await service.stop();
    const stricter = withStricterSeats(regionFile());
    service = await startReview({ databaseUrl: database.url, prefix, region: stricter });

    const reread = (await service.review.getTask({ taskId: past.taskId })).task!;
    expect(reread).toEqual(past);
    expect(reread.ruleSetVersion).toBe(ruleSetVersion(findItem(regionFile(), renewal.itemCode)!));

    const after = caseReceived({ ...renewal, receivedAt: new Date() });
    const now = await decidedTask(after);
    expect(await log.payload(after.metadata.caseId, CaseRejected)).toMatchObject({
      reason: '就餐座位超过 30 个不属于小餐饮，请申请食品经营许可。',
      decidedBy: 'rule:small-catering-seats',
    });
    const decidedNow = (await service.review.getTask({ taskId: now.taskId })).task!;
    expect(decidedNow).toMatchObject({
      state: TaskState.TASK_STATE_REJECTED,
      rule: 'small-catering-seats',
      ruleSetVersion: ruleSetVersion(findItem(stricter, renewal.itemCode)!),
    });
    expect(decidedNow.ruleSetVersion).not.toBe(reread.ruleSetVersion);
    expect(decidedNow.ruleTrace.at(-1)).toEqual({
      rule: 'small-catering-seats',
      description: '小餐饮就餐座位不超过 30 个',
      matched: true,
      conditions: [{ condition: '“就餐座位数”不小于 31', held: true }],
    });
  });
});
