import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  chinaDay,
  DomainError,
  HolidayCalendar,
  loadHolidayCalendar,
  type HolidayYear,
} from '../src';

// Times are written in China Standard Time (+08:00) for readability.
const cst = (local: string): Date => new Date(`${local}+08:00`);
const day = (date: string) => chinaDay(cst(`${date}T12:00:00`));

const calendar = loadHolidayCalendar();

/** Every day of `year` that the calendar counts as a working day. */
function workingDaysOf(year: number): number {
  let count = 0;
  for (let instant = cst(`${year}-01-01T12:00:00`); ;) {
    const current = chinaDay(instant);
    if (!current.date.startsWith(String(year))) return count;
    if (calendar.isWorkingDay(current)) count++;
    instant = new Date(instant.getTime() + 86_400_000);
  }
}

describe('holiday calendar — the State Council arrangements shipped with the library', () => {
  it('covers 2025 and 2026, and nothing that has not been published', () => {
    expect(calendar.years.map((entry) => entry.year)).toEqual([2025, 2026]);
    expect(calendar.covers(2025)).toBe(true);
    expect(calendar.covers(2026)).toBe(true);
    expect(calendar.covers(2024)).toBe(false);
    expect(calendar.covers(2027)).toBe(false);
  });

  // Written out from the notices (国办发明电〔2024〕12号, 〔2025〕7号), not read from the files.
  it.each([
    ['2025-01-01', '元旦'],
    ['2025-01-28', '春节'],
    ['2025-02-04', '春节'],
    ['2025-04-04', '清明节'],
    ['2025-05-05', '劳动节'],
    ['2025-06-02', '端午节'],
    ['2025-10-01', '国庆节、中秋节'],
    ['2025-10-08', '国庆节、中秋节'],
    ['2026-01-01', '元旦'],
    ['2026-01-02', '元旦'],
    ['2026-02-16', '春节'],
    ['2026-02-23', '春节'],
    ['2026-04-06', '清明节'],
    ['2026-05-04', '劳动节'],
    ['2026-05-05', '劳动节'],
    ['2026-06-19', '端午节'],
    ['2026-09-25', '中秋节'],
    ['2026-10-01', '国庆节'],
    ['2026-10-07', '国庆节'],
  ])('%s (a weekday) is a day off: %s', (date, name) => {
    expect(day(date).weekday).not.toBe(0);
    expect(day(date).weekday).not.toBe(6);
    expect(calendar.isWorkingDay(day(date))).toBe(false);
    expect(calendar.describe(day(date))).toBe(name);
  });

  it.each([
    ['2025-01-26', 0, '春节'],
    ['2025-02-08', 6, '春节'],
    ['2025-04-27', 0, '劳动节'],
    ['2025-09-28', 0, '国庆节、中秋节'],
    ['2025-10-11', 6, '国庆节、中秋节'],
    ['2026-01-04', 0, '元旦'],
    ['2026-02-14', 6, '春节'],
    ['2026-02-28', 6, '春节'],
    ['2026-05-09', 6, '劳动节'],
    ['2026-09-20', 0, '国庆节'],
    ['2026-10-10', 6, '国庆节'],
  ])('%s (weekday %i) is worked in exchange (调休) for %s', (date, weekday, name) => {
    expect(day(date).weekday).toBe(weekday);
    expect(calendar.isWorkingDay(day(date))).toBe(true);
    expect(calendar.describe(day(date))).toBe(`${name}调休上班`);
  });

  it('keeps ordinary weekdays working and ordinary weekends off, with nothing to describe', () => {
    expect(calendar.isWorkingDay(day('2026-03-09'))).toBe(true); // Monday
    expect(calendar.isWorkingDay(day('2026-03-07'))).toBe(false); // Saturday
    expect(calendar.isWorkingDay(day('2026-03-08'))).toBe(false); // Sunday
    expect(calendar.describe(day('2026-03-09'))).toBeUndefined();
    expect(calendar.describe(day('2026-03-07'))).toBeUndefined();
  });

  it('counts weekend days inside a break as holidays too', () => {
    expect(calendar.describe(day('2026-02-15'))).toBe('春节'); // Sunday, first day of the break
    expect(calendar.isWorkingDay(day('2026-02-21'))).toBe(false); // Saturday
  });

  // 2025: 365 days − 104 weekend days − 18 weekday holidays (元旦 1, 春节 6, 清明 1, 劳动节 3,
  // 端午 1, 国庆中秋 6) + 5 调休 Saturdays/Sundays = 248.
  // 2026: 365 − 104 − 19 (元旦 2, 春节 6, 清明 1, 劳动节 3, 端午 1, 中秋 1, 国庆 5) + 6 = 248.
  it('has 248 working days in 2025 and in 2026', () => {
    expect(workingDaysOf(2025)).toBe(248);
    expect(workingDaysOf(2026)).toBe(248);
  });

  it('counts weekends only in a year without data, and says so through covers()', () => {
    // 1 January 2027 will certainly be 元旦, but until the notice is out nothing is guessed.
    expect(calendar.covers(2027)).toBe(false);
    expect(calendar.isWorkingDay(day('2027-01-01'))).toBe(true); // Friday
    expect(calendar.isWorkingDay(day('2027-01-02'))).toBe(false); // Saturday
    expect(calendar.describe(day('2027-01-01'))).toBeUndefined();
    expect(calendar.isWorkingDay(day('2024-10-01'))).toBe(true); // Tuesday, no 2024 file
  });

  it('is a WorkingDayCalendar: addWorkingDays skips 国庆 and counts the 调休 Saturday', () => {
    // Wednesday 30 September 2026 + 1 working day: 1–7 October off, Thursday 8 October.
    expect(addWorkingDays(cst('2026-09-30T10:00:00'), 1, calendar)).toEqual(
      cst('2026-10-08T10:00:00'),
    );
    // Friday 9 October + 1: Saturday 10 October is worked.
    expect(addWorkingDays(cst('2026-10-09T10:00:00'), 1, calendar)).toEqual(
      cst('2026-10-10T10:00:00'),
    );
  });

  it('reads the default folder once per process', () => {
    expect(loadHolidayCalendar()).toBe(calendar);
  });
});

describe('holiday calendar — built from data', () => {
  const year2030: HolidayYear = {
    year: 2030,
    holidays: [{ date: '2030-10-01', name: '国庆节' }],
    workdays: [{ date: '2030-09-29', name: '国庆节' }],
  };

  it('uses exactly the days given', () => {
    const built = new HolidayCalendar([year2030]);
    expect(built.isWorkingDay(day('2030-10-01'))).toBe(false); // Tuesday
    expect(built.isWorkingDay(day('2030-09-29'))).toBe(true); // Sunday
    expect(built.covers(2030)).toBe(true);
  });

  it('knows nothing of holidays without data', () => {
    const empty = new HolidayCalendar([]);
    expect(empty.isWorkingDay(day('2026-10-01'))).toBe(true);
    expect(empty.covers(2026)).toBe(false);
  });

  it('refuses a year given twice and the checks the files get', () => {
    expect(() => new HolidayCalendar([year2030, year2030])).toThrow(/2030 年的节假日安排重复给出/);
    const broken: HolidayYear = {
      ...year2030,
      workdays: [{ date: '2030-10-01', name: '国庆节' }],
    };
    expect(() => new HolidayCalendar([broken])).toThrow(
      expect.objectContaining({ code: 'CALENDAR.INVALID_FILE' }),
    );
  });
});

describe('loadHolidayCalendar — broken files are refused with file, line and entry', () => {
  const folder = (files: Record<string, string>): string => {
    const directory = mkdtempSync(join(tmpdir(), 'tongban-calendar-'));
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(directory, name), content);
    }
    return directory;
  };
  const refusal = (files: Record<string, string>): DomainError => {
    try {
      loadHolidayCalendar(folder(files));
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected the calendar folder to be refused');
  };
  const year = (holidays: string, workdays = ''): string =>
    `year: 2030\nholidays:\n${holidays}workdays:${workdays === '' ? ' []' : `\n${workdays}`}\n`;
  const entry = (date: string, name = '国庆节'): string =>
    `  - { date: '${date}', name: ${name} }\n`;

  it('loads a valid folder and ignores files that are not YAML', () => {
    const loaded = loadHolidayCalendar(
      folder({
        '2030.yaml': year(entry('2030-10-01'), entry('2030-09-29')),
        'README.md': '# notes',
      }),
    );
    expect(loaded.years).toEqual([
      {
        year: 2030,
        holidays: [{ date: '2030-10-01', name: '国庆节' }],
        workdays: [{ date: '2030-09-29', name: '国庆节' }],
      },
    ]);
  });

  it('accepts a year without 调休 workdays', () => {
    const loaded = loadHolidayCalendar(
      folder({ '2030.yaml': `year: 2030\nholidays:\n${entry('2030-10-01')}` }),
    );
    expect(loaded.years[0]?.workdays).toEqual([]);
  });

  it('refuses a date listed twice', () => {
    const error = refusal({ '2030.yaml': year(entry('2030-10-01') + entry('2030-10-01')) });
    expect(error.code).toBe('CALENDAR.INVALID_FILE');
    expect(error.message).toContain(
      '2030.yaml 第 4 行 holidays[1].date：2030-10-01 在放假日中重复列出',
    );
  });

  it('refuses a date outside the year of the file', () => {
    const error = refusal({ '2030.yaml': year(entry('2030-10-01') + entry('2031-01-01', '元旦')) });
    expect(error.message).toContain(
      'holidays[1].date：2031-01-01 不在 2030 年内；跨年的假期请分别写入各年的文件',
    );
  });

  it('refuses a holiday that is also on the workday list', () => {
    const error = refusal({ '2030.yaml': year(entry('2030-10-05'), entry('2030-10-05')) });
    expect(error.message).toContain(
      'workdays[0].date：2030-10-05 已列为放假日，不能同时是调休上班日',
    );
  });

  it('refuses a weekday on the workday list: it is a working day anyway', () => {
    const error = refusal({ '2030.yaml': year(entry('2030-10-01'), entry('2030-10-09')) });
    expect(error.message).toContain(
      '2030-10-09 是周三，本来就是工作日；调休上班日只能是周六或周日',
    );
  });

  it('refuses a date that does not exist or is not written YYYY-MM-DD', () => {
    expect(refusal({ '2030.yaml': year(entry('2030-02-30', '春节')) }).message).toContain(
      'holidays[0].date：“2030-02-30”不是有效日期（YYYY-MM-DD）',
    );
    expect(refusal({ '2030.yaml': year(entry('2030-10-1')) }).message).toContain(
      'holidays[0].date：应为 YYYY-MM-DD 格式的日期',
    );
  });

  it('refuses a file whose year differs from its name', () => {
    const error = refusal({ '2031.yaml': year(entry('2030-10-01')) });
    expect(error.message).toContain(
      '2031.yaml 第 1 行 year：文件名表明这是 2031 年的安排，但 year 写的是 2030',
    );
  });

  it('refuses a YAML file not named after a year', () => {
    const error = refusal({ 'holidays.yaml': year(entry('2030-10-01')) });
    expect(error.message).toContain('holidays.yaml：文件名应为年份，如 2027.yaml');
  });

  it('refuses a misspelt key, a missing list and an empty name', () => {
    const error = refusal({
      '2030.yaml': `year: 2030\nholiday:\n${entry('2030-10-01')}`,
      '2032.yaml': `year: 2032\nholidays:\n  - { date: '2032-10-01', name: '' }\n`,
    });
    expect(error.message).toContain('不认识的字段：holiday');
    expect(error.message).toContain('holidays：缺少此项（必填）');
    expect(error.message).toContain('2032.yaml 第 3 行 holidays[0].name：不能为空');
  });

  it('reports a YAML syntax error with its line', () => {
    const error = refusal({ '2030.yaml': 'year: 2030\nholidays: [\n  - oops\n' });
    expect(error.message).toMatch(/2030\.yaml 第 \d+ 行：YAML 语法错误/);
  });

  it('reports the problems of every file together', () => {
    const error = refusal({
      '2030.yaml': year(entry('2030-10-01') + entry('2030-10-01')),
      '2031.yaml': `year: 2031\nholidays:\n${entry('2030-10-01')}`,
    });
    expect(error.message.split('\n')[0]).toBe('节假日文件有 2 处错误，请修改后重新启动：');
  });

  it('refuses a folder without year files, and a folder that does not exist', () => {
    expect(() => loadHolidayCalendar(folder({ 'README.md': '' }))).toThrow(
      /没有 <年份>\.yaml 节假日文件/,
    );
    const missing = join(tmpdir(), 'tongban-calendar-missing', 'nowhere');
    expect(() => loadHolidayCalendar(missing)).toThrow(/无法读取节假日目录/);
  });

  it('does not cache a folder given explicitly', () => {
    const directory = folder({ '2030.yaml': year(entry('2030-10-01')) });
    // A test or a drill may rewrite the folder between two loads.
    expect(loadHolidayCalendar(directory)).not.toBe(loadHolidayCalendar(directory));
  });
});
