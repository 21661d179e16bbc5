import { chinaDay, isRealDate } from './china-time';
import { provinceName } from './provinces';
import type { ValidationResult } from './validation-result';

export type ResidentIdErrorCode =
  | 'ID_NUMBER.WRONG_LENGTH'
  | 'ID_NUMBER.INVALID_CHARACTER'
  | 'ID_NUMBER.UNKNOWN_PROVINCE'
  | 'ID_NUMBER.INVALID_BIRTH_DATE'
  | 'ID_NUMBER.CHECK_DIGIT_MISMATCH';

// GB 11643-1999 §8.2: ISO 7064 MOD 11-2, weight of position i is 2^(17-i) mod 11.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';
// Residence permits of Taiwan residents carry 83 (GB/T 2260 itself lists Taiwan as 71), see
// 《港澳台居民居住证申领发放办法》.
const RESIDENCE_PERMIT_PREFIXES = new Set(['81', '82', '83']);
const EARLIEST_BIRTH_YEAR = 1900;

/** The GB 11643 check character of the first 17 digits of a resident identity number. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARACTERS.charAt(sum % 11);
}

/**
 * Checks an 18-character citizen identity number (公民身份号码, GB 11643-1999): address code,
 * birth date, sequence and ISO 7064 MOD 11-2 check character. A lower-case `x` is accepted and
 * stored upper-case. `today` is for tests; the birth date may not lie after it (China time).
 */
export function validateResidentId(
  value: string,
  options: { today?: Date } = {},
): ValidationResult<ResidentIdErrorCode> {
  const id = value.trim().toUpperCase();
  if (id.length !== 18) {
    return {
      ok: false,
      code: 'ID_NUMBER.WRONG_LENGTH',
      message:
        id.length === 15
          ? '这是 15 位旧身份证号码，请按居民身份证上的 18 位号码录入。'
          : `身份证号码应为 18 位，录入的是 ${id.length} 位，请对照证件重新录入。`,
    };
  }
  if (!/^\d{17}[\dX]$/.test(id)) {
    return {
      ok: false,
      code: 'ID_NUMBER.INVALID_CHARACTER',
      message:
        '身份证号码前 17 位只能是数字，最后一位是数字或 X，请检查是否混入了字母、空格或全角字符。',
    };
  }
  const province = id.slice(0, 2);
  if (provinceName(province) === undefined && !RESIDENCE_PERMIT_PREFIXES.has(province)) {
    return {
      ok: false,
      code: 'ID_NUMBER.UNKNOWN_PROVINCE',
      message: `身份证号码前两位 ${province} 不是有效的省级行政区划代码，请核对号码开头是否录错。`,
    };
  }
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const today = chinaDay(options.today ?? new Date()).date;
  if (!isRealDate(year, month, day) || year < EARLIEST_BIRTH_YEAR || birthDate > today) {
    return {
      ok: false,
      code: 'ID_NUMBER.INVALID_BIRTH_DATE',
      message: `身份证号码第 7–14 位的出生日期 ${id.slice(6, 14)} 不是有效日期，请核对出生年月日。`,
    };
  }
  // The expected character is deliberately not shown: a mismatch means some digit is wrong, and
  // "correcting" the last one would turn a typo into a number that belongs to someone else.
  if (residentIdCheckCharacter(id.slice(0, 17)) !== id.charAt(17)) {
    return {
      ok: false,
      code: 'ID_NUMBER.CHECK_DIGIT_MISMATCH',
      message: '身份证号码校验位不符，号码中至少有一位录入有误，请对照证件逐位核对。',
    };
  }
  return { ok: true, normalized: id };
}
