import { describe, expect, it } from 'vitest';
import { checkApplication, type Application, type RegionItem } from '../src';

const item: RegionItem = {
  code: 'FOOD_BUSINESS_LICENSE',
  name: '食品经营许可',
  department: '潜江市市场监督管理局',
  mode: 'STANDARD',
  surveyRequired: false,
  originalsRequired: false,
  inPersonRequired: false,
  materials: [
    { code: 'APPLICATION_FORM', name: '食品经营许可申请书', mandatory: true },
    { code: 'BUSINESS_LICENSE', name: '营业执照', mandatory: true },
    { code: 'PREMISES_PHOTOS', name: '经营场所照片', mandatory: false },
  ],
  timeLimitWorkingDays: 10,
  certificateType: '食品经营许可证',
  validityDays: 1826,
  delivery: ['MAIL'],
  fields: [
    {
      name: 'business_type',
      label: '主体业态',
      required: true,
      values: [
        { value: 'FOOD_SALES', label: '食品销售经营者' },
        { value: 'CATERING', label: '餐饮服务经营者' },
      ],
    },
    { name: 'premises_address', label: '经营场所', required: true },
    { name: 'remarks', label: '备注', required: false },
  ],
};

const complete: Application = {
  applicantKind: 'ORGANIZATION',
  fields: { business_type: 'CATERING', premises_address: '潜江市园林路 1 号' },
  materials: ['APPLICATION_FORM', 'BUSINESS_LICENSE'],
};

describe('checkApplication (形式审查 at the window)', () => {
  it('finds nothing wrong with a complete application', () => {
    expect(checkApplication(item, complete)).toEqual([]);
  });

  it('accepts optional materials and fields when given', () => {
    const fuller = {
      ...complete,
      fields: { ...complete.fields, remarks: '连锁门店' },
      materials: [...complete.materials, 'PREMISES_PHOTOS'],
    };
    expect(checkApplication(item, fuller)).toEqual([]);
  });

  it('names a missing mandatory material', () => {
    expect(checkApplication(item, { ...complete, materials: ['APPLICATION_FORM'] })).toEqual([
      {
        code: 'APPLICATION.MISSING_MATERIAL',
        message: '缺少必交材料“营业执照”（BUSINESS_LICENSE），请收取后再提交。',
      },
    ]);
  });

  it('refuses a material the item does not know', () => {
    const problems = checkApplication(item, {
      ...complete,
      materials: [...complete.materials, 'X'],
    });
    expect(problems.map((problem) => problem.code)).toEqual(['APPLICATION.UNKNOWN_MATERIAL']);
  });

  it('names a missing or blank required field by its label', () => {
    const problems = checkApplication(item, {
      ...complete,
      fields: { business_type: 'CATERING', premises_address: ' ' },
    });
    expect(problems).toEqual([
      { code: 'APPLICATION.MISSING_FIELD', message: '请填写“经营场所”（premises_address）。' },
    ]);
  });

  it('refuses a value outside the allowed list and lists the allowed ones', () => {
    const problems = checkApplication(item, {
      ...complete,
      fields: { ...complete.fields, business_type: 'CANTEEN' },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'APPLICATION.INVALID_FIELD_VALUE' });
    expect(problems[0]!.message).toContain(
      '食品销售经营者（FOOD_SALES）、餐饮服务经营者（CATERING）',
    );
  });

  it('refuses a field the item does not have', () => {
    const problems = checkApplication(item, {
      ...complete,
      fields: { ...complete.fields, withdrawal_reason: 'RETIREMENT' },
    });
    expect(problems.map((problem) => problem.code)).toEqual(['APPLICATION.UNKNOWN_FIELD']);
  });

  it('reports every problem at once so the clerk fixes them in one go', () => {
    const problems = checkApplication(item, {
      applicantKind: 'ORGANIZATION',
      fields: {},
      materials: [],
    });
    expect(problems.map((problem) => problem.code)).toEqual([
      'APPLICATION.MISSING_MATERIAL',
      'APPLICATION.MISSING_MATERIAL',
      'APPLICATION.MISSING_FIELD',
      'APPLICATION.MISSING_FIELD',
    ]);
  });
});
