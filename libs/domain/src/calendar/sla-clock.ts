import { chinaDay, chinaMidnightAfter, MS_PER_DAY } from '../china-time';
import { DomainError } from '../domain-error';
import { MAX_CONSECUTIVE_NON_WORKING_DAYS, type WorkingDayCalendar } from '../working-days';

/** A pause of the clock: the applicant was asked for something (补正, 踏勘 media). */
export interface SlaPause {
  readonly from: Date;
  /** Unset while the pause lasts. */
  readonly to?: Date;
}

/** What a case's time limit (承诺时限) is measured from. */
export interface SlaClockState {
  /** When the handling region received the case. */
  readonly startedAt: Date;
  readonly limitWorkingDays: number;
  readonly pauses: readonly SlaPause[];
}

/*
 * The clock (行政许可法 第八十二条 期限计算, 第四十五条 time not counted): the day of receipt never
 * counts; the budget is `limitWorkingDays` × 24 h of working time, starting at the midnight
 * (China time) that ends the day of receipt; an instant is working time when its China day is
 * a working day of the calendar and no pause covers it. Pauses may overlap (they are merged)
 * and may start before the receipt. An open pause (no `to`) lasts until `now`: the deadline of
 * a paused case moves on by every working moment the wait lasts, so it is only defined for a
 * given `now` — asked without one, the functions throw `SLA.NOW_REQUIRED` instead of guessing.
 *
 * Everything is computed a day at a time (a few hundred steps for the longest limits), never
 * per millisecond.
 */

/** The budget in milliseconds of working time: `limitWorkingDays` whole days. */
export function slaBudgetMs(state: SlaClockState): number {
  checkState(state);
  return state.limitWorkingDays * MS_PER_DAY;
}

/**
 * The instant the budget is used up: midnight ending the last working day when nothing paused,
 * later by the working time inside pauses. `limitWorkingDays = 0` → the end of the day of
 * receipt (即办). `now` is required while a pause is open (see above) and ignored otherwise.
 */
export function slaDeadline(state: SlaClockState, calendar: WorkingDayCalendar, now?: Date): Date {
  return instantAtWorkingTime(state, calendar, slaBudgetMs(state), now);
}

/**
 * Working time used by `now`, in milliseconds: inside working days, outside pauses, from the
 * midnight after receipt. Not capped: more than `slaBudgetMs` means overdue by the difference.
 */
export function slaUsedMs(state: SlaClockState, now: Date, calendar: WorkingDayCalendar): number {
  checkState(state);
  checkInstant(now, '当前时间');
  const pauses = mergedPauses(state, now);
  const end = now.getTime();
  let used = 0;
  for (let day = budgetStart(state); day < end; day += MS_PER_DAY) {
    if (!calendar.isWorkingDay(chinaDay(new Date(day)))) continue;
    for (const [from, to] of unpausedSegments(day, Math.min(day + MS_PER_DAY, end), pauses)) {
      used += to - from;
    }
  }
  return used;
}

/**
 * The instant `fraction` (default 0.8) of the budget is used, pauses as they stand (an open one
 * lasting until `now`, required then). For a limit of 0 it is the deadline itself.
 */
export function slaWarningAt(
  state: SlaClockState,
  calendar: WorkingDayCalendar,
  fraction = 0.8,
  now?: Date,
): Date {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
    throw new DomainError(
      'DEADLINE.INVALID_ARGUMENT',
      `无法计算期限预警时间：比例 ${fraction} 应在 0 到 1 之间。`,
    );
  }
  return instantAtWorkingTime(state, calendar, Math.round(slaBudgetMs(state) * fraction), now);
}

/** Whether the clock is paused: a pause has no end yet. */
export function slaPaused(state: SlaClockState): boolean {
  return state.pauses.some((pause) => pause.to === undefined);
}

/** The first instant by which `target` ms of working time have been used. */
function instantAtWorkingTime(
  state: SlaClockState,
  calendar: WorkingDayCalendar,
  target: number,
  now: Date | undefined,
): Date {
  if (now !== undefined) checkInstant(now, '当前时间');
  const pauses = mergedPauses(state, now);
  let remaining = target;
  let day = budgetStart(state);
  if (remaining === 0) return new Date(day);
  let idle = 0;
  for (; ; day += MS_PER_DAY) {
    if (!calendar.isWorkingDay(chinaDay(new Date(day)))) {
      if (++idle > MAX_CONSECUTIVE_NON_WORKING_DAYS) {
        throw new DomainError(
          'DEADLINE.NO_WORKING_DAY',
          `无法计算办理期限：工作日历中连续 ${MAX_CONSECUTIVE_NON_WORKING_DAYS} 天没有工作日，请检查节假日配置。`,
        );
      }
      continue;
    }
    idle = 0;
    for (const [from, to] of unpausedSegments(day, day + MS_PER_DAY, pauses)) {
      if (remaining <= to - from) return new Date(from + remaining);
      remaining -= to - from;
    }
  }
}

/** The midnight (China time) ending the day of receipt: the clock's first instant. */
function budgetStart(state: SlaClockState): number {
  return chinaMidnightAfter(state.startedAt).getTime();
}

type Interval = readonly [from: number, to: number];

/** Pauses as sorted, disjoint intervals; an open pause ends at `now` (never before it began). */
function mergedPauses(state: SlaClockState, now: Date | undefined): Interval[] {
  const intervals = state.pauses.map((pause): Interval => {
    const from = pause.from.getTime();
    if (pause.to !== undefined) return [from, pause.to.getTime()];
    if (now === undefined) {
      throw new DomainError(
        'SLA.NOW_REQUIRED',
        '办件正在暂停计时（等待补正或踏勘材料），须给出当前时间才能计算期限。',
      );
    }
    return [from, Math.max(from, now.getTime())];
  });
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of intervals) {
    const last = merged.at(-1);
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** The parts of [start, end) no pause covers, in order. */
function unpausedSegments(start: number, end: number, pauses: readonly Interval[]): Interval[] {
  const segments: Interval[] = [];
  let cursor = start;
  for (const [from, to] of pauses) {
    if (to <= cursor) continue;
    if (from >= end) break;
    if (from > cursor) segments.push([cursor, from]);
    cursor = Math.max(cursor, to);
    if (cursor >= end) break;
  }
  if (cursor < end) segments.push([cursor, end]);
  return segments;
}

function checkState(state: SlaClockState): void {
  checkInstant(state.startedAt, '起算时间');
  if (!Number.isInteger(state.limitWorkingDays) || state.limitWorkingDays < 0) {
    throw new DomainError(
      'DEADLINE.INVALID_ARGUMENT',
      `无法计算办理期限：工作日数 ${state.limitWorkingDays} 应为不小于 0 的整数。`,
    );
  }
  state.pauses.forEach((pause, index) => {
    checkInstant(pause.from, `第 ${index + 1} 次暂停的开始时间`);
    if (pause.to === undefined) return;
    checkInstant(pause.to, `第 ${index + 1} 次暂停的结束时间`);
    if (pause.to.getTime() < pause.from.getTime()) {
      throw new DomainError(
        'DEADLINE.INVALID_ARGUMENT',
        `无法计算办理期限：第 ${index + 1} 次暂停的结束时间早于开始时间。`,
      );
    }
  });
}

function checkInstant(instant: Date, what: string): void {
  if (Number.isNaN(instant.getTime())) {
    throw new DomainError('DEADLINE.INVALID_ARGUMENT', `无法计算办理期限：${what}无效。`);
  }
}
