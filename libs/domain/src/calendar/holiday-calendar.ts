import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { isRealDate, type ChinaDay } from '../china-time';
import { DomainError } from '../domain-error';
import type { WorkingDayCalendar } from '../working-days';
import { formatPath, lineOf, yamlFileErrorMessage } from '../yaml-file';

/** One year of the State Council's holiday arrangement (国务院办公厅关于部分节假日安排的通知). */
export interface HolidayYear {
  readonly year: number;
  /** Days off, `YYYY-MM-DD`, with the holiday's name (春节, 国庆节 …). */
  readonly holidays: readonly { readonly date: string; readonly name: string }[];
  /** Weekend days that are working days (调休上班), with the holiday they make up for. */
  readonly workdays: readonly { readonly date: string; readonly name: string }[];
}

/** One thing wrong with a year's data, at a path such as `holidays[3].date`. */
interface CalendarProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/**
 * Working days as Chinese offices keep them: Monday to Friday, except public holidays, plus the
 * weekend days swapped for them (调休). Years without a data file count weekends only, and say
 * so through `covers(year)`, so that a service can warn before it promises a deadline there.
 */
export class HolidayCalendar implements WorkingDayCalendar {
  readonly years: readonly HolidayYear[];
  private readonly holidays = new Map<string, string>();
  private readonly workdays = new Map<string, string>();
  private readonly covered = new Set<number>();

  /**
   * Checks the data as the loader does (a date twice, outside its year, on both lists, a
   * weekday listed as 调休 workday, a year given twice) and throws `CALENDAR.INVALID_FILE`.
   */
  constructor(years: readonly HolidayYear[]) {
    const problems: string[] = [];
    for (const entry of years) {
      if (this.covered.has(entry.year)) problems.push(`${entry.year} 年的节假日安排重复给出`);
      this.covered.add(entry.year);
      for (const problem of checkHolidayYear(entry)) {
        problems.push(`${entry.year} 年 ${formatPath(problem.path)}：${problem.message}`);
      }
    }
    if (problems.length > 0) {
      throw new DomainError(
        'CALENDAR.INVALID_FILE',
        `节假日安排有 ${problems.length} 处错误：\n  ${problems.join('\n  ')}`,
      );
    }
    this.years = [...years].sort((a, b) => a.year - b.year);
    for (const entry of this.years) {
      for (const day of entry.holidays) this.holidays.set(day.date, day.name);
      for (const day of entry.workdays) this.workdays.set(day.date, day.name);
    }
  }

  isWorkingDay(day: ChinaDay): boolean {
    if (this.holidays.has(day.date)) return false;
    if (this.workdays.has(day.date)) return true;
    return day.weekday !== 0 && day.weekday !== 6;
  }

  /** Whether the State Council's arrangement for `year` is loaded (else: weekends only). */
  covers(year: number): boolean {
    return this.covered.has(year);
  }

  /**
   * Why `day` is not an ordinary weekday or weekend day: the holiday's name (`春节`) on a
   * public holiday, `春节调休上班` on a weekend day worked for it; undefined otherwise.
   */
  describe(day: ChinaDay): string | undefined {
    const holiday = this.holidays.get(day.date);
    if (holiday !== undefined) return holiday;
    const workday = this.workdays.get(day.date);
    return workday === undefined ? undefined : `${workday}调休上班`;
  }
}

/** Cross-field checks of one year (the shape is zod's job in the loader). */
function checkHolidayYear(entry: HolidayYear): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  const seen = new Map<string, string>();
  const check = (list: 'holidays' | 'workdays', label: string): void => {
    entry[list].forEach((day, index) => {
      const at = (field: string): (string | number)[] => [list, index, field];
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.date);
      if (match === null || !isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
        problems.push({ path: at('date'), message: `“${day.date}”不是有效日期（YYYY-MM-DD）` });
        return;
      }
      if (Number(match[1]) !== entry.year) {
        problems.push({
          path: at('date'),
          message: `${day.date} 不在 ${entry.year} 年内；跨年的假期请分别写入各年的文件`,
        });
      }
      if (day.name.trim() === '') problems.push({ path: at('name'), message: '不能为空' });
      const first = seen.get(day.date);
      if (first !== undefined) {
        problems.push({
          path: at('date'),
          message:
            first === label
              ? `${day.date} 在${label}中重复列出`
              : `${day.date} 已列为${first}，不能同时是${label}`,
        });
        return;
      }
      seen.set(day.date, label);
      if (list === 'workdays') {
        const weekday = new Date(`${day.date}T00:00:00Z`).getUTCDay();
        if (weekday !== 0 && weekday !== 6) {
          problems.push({
            path: at('date'),
            message: `${day.date} 是${WEEKDAY_NAMES[weekday] ?? ''}，本来就是工作日；调休上班日只能是周六或周日`,
          });
        }
      }
    });
  };
  check('holidays', '放假日');
  check('workdays', '调休上班日');
  return problems;
}

const calendarDay = z.strictObject({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '应为 YYYY-MM-DD 格式的日期，并加引号，如 "2026-10-01"'),
  name: z.string().trim().min(1, '不能为空'),
});

const holidayYearSchema = z.strictObject({
  year: z.int().min(1949, '应不小于 1949').max(2999, '应不大于 2999'),
  holidays: z.array(calendarDay).min(1, '至少需要 1 个放假日'),
  workdays: z.array(calendarDay).default([]),
});

const YEAR_FILE = /^(\d{4})\.yaml$/;

/** The calendar folder of this library (libs/domain/calendar), found from the source file. */
const DEFAULT_DIRECTORY = resolve(__dirname, '../../calendar');

let defaultCalendar: HolidayCalendar | undefined;

/**
 * Reads every `<year>.yaml` of a calendar folder (default: libs/domain/calendar, read once per
 * process and cached). Throws one `DomainError` `CALENDAR.INVALID_FILE` listing every problem
 * of every file — file, line, entry and what is wrong — so the administrator fixes them in one
 * pass. Other `.yaml` names in the folder are refused (a misnamed year would silently count as
 * weekends only); other files (README.md) are ignored.
 */
export function loadHolidayCalendar(directory?: string): HolidayCalendar {
  if (directory === undefined) {
    defaultCalendar ??= readCalendarDirectory(DEFAULT_DIRECTORY);
    return defaultCalendar;
  }
  return readCalendarDirectory(directory);
}

function readCalendarDirectory(directory: string): HolidayCalendar {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.yaml'));
  } catch (error) {
    throw invalid([`无法读取节假日目录 ${directory}（${errorText(error)}）`]);
  }
  const problems: string[] = [];
  const years: HolidayYear[] = [];
  for (const name of names.sort()) {
    const file = join(directory, name);
    const year = YEAR_FILE.exec(name)?.[1];
    if (year === undefined) {
      problems.push(`${file}：文件名应为年份，如 2027.yaml`);
      continue;
    }
    const read = readYearFile(file, Number(year));
    if ('problems' in read) problems.push(...read.problems);
    else years.push(read.year);
  }
  if (problems.length === 0 && years.length === 0) {
    problems.push(`目录 ${directory} 中没有 <年份>.yaml 节假日文件`);
  }
  if (problems.length > 0) throw invalid(problems);
  return new HolidayCalendar(years);
}

function readYearFile(
  file: string,
  expectedYear: number,
): { year: HolidayYear } | { problems: string[] } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [`${file}：无法读取（${errorText(error)}）`] };
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map(
        (error) =>
          `${file} 第 ${lineCounter.linePos(error.pos[0]).line} 行：YAML 语法错误：${error.message.split('\n')[0] ?? error.code}`,
      ),
    };
  }
  const located = (path: readonly PropertyKey[], message: string): string => {
    const { line } = lineOf(document, lineCounter, path);
    const where = [line === undefined ? undefined : `第 ${line} 行`, formatPath(path) || undefined]
      .filter((part) => part !== undefined)
      .join(' ');
    return `${file}${where === '' ? '' : ` ${where}`}：${message}`;
  };
  const parsed = holidayYearSchema.safeParse(document.toJS(), { error: yamlFileErrorMessage });
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => located(issue.path, issue.message)) };
  }
  const problems = checkHolidayYear(parsed.data).map((problem) =>
    located(problem.path, problem.message),
  );
  if (parsed.data.year !== expectedYear) {
    problems.unshift(
      located(
        ['year'],
        `文件名表明这是 ${expectedYear} 年的安排，但 year 写的是 ${parsed.data.year}`,
      ),
    );
  }
  return problems.length > 0 ? { problems } : { year: parsed.data };
}

function invalid(problems: readonly string[]): DomainError {
  return new DomainError(
    'CALENDAR.INVALID_FILE',
    `节假日文件有 ${problems.length} 处错误，请修改后重新启动：\n  ${problems.join('\n  ')}`,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
