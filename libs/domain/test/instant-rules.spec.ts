import { describe, expect, it } from 'vitest';
import {
  DomainError,
  evaluateInstantRules,
  NO_RULE_MATCHED,
  type Application,
  type InstantRule,
  type RegionItem,
  type RuleCondition,
} from '../src';

// A 秒批 item like 潜江's retirement withdrawal, with rules supplied per test.
function item(rules: InstantRule[]): RegionItem {
  return {
    code: 'HPF_RETIREMENT_WITHDRAWAL',
    name: '离退休提取住房公积金',
    department: '潜江市住房公积金中心',
    mode: 'INSTANT',
    materials: [
      { code: 'ID_CARD', name: '居民身份证', mandatory: true },
      { code: 'RETIREMENT_PROOF', name: '退休证或养老金领取证明', mandatory: true },
    ],
    timeLimitWorkingDays: 1,
    certificateType: '住房公积金提取业务凭证',
    delivery: ['ELECTRONIC'],
    fields: [
      {
        name: 'withdrawal_reason',
        label: '提取原因',
        required: true,
        values: [
          { value: 'RETIREMENT', label: '离休或退休' },
          { value: 'EMIGRATION', label: '出境定居' },
          { value: 'DISABILITY', label: '丧失劳动能力' },
        ],
      },
      { name: 'bank_account', label: '收款银行账号', required: true },
    ],
    rules,
  };
}

const approveWhen = (...when: RuleCondition[]): InstantRule => ({
  name: 'only-rule',
  description: '测试规则',
  when,
  decision: 'APPROVE',
  reason: '准予提取',
});

const application = (overrides: Partial<Application> = {}): Application => ({
  applicantKind: 'PERSON',
  fields: { withdrawal_reason: 'RETIREMENT', bank_account: '6222000000000000' },
  materials: ['ID_CARD', 'RETIREMENT_PROOF'],
  ...overrides,
});

describe('instant rules — field equals', () => {
  const rules = [
    approveWhen({ kind: 'fieldEquals', field: 'withdrawal_reason', value: 'RETIREMENT' }),
  ];

  it('holds when the field has exactly the value', () => {
    expect(evaluateInstantRules(item(rules), application())).toEqual({
      decision: 'APPROVE',
      rule: 'only-rule',
      reason: '准予提取',
    });
  });

  it('holds when the window typed spaces around the value', () => {
    const spaced = application({ fields: { withdrawal_reason: ' RETIREMENT ' } });
    expect(evaluateInstantRules(item(rules), spaced).decision).toBe('APPROVE');
  });

  it('does not hold for another value', () => {
    const other = application({ fields: { withdrawal_reason: 'EMIGRATION' } });
    expect(evaluateInstantRules(item(rules), other).rule).toBe(NO_RULE_MATCHED);
  });

  it('does not hold when the field is missing', () => {
    expect(evaluateInstantRules(item(rules), application({ fields: {} })).decision).toBe('REJECT');
  });

  it('is case-sensitive: codes are codes', () => {
    const lower = application({ fields: { withdrawal_reason: 'retirement' } });
    expect(evaluateInstantRules(item(rules), lower).decision).toBe('REJECT');
  });
});

describe('instant rules — field in', () => {
  const rules = [
    approveWhen({
      kind: 'fieldIn',
      field: 'withdrawal_reason',
      values: ['RETIREMENT', 'EMIGRATION'],
    }),
  ];

  it.each(['RETIREMENT', 'EMIGRATION'])('holds for %s, one of the listed values', (value) => {
    const app = application({ fields: { withdrawal_reason: value } });
    expect(evaluateInstantRules(item(rules), app).decision).toBe('APPROVE');
  });

  it('does not hold for a value outside the list', () => {
    const app = application({ fields: { withdrawal_reason: 'DISABILITY' } });
    expect(evaluateInstantRules(item(rules), app).decision).toBe('REJECT');
  });

  it('does not hold when the field is blank', () => {
    const app = application({ fields: { withdrawal_reason: '  ' } });
    expect(evaluateInstantRules(item(rules), app).decision).toBe('REJECT');
  });
});

describe('instant rules — field present', () => {
  it('holds when the field is filled in', () => {
    const rules = [approveWhen({ kind: 'fieldPresent', field: 'bank_account', present: true })];
    expect(evaluateInstantRules(item(rules), application()).decision).toBe('APPROVE');
  });

  it('treats a blank value as missing', () => {
    const rules = [approveWhen({ kind: 'fieldPresent', field: 'bank_account', present: true })];
    const blank = application({ fields: { bank_account: '   ' } });
    expect(evaluateInstantRules(item(rules), blank).decision).toBe('REJECT');
  });

  it('can require a field to be absent (present: false)', () => {
    const rules = [approveWhen({ kind: 'fieldPresent', field: 'bank_account', present: false })];
    expect(evaluateInstantRules(item(rules), application({ fields: {} })).decision).toBe('APPROVE');
    expect(evaluateInstantRules(item(rules), application()).decision).toBe('REJECT');
  });

  it('does not mistake an Object.prototype member for a filled-in field', () => {
    const rules = [approveWhen({ kind: 'fieldPresent', field: 'constructor', present: true })];
    expect(evaluateInstantRules(item(rules), application({ fields: {} })).decision).toBe('REJECT');
  });
});

describe('instant rules — material present', () => {
  it('holds when the material was handed in', () => {
    const rules = [
      approveWhen({ kind: 'materialPresent', material: 'RETIREMENT_PROOF', present: true }),
    ];
    expect(evaluateInstantRules(item(rules), application()).decision).toBe('APPROVE');
  });

  it('does not hold when it is missing, and says which material in the reason', () => {
    const rules = [
      approveWhen({ kind: 'materialPresent', material: 'RETIREMENT_PROOF', present: true }),
    ];
    const result = evaluateInstantRules(item(rules), application({ materials: ['ID_CARD'] }));
    expect(result.decision).toBe('REJECT');
    expect(result.reason).toContain('提交“退休证或养老金领取证明”');
  });

  it('can require a material to be absent (present: false)', () => {
    const rules = [
      approveWhen({ kind: 'materialPresent', material: 'RETIREMENT_PROOF', present: false }),
    ];
    expect(evaluateInstantRules(item(rules), application()).decision).toBe('REJECT');
    expect(
      evaluateInstantRules(item(rules), application({ materials: ['ID_CARD'] })).decision,
    ).toBe('APPROVE');
  });
});

describe('instant rules — applicant kind', () => {
  const rules = [approveWhen({ kind: 'applicantKind', applicantKind: 'PERSON' })];

  it('holds for a person', () => {
    expect(evaluateInstantRules(item(rules), application()).decision).toBe('APPROVE');
  });

  it('does not hold for an organisation, and says a person must apply', () => {
    const result = evaluateInstantRules(
      item(rules),
      application({ applicantKind: 'ORGANIZATION' }),
    );
    expect(result.decision).toBe('REJECT');
    expect(result.reason).toContain('由个人申请');
  });
});

describe('instant rules — order, combination and no match', () => {
  const rejectOrganizations: InstantRule = {
    name: 'organization-applicant',
    description: '由职工本人申请',
    when: [{ kind: 'applicantKind', applicantKind: 'ORGANIZATION' }],
    decision: 'REJECT',
    reason: '单位不能代为提取',
  };
  const retiree: InstantRule = {
    name: 'retiree-withdrawal',
    description: '离退休职工销户提取',
    when: [
      { kind: 'applicantKind', applicantKind: 'PERSON' },
      { kind: 'fieldEquals', field: 'withdrawal_reason', value: 'RETIREMENT' },
      { kind: 'fieldPresent', field: 'bank_account', present: true },
      { kind: 'materialPresent', material: 'RETIREMENT_PROOF', present: true },
    ],
    decision: 'APPROVE',
  };

  it('lets the first matching rule decide', () => {
    const result = evaluateInstantRules(
      item([rejectOrganizations, retiree]),
      application({ applicantKind: 'ORGANIZATION' }),
    );
    expect(result).toEqual({
      decision: 'REJECT',
      rule: 'organization-applicant',
      reason: '单位不能代为提取',
    });
  });

  it('requires every condition of a rule to hold', () => {
    const noProof = application({ materials: ['ID_CARD'] });
    expect(evaluateInstantRules(item([retiree]), noProof).rule).toBe(NO_RULE_MATCHED);
  });

  it('uses the description as the reason when an APPROVE rule has none', () => {
    expect(evaluateInstantRules(item([rejectOrganizations, retiree]), application())).toEqual({
      decision: 'APPROVE',
      rule: 'retiree-withdrawal',
      reason: '离退休职工销户提取',
    });
  });

  it('rejects with rule "none" and lists every unmet condition of each approving rule', () => {
    const result = evaluateInstantRules(
      item([rejectOrganizations, retiree]),
      application({ fields: { withdrawal_reason: 'EMIGRATION' }, materials: [] }),
    );
    expect(result).toEqual({
      decision: 'REJECT',
      rule: 'none',
      reason:
        '不符合秒批条件：按“离退休职工销户提取”办理须“提取原因”为“离休或退休”，填写“收款银行账号”，提交“退休证或养老金领取证明”。请核对申请信息与材料后重新申请。',
    });
  });

  it('says plainly when an item has no approving rule at all', () => {
    const result = evaluateInstantRules(item([rejectOrganizations]), application());
    expect(result.rule).toBe('none');
    expect(result.reason).toContain('没有可自动批准的情形');
  });

  it('treats an empty condition list as always true (a catch-all rule)', () => {
    const catchAll: InstantRule = {
      name: 'manual-check',
      description: '其他情形',
      when: [],
      decision: 'REJECT',
      reason: '请改走人工审批',
    };
    expect(
      evaluateInstantRules(item([retiree, catchAll]), application({ materials: [] })).rule,
    ).toBe('manual-check');
  });

  it('refuses to decide a STANDARD item', () => {
    const standard: RegionItem = { ...item([]), mode: 'STANDARD', rules: undefined };
    expect(() => evaluateInstantRules(standard, application())).toThrow(DomainError);
    expect(() => evaluateInstantRules(standard, application())).toThrow(/不是秒批事项/);
  });

  it('is pure: the same application always gets the same decision', () => {
    const app = application();
    const first = evaluateInstantRules(item([rejectOrganizations, retiree]), app);
    expect(evaluateInstantRules(item([rejectOrganizations, retiree]), app)).toEqual(first);
    expect(app.materials).toEqual(['ID_CARD', 'RETIREMENT_PROOF']);
  });
});
