/**
 * Calendar days as seen in China Standard Time (UTC+8, no daylight saving), whatever the time
 * zone of the machine: a case received at 23:30 in Zhumadian belongs to that day, even on a server
 * that runs in UTC.
 */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
export const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** One calendar day in China Standard Time. */
export interface ChinaDay {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
}

export function chinaDay(instant: Date): ChinaDay {
  const shifted = new Date(instant.getTime() + CHINA_OFFSET_MS);
  return {
    date: shifted.toISOString().slice(0, 10),
    weekday: shifted.getUTCDay(),
  };
}

/** The midnight (China time) that ends the China day of `instant`: 00:00 of the next day. */
export function chinaMidnightAfter(instant: Date): Date {
  const shifted = instant.getTime() + CHINA_OFFSET_MS;
  return new Date(Math.floor(shifted / MS_PER_DAY) * MS_PER_DAY + MS_PER_DAY - CHINA_OFFSET_MS);
}

/** Whether `year`-`month`-`day` exists in the Gregorian calendar (month 1–12). */
export function isRealDate(year: number, month: number, day: number): boolean {
  const probe = new Date(Date.UTC(year, month - 1, day));
  return (
    probe.getUTCFullYear() === year &&
    probe.getUTCMonth() === month - 1 &&
    probe.getUTCDate() === day
  );
}
