import {
  slaDeadline,
  slaUsedMs,
  slaWarningAt,
  type SlaClockState,
  type SlaPause,
  type WorkingDayCalendar,
} from '@tongban/domain';

/** When a round asked the applicant for something and when the answer reached review. */
export interface WaitTimes {
  readonly requestedAt: Date;
  readonly submittedAt: Date | null;
}

/** What of a task the clock is measured from: its receipt and the time limit at receipt. */
export interface ClockBasis {
  readonly receivedAt: Date;
  readonly timeLimitWorkingDays: number;
  readonly preReviewWorkingDays: number;
}

/**
 * The pauses of a task's clock: one per supplement or survey round, from the request until the
 * answer arrived. A round still waiting is closed at `closeOpenAt` when given (the clock stops
 * for good then: a decision or a withdrawal), else left open.
 */
export function pausesOf(rounds: readonly WaitTimes[], closeOpenAt?: Date): SlaPause[] {
  return [...rounds]
    .sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime())
    .map((round) => {
      const to = round.submittedAt ?? closeOpenAt;
      if (to === undefined) return { from: round.requestedAt };
      // A clock that was shifted back between request and answer must not pause backwards.
      return { from: round.requestedAt, to: to < round.requestedAt ? round.requestedAt : to };
    });
}

export function clockState(task: ClockBasis, pauses: readonly SlaPause[]): SlaClockState {
  return {
    startedAt: task.receivedAt,
    limitWorkingDays: task.timeLimitWorkingDays,
    pauses,
  };
}

/**
 * The deadline, the 80% warning and the promised pre-review time as the pauses stand. Only
 * closed pauses are passed: while the applicant is asked for something the deadline stays where
 * it was and moves once the answer arrived.
 */
export function deadlines(
  task: ClockBasis,
  pauses: readonly SlaPause[],
  calendar: WorkingDayCalendar,
): { dueAt: Date; warnAt: Date; preReviewDueAt: Date } {
  const closed = pauses.filter((pause) => pause.to !== undefined);
  const state = clockState(task, closed);
  return {
    dueAt: slaDeadline(state, calendar),
    warnAt: slaWarningAt(state, calendar, 0.8),
    preReviewDueAt: slaDeadline(
      { ...state, limitWorkingDays: task.preReviewWorkingDays },
      calendar,
    ),
  };
}

/** Working time used by `now`, the pauses (an open one lasting until `now`) left out. */
export function usedMs(
  task: ClockBasis,
  pauses: readonly SlaPause[],
  now: Date,
  calendar: WorkingDayCalendar,
): number {
  const until = pauses.map((pause) =>
    pause.to === undefined ? { from: pause.from, to: now < pause.from ? pause.from : now } : pause,
  );
  return Math.max(0, Math.round(slaUsedMs(clockState(task, until), now, calendar)));
}

/**
 * The clock stops for good (a decision, a withdrawal): the time used is kept, and a wait that was
 * still open ends now, so that the deadline a decision is measured against counts it as paused.
 */
export function stoppedClock(
  task: ClockBasis & {
    readonly pausedSince: Date | null;
    readonly supplements: readonly WaitTimes[];
    readonly surveys: readonly WaitTimes[];
  },
  now: Date,
  calendar: WorkingDayCalendar,
): { usedMs: bigint; pausedSince: null; dueAt?: Date; warnAt?: Date } {
  const pauses = pausesOf([...task.supplements, ...task.surveys], now);
  const stopped = { usedMs: BigInt(usedMs(task, pauses, now, calendar)), pausedSince: null };
  if (task.pausedSince === null) return stopped;
  const { dueAt, warnAt } = deadlines(task, pauses, calendar);
  return { ...stopped, dueAt, warnAt };
}
