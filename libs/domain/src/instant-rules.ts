import { fieldValue, type Application } from './application';
import { DomainError } from './domain-error';
import { NO_RULE_MATCHED } from './region/region-cross-checks';
import type { RegionItem, RuleCondition, RuleDecision } from './region/region.schema';

/** The outcome of instant approval (秒批) for one application. */
export interface InstantDecision {
  readonly decision: RuleDecision;
  /** Name of the rule that decided, or `none` when no rule matched. */
  readonly rule: string;
  /** Shown to the applicant at the origin window. */
  readonly reason: string;
}

/**
 * Decides an application for an INSTANT item by its rules, in order: the first rule whose
 * conditions all hold decides. When none holds the answer is a rejection that says, rule by rule,
 * what was missing, so that the clerk can tell the applicant what to bring next time.
 */
export function evaluateInstantRules(item: RegionItem, application: Application): InstantDecision {
  if (item.mode !== 'INSTANT' || item.rules === undefined) {
    throw new DomainError(
      'RULES.NOT_INSTANT',
      `事项“${item.name}”（${item.code}）不是秒批事项，须由审批人员审查。`,
    );
  }
  for (const rule of item.rules) {
    if (rule.when.every((condition) => holds(condition, application))) {
      return { decision: rule.decision, rule: rule.name, reason: rule.reason ?? rule.description };
    }
  }
  const missing = item.rules
    .filter((rule) => rule.decision === 'APPROVE')
    .map((rule) => {
      const unmet = rule.when
        .filter((condition) => !holds(condition, application))
        .map((condition) => describe(item, condition));
      return `按“${rule.description}”办理须${unmet.join('，')}`;
    });
  return {
    decision: 'REJECT',
    rule: NO_RULE_MATCHED,
    reason:
      missing.length === 0
        ? `不符合秒批条件：事项“${item.name}”没有可自动批准的情形。`
        : `不符合秒批条件：${missing.join('；')}。请核对申请信息与材料后重新申请。`,
  };
}

function holds(condition: RuleCondition, application: Application): boolean {
  switch (condition.kind) {
    case 'applicantKind':
      return application.applicantKind === condition.applicantKind;
    case 'fieldEquals':
      return fieldValue(application, condition.field) === condition.value;
    case 'fieldIn': {
      const value = fieldValue(application, condition.field);
      return value !== undefined && condition.values.includes(value);
    }
    case 'fieldPresent':
      return (fieldValue(application, condition.field) !== undefined) === condition.present;
    case 'materialPresent':
      return application.materials.includes(condition.material) === condition.present;
  }
}

/** A condition in the words of the window: field and value labels, material names. */
function describe(item: RegionItem, condition: RuleCondition): string {
  if (condition.kind === 'applicantKind') {
    return `由${condition.applicantKind === 'PERSON' ? '个人' : '单位'}申请`;
  }
  if (condition.kind === 'materialPresent') {
    const name =
      item.materials.find((material) => material.code === condition.material)?.name ??
      condition.material;
    return condition.present ? `提交“${name}”` : `不提交“${name}”`;
  }
  const field = item.fields.find((candidate) => candidate.name === condition.field);
  const label = field?.label ?? condition.field;
  const valueLabel = (value: string): string =>
    `“${field?.values?.find((option) => option.value === value)?.label ?? value}”`;
  switch (condition.kind) {
    case 'fieldEquals':
      return `“${label}”为${valueLabel(condition.value)}`;
    case 'fieldIn':
      return `“${label}”为${condition.values.map(valueLabel).join('或')}`;
    case 'fieldPresent':
      return condition.present ? `填写“${label}”` : `不填写“${label}”`;
  }
}
