import { provinceName } from './provinces';
import type { ValidationResult } from './validation-result';

export type CreditCodeErrorCode =
  | 'CREDIT_CODE.WRONG_LENGTH'
  | 'CREDIT_CODE.INVALID_CHARACTER'
  | 'CREDIT_CODE.UNKNOWN_REGISTRATION_AUTHORITY'
  | 'CREDIT_CODE.UNKNOWN_CATEGORY'
  | 'CREDIT_CODE.INVALID_DIVISION_CODE'
  | 'CREDIT_CODE.ORGANIZATION_CODE_MISMATCH'
  | 'CREDIT_CODE.CHECK_CHARACTER_MISMATCH';

// GB 32100-2015 §4: 31 characters, no I, O, Z, S, V (easily confused with 1, 0, 2, 5, U).
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
// GB 32100-2015 §5: weight of position i is 3^(i-1) mod 31.
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
// GB 11714-1997: the organisation code's own check over its 8 body characters.
const ORGANIZATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * Registration authority (position 1) → the organisation categories it may assign (position 2).
 * GB 32100-2015 Table 1 named 1, 5, 9 and Y; its amendment (第1号修改单) added 2, 3, 4, 6, 7, 8,
 * A and N. Extend this table, not the code, when the standard grows.
 */
const CATEGORIES_BY_AUTHORITY: Readonly<Record<string, { name: string; categories: string }>> = {
  '1': { name: '机构编制', categories: '1239' },
  '2': { name: '外交', categories: '19' },
  '3': { name: '司法行政', categories: '123459' },
  '4': { name: '文化', categories: '19' },
  '5': { name: '民政', categories: '1239' },
  '6': { name: '旅游', categories: '129' },
  '7': { name: '宗教', categories: '129' },
  '8': { name: '工会', categories: '19' },
  '9': { name: '工商（市场监管）', categories: '123' },
  A: { name: '中央军委改革和编制办公室', categories: '19' },
  N: { name: '农业', categories: '1239' },
  Y: { name: '其他', categories: '1' },
};
// Organisations registered by a national authority carry the division code of the state.
const NATIONAL_DIVISION_CODE = '100000';

function characterValue(character: string): number {
  return ALPHABET.indexOf(character);
}

/** The GB 11714 check character of an organisation code's first 8 characters (0–9 or X). */
export function organizationCodeCheckCharacter(body8: string): string {
  let sum = 0;
  // GB 11714 values letters A–Z as 10–35, i.e. their position in 0–9A–Z.
  for (let i = 0; i < 8; i++)
    sum += parseInt(body8.charAt(i), 36) * (ORGANIZATION_CODE_WEIGHTS[i] ?? 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** The GB 32100 check character (position 18) of a credit code's first 17 characters. */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += characterValue(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/**
 * Checks an 18-character unified social credit code (统一社会信用代码, GB 32100-2015):
 * registration authority and category (positions 1–2), the registering authority's GB/T 2260
 * division (3–8), the GB 11714 organisation code with its own check character (9–17) and the
 * final check character (18). Lower-case letters are accepted and stored upper-case.
 */
export function validateCreditCode(value: string): ValidationResult<CreditCodeErrorCode> {
  const code = value.trim().toUpperCase();
  if (code.length !== 18) {
    return {
      ok: false,
      code: 'CREDIT_CODE.WRONG_LENGTH',
      message:
        code.length === 15
          ? '这是 15 位旧工商注册号，请按营业执照上的 18 位统一社会信用代码录入。'
          : `统一社会信用代码应为 18 位，录入的是 ${code.length} 位，请对照营业执照（登记证书）重新录入。`,
    };
  }
  for (const character of code) {
    if (characterValue(character) < 0) {
      return {
        ok: false,
        code: 'CREDIT_CODE.INVALID_CHARACTER',
        message: `统一社会信用代码中不应出现“${character}”：代码只由数字和大写字母组成，且不使用 I、O、Z、S、V，请检查是否把数字 1、0、2、5 录成了字母。`,
      };
    }
  }
  const authority = CATEGORIES_BY_AUTHORITY[code.charAt(0)];
  if (authority === undefined) {
    return {
      ok: false,
      code: 'CREDIT_CODE.UNKNOWN_REGISTRATION_AUTHORITY',
      message: `统一社会信用代码第 1 位“${code.charAt(0)}”不是有效的登记管理部门代码，请核对。`,
    };
  }
  if (!authority.categories.includes(code.charAt(1))) {
    return {
      ok: false,
      code: 'CREDIT_CODE.UNKNOWN_CATEGORY',
      message: `统一社会信用代码第 2 位“${code.charAt(1)}”不是${authority.name}登记的机构类别，请核对前两位。`,
    };
  }
  const division = code.slice(2, 8);
  if (
    !/^\d{6}$/.test(division) ||
    (division !== NATIONAL_DIVISION_CODE && provinceName(division) === undefined)
  ) {
    return {
      ok: false,
      code: 'CREDIT_CODE.INVALID_DIVISION_CODE',
      message: `统一社会信用代码第 3–8 位“${division}”不是有效的登记机关行政区划代码，请核对。`,
    };
  }
  if (organizationCodeCheckCharacter(code.slice(8, 16)) !== code.charAt(16)) {
    return {
      ok: false,
      code: 'CREDIT_CODE.ORGANIZATION_CODE_MISMATCH',
      message:
        '统一社会信用代码第 9–17 位（组织机构代码）校验不符，其中至少有一位录入有误，请对照证照逐位核对。',
    };
  }
  if (creditCodeCheckCharacter(code.slice(0, 17)) !== code.charAt(17)) {
    return {
      ok: false,
      code: 'CREDIT_CODE.CHECK_CHARACTER_MISMATCH',
      message:
        '统一社会信用代码校验码（第 18 位）不符，代码中至少有一位录入有误，请对照证照逐位核对。',
    };
  }
  return { ok: true, normalized: code };
}
