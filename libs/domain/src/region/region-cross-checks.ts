import { provinceName } from '../provinces';
import type { Region, RegionItem } from './region.schema';

/** One thing wrong in a region file, at a path such as `items[1].materials[0].code`. */
export interface RegionProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The rule name `evaluateInstantRules` reports when no rule matched. */
export const NO_RULE_MATCHED = 'none';

/**
 * Checks that need more than one field of a schema-valid region: references between items,
 * partners and agreements, duplicate codes, and rules that fit their item.
 */
export function crossCheckRegion(region: Region): RegionProblem[] {
  const problems: RegionProblem[] = [];
  const report = (path: (string | number)[], message: string): void => {
    problems.push({ path, message });
  };

  const expectedProvince = provinceName(region.code);
  if (expectedProvince === undefined) {
    report(['code'], `前两位 ${region.code.slice(0, 2)} 不是有效的省级行政区划代码`);
  } else if (region.province !== expectedProvince) {
    report(
      ['province'],
      `地区代码 ${region.code} 属于${expectedProvince}，这里写的是“${region.province}”`,
    );
  }

  const itemCodes = new Map<string, number>();
  region.items.forEach((item, index) => {
    const first = itemCodes.get(item.code);
    if (first === undefined) itemCodes.set(item.code, index);
    else report(['items', index, 'code'], `事项编码 ${item.code} 重复，items[${first}] 已使用`);
    checkItem(item, (path, message) => {
      report(['items', index, ...path], message);
    });
  });

  const partnerCodes = new Map<string, number>();
  region.partners.forEach((partner, index) => {
    if (partner.code === region.code) {
      report(['partners', index, 'code'], '不能把本地区列为自己的合作地区');
    }
    const first = partnerCodes.get(partner.code);
    if (first === undefined) partnerCodes.set(partner.code, index);
    else
      report(
        ['partners', index, 'code'],
        `合作地区 ${partner.code} 重复，partners[${first}] 已列出`,
      );
  });

  const agreementPartners = new Map<string, number>();
  region.agreements.forEach((agreement, index) => {
    if (!partnerCodes.has(agreement.partner)) {
      report(
        ['agreements', index, 'partner'],
        `${agreement.partner} 不在 partners 中；请先在 partners 中登记该合作地区`,
      );
    }
    const first = agreementPartners.get(agreement.partner);
    if (first === undefined) agreementPartners.set(agreement.partner, index);
    else {
      report(
        ['agreements', index, 'partner'],
        `与 ${agreement.partner} 的协议重复，agreements[${first}] 已有；请合并为一条`,
      );
    }
    const seen = new Set<string>();
    agreement.items.forEach((code, itemIndex) => {
      if (!itemCodes.has(code)) {
        report(['agreements', index, 'items', itemIndex], `事项 ${code} 不在本地区的 items 中`);
      }
      if (seen.has(code)) {
        report(['agreements', index, 'items', itemIndex], `事项 ${code} 在本协议中重复列出`);
      }
      seen.add(code);
    });
  });

  region.items.forEach((item, index) => {
    if (item.renewal !== undefined && !itemCodes.has(item.renewal.item)) {
      report(
        ['items', index, 'renewal', 'item'],
        `续办事项 ${item.renewal.item} 不在本地区的 items 中`,
      );
    }
  });

  const bundleCodes = new Set<string>();
  region.bundles.forEach((bundle, index) => {
    if (bundleCodes.has(bundle.code)) {
      report(['bundles', index, 'code'], `一件事编码 ${bundle.code} 重复`);
    }
    bundleCodes.add(bundle.code);
    const seen = new Set<string>();
    bundle.items.forEach((entry, itemIndex) => {
      const at = ['bundles', index, 'items', itemIndex];
      if (entry.region === region.code) {
        report(
          [...at, 'region'],
          '一件事中的事项由合作地区办理；本地区事项请在本地区业务系统中办理',
        );
      } else if (!partnerCodes.has(entry.region)) {
        report([...at, 'region'], `${entry.region} 不在 partners 中`);
      }
      const key = `${entry.region}/${entry.item}`;
      if (seen.has(key)) report(at, `事项 ${key} 在一件事 ${bundle.code} 中重复`);
      seen.add(key);
    });
  });

  return problems;
}

function checkItem(
  item: RegionItem,
  report: (path: (string | number)[], message: string) => void,
): void {
  const materials = new Set<string>();
  item.materials.forEach((material, index) => {
    if (materials.has(material.code)) {
      report(['materials', index, 'code'], `材料编码 ${material.code} 在事项 ${item.code} 中重复`);
    }
    materials.add(material.code);
  });

  const fields = new Map<string, ReadonlySet<string> | undefined>();
  item.fields.forEach((field, index) => {
    if (fields.has(field.name)) {
      report(['fields', index, 'name'], `申请字段 ${field.name} 在事项 ${item.code} 中重复`);
    }
    const values = new Set<string>();
    field.values?.forEach((option, valueIndex) => {
      if (values.has(option.value)) {
        report(['fields', index, 'values', valueIndex, 'value'], `可选值 ${option.value} 重复`);
      }
      values.add(option.value);
    });
    fields.set(field.name, field.values === undefined ? undefined : values);
  });

  if (item.mode === 'TWO_LEVEL' && item.approvalDepartment === undefined) {
    report(
      ['approvalDepartment'],
      '两级审批（TWO_LEVEL）事项须写明上级核准部门 approvalDepartment',
    );
  }
  if (item.mode !== 'TWO_LEVEL' && item.approvalDepartment !== undefined) {
    report(['approvalDepartment'], '只有两级审批（TWO_LEVEL）事项有上级核准部门；请删除此项');
  }
  if (
    item.preReviewWorkingDays !== undefined &&
    item.preReviewWorkingDays > item.timeLimitWorkingDays
  ) {
    report(
      ['preReviewWorkingDays'],
      `预审时限不能长于办理时限（${item.timeLimitWorkingDays} 个工作日）`,
    );
  }
  if (item.renewal !== undefined && item.validityDays === undefined) {
    report(['renewal'], '证照没有有效期（validityDays）就不会到期，不需要 renewal');
  }
  if (item.mode !== 'INSTANT') {
    if (item.rules !== undefined) {
      report(
        ['rules'],
        '人工审批（STANDARD、TWO_LEVEL）事项不使用秒批规则；请删除 rules，或把 mode 改为 INSTANT',
      );
    }
    return;
  }
  if (item.surveyRequired) {
    report(['surveyRequired'], '秒批（INSTANT）事项由规则即时决定，不能安排踏勘；请改为 STANDARD');
  }
  if (item.rules === undefined || item.rules.length === 0) {
    report(['rules'], '秒批（INSTANT）事项必须配置至少 1 条规则，否则无法自动作出决定');
    return;
  }

  const ruleNames = new Set<string>();
  item.rules.forEach((rule, ruleIndex) => {
    const at = (...path: (string | number)[]): (string | number)[] => ['rules', ruleIndex, ...path];
    if (rule.name === NO_RULE_MATCHED) {
      report(at('name'), `规则名 ${NO_RULE_MATCHED} 保留给“没有规则匹配”的结果，请换一个名称`);
    }
    if (ruleNames.has(rule.name))
      report(at('name'), `规则名 ${rule.name} 在事项 ${item.code} 中重复`);
    ruleNames.add(rule.name);
    if (rule.decision === 'REJECT' && rule.reason === undefined) {
      report(at('reason'), '不予批准（REJECT）的规则必须写明 reason，它会告知申请人');
    }
    rule.when.forEach((condition, conditionIndex) => {
      if (condition.kind === 'applicantKind') return;
      if (condition.kind === 'materialPresent') {
        if (!materials.has(condition.material)) {
          report(
            at('when', conditionIndex, 'material'),
            `事项 ${item.code} 的 materials 中没有材料 ${condition.material}`,
          );
        }
        return;
      }
      if (!fields.has(condition.field)) {
        report(
          at('when', conditionIndex, 'field'),
          `事项 ${item.code} 的 fields 中没有申请字段 ${condition.field}`,
        );
        return;
      }
      const allowed = fields.get(condition.field);
      if (allowed === undefined || condition.kind === 'fieldRange') return;
      const values =
        condition.kind === 'fieldEquals'
          ? [condition.value]
          : condition.kind === 'fieldIn'
            ? condition.values
            : [];
      for (const value of values) {
        if (!allowed.has(value)) {
          report(
            at('when', conditionIndex, condition.kind === 'fieldEquals' ? 'equals' : 'in'),
            `${value} 不是申请字段 ${condition.field} 的可选值（可选：${[...allowed].join('、')}）`,
          );
        }
      }
    });
  });
}
