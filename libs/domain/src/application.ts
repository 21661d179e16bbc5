import type { ApplicantKindName, RegionItem } from './region/region.schema';

/** What the applicant hands in for one item, as the domain rules see it. */
export interface Application {
  readonly applicantKind: ApplicantKindName;
  /** Item-specific application fields by name, e.g. `{ withdrawal_reason: 'RETIREMENT' }`. */
  readonly fields: Readonly<Record<string, string>>;
  /** Catalog codes of the materials handed in, e.g. `['ID_CARD', 'RETIREMENT_PROOF']`. */
  readonly materials: readonly string[];
}

export type ApplicationProblemCode =
  | 'APPLICATION.MISSING_MATERIAL'
  | 'APPLICATION.UNKNOWN_MATERIAL'
  | 'APPLICATION.MISSING_FIELD'
  | 'APPLICATION.UNKNOWN_FIELD'
  | 'APPLICATION.INVALID_FIELD_VALUE';

export interface ApplicationProblem {
  readonly code: ApplicationProblemCode;
  readonly message: string;
}

/** The trimmed value of a field, or undefined when it is missing or blank. */
export function fieldValue(application: Application, name: string): string | undefined {
  // Own properties only: a field named like an Object.prototype member must not read one.
  const value = Object.hasOwn(application.fields, name) ? application.fields[name] : undefined;
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * Everything wrong with an application for `item` (形式审查 at the window): mandatory materials
 * missing, required fields empty, values outside the allowed list, and fields or materials the
 * item does not know. An empty list means the window may accept it.
 */
export function checkApplication(item: RegionItem, application: Application): ApplicationProblem[] {
  const problems: ApplicationProblem[] = [];
  const handedIn = new Set(application.materials);
  for (const material of item.materials) {
    if (material.mandatory && !handedIn.has(material.code)) {
      problems.push({
        code: 'APPLICATION.MISSING_MATERIAL',
        message: `缺少必交材料“${material.name}”（${material.code}），请收取后再提交。`,
      });
    }
  }
  const known = new Set(item.materials.map((material) => material.code));
  for (const code of handedIn) {
    if (!known.has(code)) {
      problems.push({
        code: 'APPLICATION.UNKNOWN_MATERIAL',
        message: `“${item.name}”不需要材料 ${code}，请检查材料类型是否选错。`,
      });
    }
  }
  for (const field of item.fields) {
    const value = fieldValue(application, field.name);
    if (value === undefined) {
      if (field.required) {
        problems.push({
          code: 'APPLICATION.MISSING_FIELD',
          message: `请填写“${field.label}”（${field.name}）。`,
        });
      }
      continue;
    }
    if (field.values !== undefined && !field.values.some((option) => option.value === value)) {
      problems.push({
        code: 'APPLICATION.INVALID_FIELD_VALUE',
        message: `“${field.label}”的值“${value}”不在可选范围内，可选：${field.values
          .map((option) => `${option.label}（${option.value}）`)
          .join('、')}。`,
      });
    }
  }
  const fieldNames = new Set(item.fields.map((field) => field.name));
  for (const name of Object.keys(application.fields)) {
    if (!fieldNames.has(name)) {
      problems.push({
        code: 'APPLICATION.UNKNOWN_FIELD',
        message: `“${item.name}”没有申请项 ${name}，请检查是否选错了事项。`,
      });
    }
  }
  return problems;
}
