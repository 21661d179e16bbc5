import type { WorkingDayCalendar } from '../working-days';

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

/**
 * STUB — implemented by the calendar work package. Semantics (行政许可法 期限计算):
 * the day of receipt never counts; the budget is `limitWorkingDays` whole working days of
 * working time starting at the next midnight (China time); time inside pauses does not count;
 * time on non-working days never counts. The deadline is the instant the budget is used up —
 * midnight ending the last working day when nothing paused; limit 0 → end of the receipt day.
 */
export function slaDeadline(state: SlaClockState, calendar: WorkingDayCalendar): Date {
  void calendar;
  return new Date(state.startedAt.getTime() + state.limitWorkingDays * 86_400_000);
}

/** Working time used by `now`, in milliseconds (pauses and non-working days excluded). */
export function slaUsedMs(state: SlaClockState, now: Date, calendar: WorkingDayCalendar): number {
  void calendar;
  return Math.max(0, now.getTime() - state.startedAt.getTime());
}

/** The instant `fraction` (default 0.8) of the budget is used, pauses as they stand. */
export function slaWarningAt(
  state: SlaClockState,
  calendar: WorkingDayCalendar,
  fraction = 0.8,
): Date {
  const deadline = slaDeadline(state, calendar).getTime();
  const start = state.startedAt.getTime();
  return new Date(start + (deadline - start) * fraction);
}

/** Whether the clock is paused now (the last pause has no end). */
export function slaPaused(state: SlaClockState): boolean {
  const last = state.pauses.at(-1);
  return last !== undefined && last.to === undefined;
}
