import { createHash } from 'node:crypto';
import { fieldValue, type Application } from './application';
import { DomainError } from './domain-error';
import { NO_RULE_MATCHED } from './region/region-cross-checks';
import type { RegionItem, RuleCondition, RuleDecision } from './region/region.schema';

/** How one rule fared on an application, condition by condition, in the window's words. */
export interface RuleTrace {
  readonly rule: string;
  readonly description: string;
  readonly matched: boolean;
  readonly conditions: readonly { readonly condition: string; readonly held: boolean }[];
}

/** The outcome of instant approval (秒批) for one application. */
export interface InstantDecision {
  readonly decision: RuleDecision;
  /** Name of the rule that decided, or `none` when no rule matched. */
  readonly rule: string;
  /** Shown to the applicant at the origin window. */
  readonly reason: string;
  /**
   * SHA-256 of the item's rule set as evaluated: stored with the decision, so a later change of
   * the rules is visible and never rewrites why a past case was decided.
   */
  readonly ruleSetVersion: string;
  /** Every rule up to the one that decided (all of them when none matched). */
  readonly trace: readonly RuleTrace[];
}

/** SHA-256 (hex) of an item's rules in a canonical form: equal rules, equal version. */
export function ruleSetVersion(item: RegionItem): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(item.rules ?? [])))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, entry]) => entry !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, entry]) => [key, canonical(entry)]),
    );
  }
  return value;
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
  const version = ruleSetVersion(item);
  const trace: RuleTrace[] = [];
  for (const rule of item.rules) {
    const conditions = rule.when.map((condition) => ({
      condition: describe(item, condition),
      held: holds(condition, application),
    }));
    const matched = conditions.every((condition) => condition.held);
    trace.push({ rule: rule.name, description: rule.description, matched, conditions });
    if (matched) {
      return {
        decision: rule.decision,
        rule: rule.name,
        reason: rule.reason ?? rule.description,
        ruleSetVersion: version,
        trace,
      };
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
    ruleSetVersion: version,
    trace,
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
    case 'fieldRange': {
      const value = fieldValue(application, condition.field);
      // A number as the window types it: digits, an optional sign and decimal point only.
      if (value === undefined || !/^[+-]?\d+(\.\d+)?$/.test(value)) return false;
      const number = Number(value);
      return (
        (condition.atLeast === undefined || number >= condition.atLeast) &&
        (condition.atMost === undefined || number <= condition.atMost)
      );
    }
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
    case 'fieldRange':
      if (condition.atLeast !== undefined && condition.atMost !== undefined) {
        return `“${label}”在 ${String(condition.atLeast)} 至 ${String(condition.atMost)} 之间`;
      }
      return condition.atLeast !== undefined
        ? `“${label}”不小于 ${String(condition.atLeast)}`
        : `“${label}”不大于 ${String(condition.atMost)}`;
  }
}
