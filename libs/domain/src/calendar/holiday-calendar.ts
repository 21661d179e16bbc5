import type { ChinaDay } from '../china-time';
import type { WorkingDayCalendar } from '../working-days';

/** One year of the State Council's holiday arrangement (国务院办公厅关于部分节假日安排的通知). */
export interface HolidayYear {
  readonly year: number;
  /** Days off, `YYYY-MM-DD`, with the holiday's name (春节, 国庆节 …). */
  readonly holidays: readonly { readonly date: string; readonly name: string }[];
  /** Weekend days that are working days (调休上班), with the holiday they make up for. */
  readonly workdays: readonly { readonly date: string; readonly name: string }[];
}

/**
 * Working days as Chinese offices keep them: Monday to Friday, except public holidays, plus the
 * weekend days swapped for them (调休). Years without a data file count weekends only, and say
 * so through `covers(year)`, so that a service can warn before it promises a deadline there.
 */
export class HolidayCalendar implements WorkingDayCalendar {
  // STUB — implemented by the calendar work package.
  constructor(readonly years: readonly HolidayYear[]) {}

  isWorkingDay(day: ChinaDay): boolean {
    return day.weekday !== 0 && day.weekday !== 6;
  }

  covers(year: number): boolean {
    return this.years.some((entry) => entry.year === year);
  }

  /** The holiday's name when `day` is a public holiday (or a 调休 working day: its reason). */
  describe(day: ChinaDay): string | undefined {
    void day;
    return undefined;
  }
}

/** Reads every `<year>.yaml` of a calendar folder (default: libs/domain/calendar). */
export function loadHolidayCalendar(directory?: string): HolidayCalendar {
  void directory;
  return new HolidayCalendar([]);
}
