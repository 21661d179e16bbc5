import { chinaDay, isRealDate } from './china-time';
import { DomainError } from './domain-error';

/** The parts of a case number `<region>-<yyyymmdd>-<sequence>`. */
export interface CaseNumber {
  /** GB/T 2260 code of the origin region, e.g. "411700". */
  readonly region: string;
  /** Day of submission in China Standard Time, `YYYYMMDD`. */
  readonly day: string;
  /** Running number of that day at that region, 1–999999. */
  readonly sequence: number;
}

export type ParsedCaseNumber =
  | { readonly ok: true; readonly caseNumber: CaseNumber }
  | { readonly ok: false; readonly code: 'CASE_NUMBER.INVALID'; readonly message: string };

const REGION = /^[1-9]\d{5}$/;
const CASE_NUMBER = /^([1-9]\d{5})-(\d{8})-(\d{6})$/;
const MAX_SEQUENCE = 999_999;

/**
 * Forms the case number `<region>-<yyyymmdd>-<6-digit sequence>`, e.g. "411700-20261122-000001".
 * The day is taken in China Standard Time so that a number given at the window matches the date
 * on the receipt, whatever the server's time zone.
 */
export function formatCaseNumber(region: string, date: Date, sequence: number): string {
  if (!REGION.test(region)) {
    throw new DomainError(
      'CASE_NUMBER.INVALID',
      `无法生成办件编号：地区代码“${region}”不是 6 位行政区划代码。`,
    );
  }
  if (Number.isNaN(date.getTime())) {
    throw new DomainError('CASE_NUMBER.INVALID', '无法生成办件编号：受理时间无效。');
  }
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE) {
    throw new DomainError(
      'CASE_NUMBER.INVALID',
      `无法生成办件编号：当日流水号 ${sequence} 超出 1–${MAX_SEQUENCE} 的范围。`,
    );
  }
  const day = chinaDay(date).date.replaceAll('-', '');
  return `${region}-${day}-${String(sequence).padStart(6, '0')}`;
}

/** Splits a case number into region, day and sequence, refusing anything `formatCaseNumber` cannot produce. */
export function parseCaseNumber(value: string): ParsedCaseNumber {
  const match = CASE_NUMBER.exec(value.trim());
  const invalid = {
    ok: false,
    code: 'CASE_NUMBER.INVALID',
    message: `“${value}”不是有效的办件编号，格式应为 地区代码-日期-流水号，如 411700-20261122-000001。`,
  } as const;
  if (match === null) return invalid;
  const [, region = '', day = '', digits = ''] = match;
  const sequence = Number(digits);
  if (
    !isRealDate(Number(day.slice(0, 4)), Number(day.slice(4, 6)), Number(day.slice(6, 8))) ||
    sequence < 1
  ) {
    return invalid;
  }
  return { ok: true, caseNumber: { region, day, sequence } };
}
