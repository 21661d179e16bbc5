import { describe, expect, it } from 'vitest';
import { loadRegion, RegionFileError, serviceLists, type Region, type RegionItem } from '../src';
import { minimalRegion, regionDirectory, writeRegionFile } from './support';

// The region-file fields of issue 4 ("handling as the seeds describe"): two-level approval,
// pre-review, surveys, originals, renewals, the windows' postal addresses and one-thing bundles.

const noEnv = { env: {} };

function load(content: unknown): Region {
  return loadRegion(writeRegionFile(regionDirectory(), '411700.yaml', content), noEnv);
}

function problemsOf(content: unknown): string {
  try {
    load(content);
  } catch (error) {
    if (error instanceof RegionFileError) return error.message;
    throw error;
  }
  throw new Error('expected the region file to be refused');
}

const window = {
  recipient: '驻马店市民中心跨省通办窗口',
  phone: '0396-2600000',
  divisionCode: '411702',
  line: '驻马店市驿城区市民中心一楼跨省通办窗口',
  postalCode: '463000',
};

/** A TWO_LEVEL item like 潜江's 丧葬补贴 (seed 004). */
const funeralSubsidy = (): Record<string, unknown> => ({
  code: 'FUNERAL_SUBSIDY',
  name: '无丧葬补助居民丧葬补贴',
  department: '驻马店市驿城区某街道社会保障服务中心',
  mode: 'TWO_LEVEL',
  approvalDepartment: '驻马店市驿城区民政局',
  materials: [],
  timeLimitWorkingDays: 10,
  preReviewWorkingDays: 2,
  certificateType: '丧葬补贴核准通知书',
  delivery: ['ELECTRONIC'],
});

/** A STANDARD item with a survey, originals and a renewal, like 小餐饮经营许可 (seeds 000, 001). */
const smallCatering = (): Record<string, unknown> => ({
  code: 'SMALL_CATERING_LICENSE',
  name: '小餐饮经营许可',
  department: '驻马店市市场监督管理局',
  mode: 'STANDARD',
  surveyRequired: true,
  originalsRequired: true,
  materials: [],
  timeLimitWorkingDays: 10,
  certificateType: '小餐饮经营许可证',
  validityDays: 1095,
  renewal: { item: 'CRANE_USE_REGISTRATION', remindDaysBefore: 30 },
  delivery: ['MAIL'],
});

/** minimalRegion() with a second partner, so that bundles have two regions to draw on. */
function regionWithPartners(): ReturnType<typeof minimalRegion> {
  const data = minimalRegion();
  data.partners.push({
    code: '430600',
    name: '岳阳市',
    endpoint: '127.0.0.1:7406',
    tlsIdentity: 'exchange.430600.tongban.local',
    tlsCa: '430600/ca.crt',
    signingKey: '430600/signing.pub.pem',
  });
  return data;
}

const bundle = (items: { region: string; item: string }[]): Record<string, unknown> => ({
  code: 'RELOCATION_HOME',
  name: '异地安居一件事',
  items,
});

describe('region file — new item fields', () => {
  it('defaults surveyRequired, originalsRequired and inPersonRequired to false', () => {
    const region = load(minimalRegion());
    for (const item of region.items) {
      expect(item).toMatchObject({
        surveyRequired: false,
        originalsRequired: false,
        inPersonRequired: false,
      });
      expect(item.approvalDepartment).toBeUndefined();
      expect(item.renewal).toBeUndefined();
      expect(item.preReviewWorkingDays).toBeUndefined();
    }
    expect(region.bundles).toEqual([]);
    expect(region.window).toBeUndefined();
  });

  it('reads a TWO_LEVEL item with its approving department and pre-review time', () => {
    const data = minimalRegion();
    data.items.push(funeralSubsidy());
    const item = load(data).items[2]!;
    expect(item).toMatchObject({
      mode: 'TWO_LEVEL',
      approvalDepartment: '驻马店市驿城区民政局',
      preReviewWorkingDays: 2,
    });
  });

  it('reads survey, originals and renewal', () => {
    const data = minimalRegion();
    data.items.push(smallCatering());
    expect(load(data).items[2]).toMatchObject({
      surveyRequired: true,
      originalsRequired: true,
      inPersonRequired: false,
      renewal: { item: 'CRANE_USE_REGISTRATION', remindDaysBefore: 30 },
    });
  });

  it('refuses a TWO_LEVEL item without approvalDepartment', () => {
    const data = minimalRegion();
    const item = funeralSubsidy();
    delete item.approvalDepartment;
    data.items.push(item);
    expect(problemsOf(data)).toContain(
      'items[2].approvalDepartment：两级审批（TWO_LEVEL）事项须写明上级核准部门 approvalDepartment',
    );
  });

  it('refuses approvalDepartment on an item that is not TWO_LEVEL', () => {
    const data = minimalRegion();
    data.items[1]!.approvalDepartment = '驻马店市住房和城乡建设局';
    expect(problemsOf(data)).toContain(
      'items[1].approvalDepartment：只有两级审批（TWO_LEVEL）事项有上级核准部门',
    );
  });

  it('refuses rules on a TWO_LEVEL item', () => {
    const data = minimalRegion();
    data.items.push({ ...funeralSubsidy(), rules: data.items[0]!.rules });
    expect(problemsOf(data)).toContain(
      'items[2].rules：人工审批（STANDARD、TWO_LEVEL）事项不使用秒批规则',
    );
  });

  it('refuses a pre-review time longer than the time limit', () => {
    const data = minimalRegion();
    data.items.push({ ...funeralSubsidy(), preReviewWorkingDays: 11 });
    expect(problemsOf(data)).toContain(
      'items[2].preReviewWorkingDays：预审时限不能长于办理时限（10 个工作日）',
    );
  });

  it('refuses a survey on an INSTANT item', () => {
    const data = minimalRegion();
    data.items[0]!.surveyRequired = true;
    expect(problemsOf(data)).toContain(
      'items[0].surveyRequired：秒批（INSTANT）事项由规则即时决定，不能安排踏勘；请改为 STANDARD',
    );
  });

  it('refuses a renewal without validityDays: the certificate would never expire', () => {
    const data = minimalRegion();
    const item = smallCatering();
    delete item.validityDays;
    data.items.push(item);
    expect(problemsOf(data)).toContain(
      'items[2].renewal：证照没有有效期（validityDays）就不会到期，不需要 renewal',
    );
  });

  it('refuses a renewal to an item the catalog does not have', () => {
    const data = minimalRegion();
    data.items.push({
      ...smallCatering(),
      renewal: { item: 'NO_SUCH_ITEM', remindDaysBefore: 30 },
    });
    expect(problemsOf(data)).toContain(
      'items[2].renewal.item：续办事项 NO_SUCH_ITEM 不在本地区的 items 中',
    );
  });

  it('refuses a reminder of 0 days or more than a year', () => {
    for (const days of [0, 366]) {
      const data = minimalRegion();
      data.items.push({
        ...smallCatering(),
        renewal: { item: 'CRANE_USE_REGISTRATION', remindDaysBefore: days },
      });
      expect(problemsOf(data)).toContain('items[2].renewal.remindDaysBefore：');
    }
  });
});

describe('region file — fieldRange conditions', () => {
  const withCondition = (condition: Record<string, unknown>): ReturnType<typeof minimalRegion> => {
    const data = minimalRegion();
    const item = data.items[0]!;
    item.fields = [
      ...(item.fields as Record<string, unknown>[]),
      { name: 'lifting_capacity', label: '额定起重量（吨）', required: true },
    ];
    (item.rules as { when: unknown[] }[])[0]!.when = [condition];
    return data;
  };

  it('reads { field, atLeast, atMost } as a range, either bound optional', () => {
    const when = (condition: Record<string, unknown>) =>
      load(withCondition(condition)).items[0]!.rules![0]!.when;
    expect(when({ field: 'lifting_capacity', atLeast: 3, atMost: 10 })).toEqual([
      { kind: 'fieldRange', field: 'lifting_capacity', atLeast: 3, atMost: 10 },
    ]);
    expect(when({ field: 'lifting_capacity', atMost: 10 })).toEqual([
      { kind: 'fieldRange', field: 'lifting_capacity', atMost: 10 },
    ]);
    expect(when({ field: 'lifting_capacity', atLeast: 0.5 })).toEqual([
      { kind: 'fieldRange', field: 'lifting_capacity', atLeast: 0.5 },
    ]);
  });

  it('refuses atLeast greater than atMost', () => {
    expect(
      problemsOf(withCondition({ field: 'lifting_capacity', atLeast: 10, atMost: 3 })),
    ).toContain('items[0].rules[0].when[0]：atLeast（10）不能大于 atMost（3）');
  });

  it('refuses a bound written as text, and a range mixed with another form', () => {
    expect(problemsOf(withCondition({ field: 'lifting_capacity', atLeast: '3' }))).toContain(
      'items[0].rules[0].when[0].atLeast：应为数字，这里是文本',
    );
    expect(
      problemsOf(withCondition({ field: 'lifting_capacity', atLeast: 3, equals: '5' })),
    ).toContain('{ field, atLeast?, atMost? }');
  });

  it('refuses a range on a field the item does not define', () => {
    expect(problemsOf(withCondition({ field: 'tonnage', atLeast: 3 }))).toContain(
      'items[0].rules[0].when[0].field：事项 CRANE_DEREGISTRATION 的 fields 中没有申请字段 tonnage',
    );
  });
});

describe('region file — windows and bundles', () => {
  it('reads the region’s window and a partner’s window as postal addresses', () => {
    const data = minimalRegion();
    data.window = window;
    data.partners[0]!.window = {
      ...window,
      recipient: '潜江市民之家跨省通办窗口',
      divisionCode: '429005',
      postalCode: '433100',
    };
    const region = load(data);
    expect(region.window).toEqual(window);
    expect(region.partners[0]!.window?.recipient).toBe('潜江市民之家跨省通办窗口');
  });

  it('refuses a window with a malformed phone number or postal code', () => {
    const data = minimalRegion();
    data.window = { ...window, phone: '12345', postalCode: '4630' };
    const message = problemsOf(data);
    expect(message).toContain('window.phone：应为手机号或带区号的固定电话');
    expect(message).toContain('window.postalCode：应为 6 位邮政编码');
  });

  it('reads a bundle of partners’ items', () => {
    const data = regionWithPartners();
    data.bundles = [
      bundle([
        { region: '429005', item: 'HPF_RETIREMENT_WITHDRAWAL' },
        { region: '430600', item: 'HPF_DEPOSIT_CERTIFICATE' },
      ]),
    ];
    expect(load(data).bundles).toEqual([
      {
        code: 'RELOCATION_HOME',
        name: '异地安居一件事',
        items: [
          { region: '429005', item: 'HPF_RETIREMENT_WITHDRAWAL' },
          { region: '430600', item: 'HPF_DEPOSIT_CERTIFICATE' },
        ],
      },
    ]);
  });

  it('refuses an item of the region itself in a bundle: bundles gather partners’ items', () => {
    const data = regionWithPartners();
    data.bundles = [
      bundle([
        { region: '411700', item: 'CRANE_USE_REGISTRATION' },
        { region: '429005', item: 'HPF_RETIREMENT_WITHDRAWAL' },
      ]),
    ];
    expect(problemsOf(data)).toContain('bundles[0].items[0].region：一件事中的事项由合作地区办理');
  });

  it('refuses a bundle item of a region that is not a partner', () => {
    const data = regionWithPartners();
    data.bundles = [
      bundle([
        { region: '429005', item: 'HPF_RETIREMENT_WITHDRAWAL' },
        { region: '110100', item: 'SOMETHING' },
      ]),
    ];
    expect(problemsOf(data)).toContain('bundles[0].items[1].region：110100 不在 partners 中');
  });

  it('refuses a bundle of fewer than two items, an item twice and a bundle code twice', () => {
    const single = regionWithPartners();
    single.bundles = [bundle([{ region: '429005', item: 'HPF_RETIREMENT_WITHDRAWAL' }])];
    expect(problemsOf(single)).toContain('bundles[0].items：一件事至少包含 2 个事项');

    const twice = regionWithPartners();
    const parts = [
      { region: '429005', item: 'HPF_RETIREMENT_WITHDRAWAL' },
      { region: '429005', item: 'HPF_RETIREMENT_WITHDRAWAL' },
    ];
    twice.bundles = [bundle(parts), bundle([parts[0]!, { region: '430600', item: 'X' }])];
    const message = problemsOf(twice);
    expect(message).toContain(
      'bundles[0].items[1]：事项 429005/HPF_RETIREMENT_WITHDRAWAL 在一件事 RELOCATION_HOME 中重复',
    );
    expect(message).toContain('bundles[1].code：一件事编码 RELOCATION_HOME 重复');
  });
});

describe('serviceLists (seed 002: 五星级零跑动, 当场办结, 简易审批)', () => {
  const base: RegionItem = {
    code: 'ITEM',
    name: '事项',
    department: '某部门',
    mode: 'STANDARD',
    surveyRequired: false,
    originalsRequired: false,
    inPersonRequired: false,
    materials: [],
    timeLimitWorkingDays: 10,
    certificateType: '证照',
    delivery: ['ELECTRONIC'],
    fields: [],
  };
  const lists = (overrides: Partial<RegionItem>) => serviceLists({ ...base, ...overrides });

  it('puts an INSTANT item with an electronic result on all three lists, in seed order', () => {
    expect(lists({ mode: 'INSTANT', timeLimitWorkingDays: 1 })).toEqual([
      'ZERO_VISIT',
      'ON_THE_SPOT',
      'SIMPLE_APPROVAL',
    ]);
  });

  it('keeps a plain STANDARD item off 当场办结 unless its time limit is 0 (即办)', () => {
    expect(lists({})).toEqual(['ZERO_VISIT', 'SIMPLE_APPROVAL']);
    expect(lists({ timeLimitWorkingDays: 0 })).toEqual([
      'ZERO_VISIT',
      'ON_THE_SPOT',
      'SIMPLE_APPROVAL',
    ]);
  });

  it('counts a mailed result as zero visits, a window pickup alone not', () => {
    expect(lists({ delivery: ['MAIL'] })).toContain('ZERO_VISIT');
    expect(lists({ delivery: ['WINDOW_PICKUP', 'MAIL'] })).toContain('ZERO_VISIT');
    expect(lists({ delivery: ['WINDOW_PICKUP'] })).not.toContain('ZERO_VISIT');
  });

  it('takes an item needing the applicant in person off 零跑动', () => {
    expect(lists({ inPersonRequired: true })).toEqual(['SIMPLE_APPROVAL']);
  });

  it('keeps originals collected by mail and remote surveys on 零跑动', () => {
    expect(lists({ originalsRequired: true })).toContain('ZERO_VISIT');
    expect(lists({ surveyRequired: true })).toContain('ZERO_VISIT');
  });

  it('takes surveys and two-level approval off 简易审批', () => {
    expect(lists({ surveyRequired: true })).toEqual(['ZERO_VISIT']);
    expect(lists({ mode: 'TWO_LEVEL', approvalDepartment: '上级部门' })).toEqual(['ZERO_VISIT']);
  });

  it('can leave an item on no list at all', () => {
    expect(
      lists({ surveyRequired: true, inPersonRequired: true, delivery: ['WINDOW_PICKUP'] }),
    ).toEqual([]);
  });
});
