import { describe, expect, it } from 'vitest';
import {
  DomainError,
  evaluateInstantRules,
  NO_RULE_MATCHED,
  type Application,
  type InstantRule,
  type RegionItem,
  type RuleCondition,
  ruleSetVersion,
} from '../src';

// A 秒批 item like 潜江's retirement withdrawal, with rules supplied per test.
function item(rules: InstantRule[]): RegionItem {
  return {
    code: 'HPF_RETIREMENT_WITHDRAWAL',
    name: '离退休提取住房公积金',
    department: '潜江市住房公积金中心',
    mode: 'INSTANT',
    surveyRequired: false,
    originalsRequired: false,
    inPersonRequired: false,
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
      { name: 'contribution_years', label: '缴存年限', required: false },
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
      ruleSetVersion: ruleSetVersion(item(rules)),
      trace: [
        {
          rule: 'only-rule',
          description: '测试规则',
          matched: true,
          conditions: [{ condition: '“提取原因”为“离休或退休”', held: true }],
        },
      ],
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
    expect(result).toMatchObject({
      decision: 'REJECT',
      rule: 'organization-applicant',
      reason: '单位不能代为提取',
    });
    // The trace stops at the rule that decided.
    expect(result.trace.map((entry) => [entry.rule, entry.matched])).toEqual([
      ['organization-applicant', true],
    ]);
  });

  it('requires every condition of a rule to hold', () => {
    const noProof = application({ materials: ['ID_CARD'] });
    expect(evaluateInstantRules(item([retiree]), noProof).rule).toBe(NO_RULE_MATCHED);
  });

  it('uses the description as the reason when an APPROVE rule has none', () => {
    const result = evaluateInstantRules(item([rejectOrganizations, retiree]), application());
    expect(result).toMatchObject({
      decision: 'APPROVE',
      rule: 'retiree-withdrawal',
      reason: '离退休职工销户提取',
    });
    expect(result.trace.map((entry) => [entry.rule, entry.matched])).toEqual([
      ['organization-applicant', false],
      ['retiree-withdrawal', true],
    ]);
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
      ruleSetVersion: ruleSetVersion(item([rejectOrganizations, retiree])),
      // Every rule, each condition with whether it held.
      trace: [
        {
          rule: 'organization-applicant',
          description: '由职工本人申请',
          matched: false,
          conditions: [{ condition: '由单位申请', held: false }],
        },
        {
          rule: 'retiree-withdrawal',
          description: '离退休职工销户提取',
          matched: false,
          conditions: [
            { condition: '由个人申请', held: true },
            { condition: '“提取原因”为“离休或退休”', held: false },
            { condition: '填写“收款银行账号”', held: false },
            { condition: '提交“退休证或养老金领取证明”', held: false },
          ],
        },
      ],
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

describe('instant rules — field range (numbers typed at the window)', () => {
  const atLeast15 = [approveWhen({ kind: 'fieldRange', field: 'contribution_years', atLeast: 15 })];
  const atMost50 = [approveWhen({ kind: 'fieldRange', field: 'contribution_years', atMost: 50 })];
  const between = [
    approveWhen({ kind: 'fieldRange', field: 'contribution_years', atLeast: 15, atMost: 50 }),
  ];
  const decide = (rules: InstantRule[], value: string | undefined) =>
    evaluateInstantRules(
      item(rules),
      application({
        fields: value === undefined ? {} : { contribution_years: value },
      }),
    ).decision;

  it.each([
    ['15', 'APPROVE'],
    ['15.0', 'APPROVE'],
    ['+16', 'APPROVE'],
    ['14.99', 'REJECT'],
    ['-20', 'REJECT'],
  ] as const)('atLeast 15 (inclusive): %s → %s', (value, decision) => {
    expect(decide(atLeast15, value)).toBe(decision);
  });

  it.each([
    ['50', 'APPROVE'],
    ['0', 'APPROVE'],
    ['-3', 'APPROVE'],
    ['50.5', 'REJECT'],
  ] as const)('atMost 50 (inclusive): %s → %s', (value, decision) => {
    expect(decide(atMost50, value)).toBe(decision);
  });

  it.each([
    ['14', 'REJECT'],
    ['15', 'APPROVE'],
    ['32', 'APPROVE'],
    ['50', 'APPROVE'],
    ['51', 'REJECT'],
  ] as const)('between 15 and 50: %s → %s', (value, decision) => {
    expect(decide(between, value)).toBe(decision);
  });

  it('reads a value with spaces around it as the number', () => {
    expect(decide(atLeast15, ' 20 ')).toBe('APPROVE');
  });

  // Only digits with an optional sign and decimal point are a number: anything else never
  // satisfies a bound, whichever way the bound points.
  it.each(['十五', '15年', '1e3', '0x10', 'Infinity', 'NaN', '1,000', '.5', '5.', '--5', '', '  '])(
    'does not hold for the non-numeric input %j, neither for atLeast nor for atMost',
    (value) => {
      expect(decide(atLeast15, value)).toBe('REJECT');
      expect(decide(atMost50, value)).toBe('REJECT');
      expect(decide(between, value)).toBe('REJECT');
    },
  );

  it('does not hold when the field is missing', () => {
    expect(decide(atMost50, undefined)).toBe('REJECT');
  });

  it('says the bounds in the window’s words', () => {
    const reasonFor = (rules: InstantRule[]) =>
      evaluateInstantRules(item(rules), application({ fields: {} })).reason;
    expect(reasonFor(atLeast15)).toContain('“缴存年限”不小于 15');
    expect(reasonFor(atMost50)).toContain('“缴存年限”不大于 50');
    expect(reasonFor(between)).toContain('“缴存年限”在 15 至 50 之间');
  });
});

describe('instant rules — no rule matching', () => {
  const rejectOnly: InstantRule = {
    name: 'emigration',
    description: '出境定居提取须人工审核',
    when: [{ kind: 'fieldEquals', field: 'withdrawal_reason', value: 'EMIGRATION' }],
    decision: 'REJECT',
    reason: '出境定居提取须到窗口人工审核',
  };
  const approve = approveWhen({ kind: 'materialPresent', material: 'ID_CARD', present: true });

  it('rejects with rule "none" and traces every rule, in order, none matched', () => {
    const result = evaluateInstantRules(
      item([rejectOnly, approve]),
      application({ materials: [] }),
    );
    expect(result.decision).toBe('REJECT');
    expect(result.rule).toBe(NO_RULE_MATCHED);
    expect(result.rule).toBe('none');
    expect(result.trace).toEqual([
      {
        rule: 'emigration',
        description: '出境定居提取须人工审核',
        matched: false,
        conditions: [{ condition: '“提取原因”为“出境定居”', held: false }],
      },
      {
        rule: 'only-rule',
        description: '测试规则',
        matched: false,
        conditions: [{ condition: '提交“居民身份证”', held: false }],
      },
    ]);
    expect(result.reason).toBe(
      '不符合秒批条件：按“测试规则”办理须提交“居民身份证”。请核对申请信息与材料后重新申请。',
    );
  });
});

describe('instant rules — the rule-set version', () => {
  const retiree: InstantRule = {
    name: 'retiree-withdrawal',
    description: '离退休职工销户提取',
    when: [
      { kind: 'fieldEquals', field: 'withdrawal_reason', value: 'RETIREMENT' },
      { kind: 'fieldRange', field: 'contribution_years', atLeast: 1 },
    ],
    decision: 'APPROVE',
  };
  // The same rule with every object's keys written in another order.
  const reordered = {
    decision: 'APPROVE',
    when: [
      { value: 'RETIREMENT', field: 'withdrawal_reason', kind: 'fieldEquals' },
      { atLeast: 1, kind: 'fieldRange', field: 'contribution_years' },
    ],
    description: '离退休职工销户提取',
    name: 'retiree-withdrawal',
  } as InstantRule;

  it('is a SHA-256 in hex', () => {
    expect(ruleSetVersion(item([retiree]))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of keys, nor on keys left undefined', () => {
    expect(ruleSetVersion(item([reordered]))).toBe(ruleSetVersion(item([retiree])));
    expect(ruleSetVersion(item([{ ...retiree, reason: undefined }]))).toBe(
      ruleSetVersion(item([retiree])),
    );
  });

  it('does not depend on what is not a rule (the item’s name, materials)', () => {
    const renamed = { ...item([retiree]), name: '住房公积金离退休提取', materials: [] };
    expect(ruleSetVersion(renamed)).toBe(ruleSetVersion(item([retiree])));
  });

  it.each([
    [
      'a condition value',
      {
        ...retiree,
        when: [retiree.when[0]!, { kind: 'fieldRange', field: 'contribution_years', atLeast: 2 }],
      },
    ],
    ['a condition removed', { ...retiree, when: [retiree.when[0]!] }],
    ['the decision', { ...retiree, decision: 'REJECT', reason: '暂停秒批' }],
    ['the reason', { ...retiree, reason: '准予提取' }],
    ['the description', { ...retiree, description: '退休提取' }],
    ['the name', { ...retiree, name: 'retiree' }],
  ] as [string, InstantRule][])('changes when %s changes', (_, changed) => {
    expect(ruleSetVersion(item([changed]))).not.toBe(ruleSetVersion(item([retiree])));
  });

  it('changes when the rules change order (the first match decides)', () => {
    const other = approveWhen({ kind: 'applicantKind', applicantKind: 'PERSON' });
    expect(ruleSetVersion(item([retiree, other]))).not.toBe(ruleSetVersion(item([other, retiree])));
  });
});

describe('instant rules — a decision is a value: later rule changes never rewrite it', () => {
  const original: InstantRule = {
    name: 'retiree-withdrawal',
    description: '离退休职工销户提取',
    when: [{ kind: 'fieldEquals', field: 'withdrawal_reason', value: 'RETIREMENT' }],
    decision: 'APPROVE',
  };

  it('keeps the version, rule and trace it was made with after the item is changed in place', () => {
    const catalogItem = item([structuredClone(original)]);
    const decision = evaluateInstantRules(catalogItem, application());
    const asDecided = structuredClone(decision);

    // The administrator tightens the rule (e.g. the region file is reloaded and patched).
    const rule = catalogItem.rules![0]!;
    rule.description = '离退休且缴存满 15 年的职工销户提取';
    rule.when.push({ kind: 'fieldRange', field: 'contribution_years', atLeast: 15 });

    expect(decision).toEqual(asDecided);
    expect(decision.trace[0]!.conditions).toHaveLength(1);
  });

  it('gives a re-evaluation under changed rules a different version and its own outcome', () => {
    const before = evaluateInstantRules(item([original]), application());
    const tightened: InstantRule = {
      ...original,
      when: [...original.when, { kind: 'fieldRange', field: 'contribution_years', atLeast: 15 }],
    };
    const after = evaluateInstantRules(item([tightened]), application());

    expect(before).toMatchObject({ decision: 'APPROVE', rule: 'retiree-withdrawal' });
    expect(after).toMatchObject({ decision: 'REJECT', rule: 'none' });
    expect(after.ruleSetVersion).not.toBe(before.ruleSetVersion);
    expect(before.ruleSetVersion).toBe(ruleSetVersion(item([original])));
  });
});
