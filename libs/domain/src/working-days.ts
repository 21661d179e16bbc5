import { chinaDay, MS_PER_DAY, type ChinaDay } from './china-time';
import { DomainError } from './domain-error';

/**
 * Which days count towards a time limit (承诺时限). The first version knows weekends only; a
 * holiday calendar (法定节假日 and the weekend working days swapped for them, 调休) implements
 * the same interface later, keyed on `day.date`.
 */
export interface WorkingDayCalendar {
  isWorkingDay(day: ChinaDay): boolean;
}

export const weekendOnlyCalendar: WorkingDayCalendar = {
  isWorkingDay: (day) => day.weekday !== 0 && day.weekday !== 6,
};

// Longer than any real run of holidays; only a broken calendar gets there.
export const MAX_CONSECUTIVE_NON_WORKING_DAYS = 60;

/**
 * The moment `days` working days after `start`, at the same time of day in China Standard Time.
 * The day of `start` itself never counts (a case received on Friday with a one-day limit is due
 * on Monday), and `days = 0` returns `start` unchanged.
 */
export function addWorkingDays(
  start: Date,
  days: number,
  calendar: WorkingDayCalendar = weekendOnlyCalendar,
): Date {
  if (Number.isNaN(start.getTime())) {
    throw new DomainError('DEADLINE.INVALID_ARGUMENT', '无法计算办理期限：起算时间无效。');
  }
  if (!Number.isInteger(days) || days < 0) {
    throw new DomainError(
      'DEADLINE.INVALID_ARGUMENT',
      `无法计算办理期限：工作日数 ${days} 应为不小于 0 的整数。`,
    );
  }
  // China has no daylight saving, so whole days of milliseconds keep the time of day.
  let instant = start.getTime();
  let remaining = days;
  let idle = 0;
  while (remaining > 0) {
    instant += MS_PER_DAY;
    if (calendar.isWorkingDay(chinaDay(new Date(instant)))) {
      remaining--;
      idle = 0;
    } else if (++idle > MAX_CONSECUTIVE_NON_WORKING_DAYS) {
      throw new DomainError(
        'DEADLINE.NO_WORKING_DAY',
        `无法计算办理期限：工作日历中连续 ${MAX_CONSECUTIVE_NON_WORKING_DAYS} 天没有工作日，请检查节假日配置。`,
      );
    }
  }
  return new Date(instant);
}
