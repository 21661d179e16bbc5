import { describe, expect, it } from 'vitest';
import {
  loadHolidayCalendar,
  slaBudgetMs,
  slaDeadline,
  slaPaused,
  slaUsedMs,
  slaWarningAt,
  weekendOnlyCalendar,
  type SlaClockState,
  type SlaPause,
  type WorkingDayCalendar,
} from '../src';

// Times are written in China Standard Time (+08:00) for readability. Every expected deadline
// below is counted by hand in the comment next to it, day by day.
const cst = (local: string): Date => new Date(`${local}+08:00`);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const calendar = loadHolidayCalendar();

const clock = (
  startedAt: string,
  limitWorkingDays: number,
  ...pauses: [from: string, to?: string][]
): SlaClockState => ({
  startedAt: cst(startedAt),
  limitWorkingDays,
  pauses: pauses.map(([from, to]): SlaPause =>
    to === undefined ? { from: cst(from) } : { from: cst(from), to: cst(to) },
  ),
});

describe('SLA clock — plain deadlines (no pause)', () => {
  it('does not count the day of receipt and ends at midnight after the last working day', () => {
    // Wednesday 18 November 2026 10:00, 1 working day: Thursday 19 counts, due at its end.
    expect(slaDeadline(clock('2026-11-18T10:00:00', 1), calendar)).toEqual(
      cst('2026-11-20T00:00:00'),
    );
  });

  it('skips the weekend: received Friday, one working day is Monday', () => {
    // Friday 20 November 16:00: Saturday and Sunday do not count, Monday 23 does.
    expect(slaDeadline(clock('2026-11-20T16:00:00', 1), calendar)).toEqual(
      cst('2026-11-24T00:00:00'),
    );
    // 3 days from Wednesday 18: Thursday 19, Friday 20, Monday 23.
    expect(slaDeadline(clock('2026-11-18T10:00:00', 3), calendar)).toEqual(
      cst('2026-11-24T00:00:00'),
    );
  });

  it('does not count the day of receipt even when received at midnight or on a weekend', () => {
    // Monday 23 November 00:00 is Monday: Tuesday 24 is the first day that counts.
    expect(slaDeadline(clock('2026-11-23T00:00:00', 1), calendar)).toEqual(
      cst('2026-11-25T00:00:00'),
    );
    // Received on Saturday 21: Sunday does not count, Monday 23 does.
    expect(slaDeadline(clock('2026-11-21T09:00:00', 1), calendar)).toEqual(
      cst('2026-11-24T00:00:00'),
    );
  });

  it('judges the day of receipt in China time, whatever UTC says', () => {
    // Friday 23:30 in China (15:30 UTC): still Friday's receipt.
    expect(slaDeadline(clock('2026-11-20T23:30:00', 1), calendar)).toEqual(
      cst('2026-11-24T00:00:00'),
    );
    // Monday 01:00 in China is Sunday 17:00 UTC: a Monday receipt, Tuesday counts.
    expect(
      slaDeadline(
        { startedAt: new Date('2026-11-22T17:00:00Z'), limitWorkingDays: 1, pauses: [] },
        calendar,
      ),
    ).toEqual(cst('2026-11-25T00:00:00'));
  });

  it('ends a limit of 0 (即办) at the end of the day of receipt, even on a holiday', () => {
    expect(slaDeadline(clock('2026-11-20T16:00:00', 0), calendar)).toEqual(
      cst('2026-11-21T00:00:00'),
    );
    expect(slaDeadline(clock('2026-10-01T10:00:00', 0), calendar)).toEqual(
      cst('2026-10-02T00:00:00'),
    );
    expect(slaBudgetMs(clock('2026-10-01T10:00:00', 0))).toBe(0);
  });

  it('spans 春节 2026 and counts both 调休 Saturdays', () => {
    // Thursday 12 February: Fri 13 (1), Sat 14 调休 (2), 15–23 off, Tue 24 (3), Wed 25 (4),
    // Thu 26 (5).
    expect(slaDeadline(clock('2026-02-12T10:00:00', 5), calendar)).toEqual(
      cst('2026-02-27T00:00:00'),
    );
    // … Fri 27 (6), Sat 28 调休 (7), Mon 2 March (8).
    expect(slaDeadline(clock('2026-02-12T10:00:00', 8), calendar)).toEqual(
      cst('2026-03-03T00:00:00'),
    );
    // Weekends only would have promised Friday 13, Mon 16 … Thu 19: the calendar matters.
    expect(slaDeadline(clock('2026-02-12T10:00:00', 5), weekendOnlyCalendar)).toEqual(
      cst('2026-02-20T00:00:00'),
    );
  });

  it('crosses the 2025→2026 year boundary with 元旦 and its 调休 Sunday', () => {
    // Monday 29 December 2025: Tue 30 (1), Wed 31 (2), 1–3 January off, Sun 4 调休 (3),
    // Mon 5 (4), Tue 6 (5).
    expect(slaDeadline(clock('2025-12-29T15:00:00', 5), calendar)).toEqual(
      cst('2026-01-07T00:00:00'),
    );
    // Weekends only: Tue 30, Wed 31, Thu 1, Fri 2, Mon 5.
    expect(slaDeadline(clock('2025-12-29T15:00:00', 5), weekendOnlyCalendar)).toEqual(
      cst('2026-01-06T00:00:00'),
    );
  });

  it('counts weekends only into a year without data (2027 not published yet)', () => {
    // Wednesday 30 December 2026: Thu 31 (1), Fri 1 January 2027 (2: no data, not guessed),
    // Mon 4 (3).
    expect(calendar.covers(2027)).toBe(false);
    expect(slaDeadline(clock('2026-12-30T10:00:00', 3), calendar)).toEqual(
      cst('2027-01-05T00:00:00'),
    );
  });
});

describe('SLA clock — pauses (补正, 踏勘)', () => {
  // Monday 21 September 2026, 10 working days: Tue 22 (1), Wed 23 (2), Thu 24 (3), 25–27 中秋,
  // Mon 28 (4), Tue 29 (5), Wed 30 (6), 1–7 October 国庆, Thu 8 (7), Fri 9 (8), Sat 10 调休 (9),
  // Mon 12 (10): due Tuesday 13 October 00:00.
  const received = '2026-09-21T09:00:00';

  it('gives the 国庆 example its deadline without pauses', () => {
    expect(slaDeadline(clock(received, 10), calendar)).toEqual(cst('2026-10-13T00:00:00'));
  });

  it('extends the deadline only by the working time inside a pause that spans 国庆', () => {
    // Paused Wednesday 30 September 12:00 → Friday 9 October 08:00 (8 days 20 hours by the
    // wall clock). Working time inside it: 30 Sep 12:00–24:00 (12 h), 1–7 Oct none, 8 Oct
    // (24 h), 9 Oct 00:00–08:00 (8 h) = 44 h. Used before it: 5½ days; after it: 9 Oct 08–24
    // (⅔ day) → 6⅙, Sat 10 → 7⅙, Mon 12 → 8⅙, Tue 13 → 9⅙, and the remaining ⅚ day (20 h) of
    // Wednesday 14: due 14 October 20:00, i.e. 44 h of working days after the unpaused deadline.
    const state = clock(received, 10, ['2026-09-30T12:00:00', '2026-10-09T08:00:00']);
    expect(slaDeadline(state, calendar)).toEqual(cst('2026-10-14T20:00:00'));
  });

  it('does not move the deadline for a pause that lies inside the holidays', () => {
    const state = clock(received, 10, ['2026-10-02T09:00:00', '2026-10-06T17:00:00']);
    expect(slaDeadline(state, calendar)).toEqual(cst('2026-10-13T00:00:00'));
  });

  it('adds up several pauses, ignoring their weekend parts', () => {
    // Monday 16 November 2026, 5 days: due Tuesday 24 00:00 unpaused. Pauses: Wednesday 18
    // 09:00–15:00 (6 h) and Friday 20 18:00 → Monday 23 06:00 (6 h + weekend + 6 h = 12 h).
    const state = clock(
      '2026-11-16T10:00:00',
      5,
      ['2026-11-18T09:00:00', '2026-11-18T15:00:00'],
      ['2026-11-20T18:00:00', '2026-11-23T06:00:00'],
    );
    expect(slaDeadline(state, calendar)).toEqual(cst('2026-11-24T18:00:00'));
  });

  it('merges overlapping pauses and takes them in any order', () => {
    // 09:00–15:00 and 12:00–16:00 on Wednesday 18 November are one pause of 7 h.
    const state = clock(
      '2026-11-16T10:00:00',
      5,
      ['2026-11-18T12:00:00', '2026-11-18T16:00:00'],
      ['2026-11-18T09:00:00', '2026-11-18T15:00:00'],
    );
    expect(slaDeadline(state, calendar)).toEqual(cst('2026-11-24T07:00:00'));
  });

  it('counts only the part of a pause after the day of receipt', () => {
    // Paused Monday 16 12:00 → Tuesday 17 03:00: only Tuesday's 3 h were on the clock.
    const state = clock('2026-11-16T10:00:00', 5, ['2026-11-16T12:00:00', '2026-11-17T03:00:00']);
    expect(slaDeadline(state, calendar)).toEqual(cst('2026-11-24T03:00:00'));
  });

  it('is paused while a pause has no end, and not once it ended', () => {
    expect(slaPaused(clock('2026-11-16T10:00:00', 5, ['2026-11-18T09:00:00']))).toBe(true);
    expect(
      slaPaused(clock('2026-11-16T10:00:00', 5, ['2026-11-18T09:00:00', '2026-11-18T10:00:00'])),
    ).toBe(false);
    expect(slaPaused(clock('2026-11-16T10:00:00', 5))).toBe(false);
  });
});

describe('SLA clock — an open pause (the applicant has not answered yet)', () => {
  // Monday 16 November 2026, 5 days (due Tuesday 24 00:00 unpaused), paused since Wednesday 18
  // 09:00.
  const open = clock('2026-11-16T10:00:00', 5, ['2026-11-18T09:00:00']);

  it('needs `now`: the deadline of a paused case depends on how long the wait lasts', () => {
    expect(() => slaDeadline(open, calendar)).toThrow(
      expect.objectContaining({ code: 'SLA.NOW_REQUIRED' }),
    );
    expect(() => slaWarningAt(open, calendar)).toThrow(
      expect.objectContaining({ code: 'SLA.NOW_REQUIRED' }),
    );
    expect(() => slaDeadline(open, calendar)).toThrow(/须给出当前时间/);
  });

  it('treats the pause as ending now', () => {
    // Thursday 19 09:00: 24 h paused → one more working day, Wednesday 25.
    expect(slaDeadline(open, calendar, cst('2026-11-19T09:00:00'))).toEqual(
      cst('2026-11-25T00:00:00'),
    );
    // Saturday 21 12:00: Wed 09–24 (15 h) + Thu + Fri (48 h) = 63 h → Tue 24, Wed 25 and
    // 15 h of Thursday 26.
    expect(slaDeadline(open, calendar, cst('2026-11-21T12:00:00'))).toEqual(
      cst('2026-11-26T15:00:00'),
    );
  });

  it('does not move the deadline while the wait lasts over a weekend', () => {
    const saturday = slaDeadline(open, calendar, cst('2026-11-21T12:00:00'));
    expect(slaDeadline(open, calendar, cst('2026-11-22T23:00:00'))).toEqual(saturday);
  });

  it('counts nothing for an open pause that starts after now', () => {
    expect(slaDeadline(open, calendar, cst('2026-11-17T12:00:00'))).toEqual(
      cst('2026-11-24T00:00:00'),
    );
  });

  it('ignores `now` when nothing is open', () => {
    const closed = clock('2026-11-16T10:00:00', 5, ['2026-11-18T09:00:00', '2026-11-18T15:00:00']);
    expect(slaDeadline(closed, calendar, cst('2027-06-01T00:00:00'))).toEqual(
      slaDeadline(closed, calendar),
    );
  });

  it('stops the used time where the pause began', () => {
    // Tuesday 17 (24 h) + Wednesday 00:00–09:00 (9 h), however long the wait.
    expect(slaUsedMs(open, cst('2026-11-19T09:00:00'), calendar)).toBe(33 * HOUR);
    expect(slaUsedMs(open, cst('2026-11-30T09:00:00'), calendar)).toBe(33 * HOUR);
  });

  it('moves the warning with the wait as well', () => {
    // Asked at Wednesday 15:00, the wait so far is 6 h: the same warning as for a pause closed
    // at 15:00.
    const asClosed = clock('2026-11-16T10:00:00', 5, [
      '2026-11-18T09:00:00',
      '2026-11-18T15:00:00',
    ]);
    expect(slaWarningAt(open, calendar, 0.8, cst('2026-11-18T15:00:00'))).toEqual(
      slaWarningAt(asClosed, calendar),
    );
  });
});

describe('SLA clock — the 80 % warning', () => {
  it('falls when four fifths of the working time are used', () => {
    // Monday 16 November, 1 day: 80 % of Tuesday 17 is 19.2 h → 19:12.
    expect(slaWarningAt(clock('2026-11-16T10:00:00', 1), calendar)).toEqual(
      cst('2026-11-17T19:12:00'),
    );
  });

  it('skips 春节 like the deadline does', () => {
    // Wednesday 11 February 2026, 10 days: Thu 12 (1), Fri 13 (2), Sat 14 (3), Tue 24 (4),
    // Wed 25 (5), Thu 26 (6), Fri 27 (7), Sat 28 (8), Mon 2 March (9), Tue 3 (10).
    // 8 days used at the end of Saturday 28 February.
    const state = clock('2026-02-11T09:00:00', 10);
    expect(slaDeadline(state, calendar)).toEqual(cst('2026-03-04T00:00:00'));
    expect(slaWarningAt(state, calendar)).toEqual(cst('2026-03-01T00:00:00'));
  });

  it('moves with a pause', () => {
    // Monday 16 November, 5 days, paused Tuesday 17 10:00–16:00 (6 h): by the end of Friday 20
    // 90 h are used; the 96 h of 80 % are reached 6 h into Monday 23 (the weekend does not count).
    const state = clock('2026-11-16T10:00:00', 5, ['2026-11-17T10:00:00', '2026-11-17T16:00:00']);
    expect(slaWarningAt(state, calendar)).toEqual(cst('2026-11-23T06:00:00'));
  });

  it('takes another fraction, and refuses one outside 0…1', () => {
    // Half of 2 days from Monday 16: the end of Tuesday 17.
    expect(slaWarningAt(clock('2026-11-16T10:00:00', 2), calendar, 0.5)).toEqual(
      cst('2026-11-18T00:00:00'),
    );
    expect(slaWarningAt(clock('2026-11-16T10:00:00', 2), calendar, 1)).toEqual(
      slaDeadline(clock('2026-11-16T10:00:00', 2), calendar),
    );
    for (const fraction of [-0.1, 1.5, Number.NaN]) {
      expect(() => slaWarningAt(clock('2026-11-16T10:00:00', 2), calendar, fraction)).toThrow(
        expect.objectContaining({ code: 'DEADLINE.INVALID_ARGUMENT' }),
      );
    }
  });

  it('coincides with the deadline for a limit of 0', () => {
    const state = clock('2026-11-20T16:00:00', 0);
    expect(slaWarningAt(state, calendar)).toEqual(slaDeadline(state, calendar));
  });
});

describe('SLA clock — working time used', () => {
  const state = clock('2026-11-16T10:00:00', 5, ['2026-11-18T09:00:00', '2026-11-18T15:00:00']);

  it('is nothing on the day of receipt', () => {
    expect(slaUsedMs(state, cst('2026-11-16T23:59:59'), calendar)).toBe(0);
    expect(slaUsedMs(state, cst('2026-11-15T00:00:00'), calendar)).toBe(0);
  });

  it('grows on working days outside pauses only', () => {
    expect(slaUsedMs(state, cst('2026-11-17T06:00:00'), calendar)).toBe(6 * HOUR);
    // Tuesday (24 h) + Wednesday 0–9 and 15–24 (18 h) + Thursday + Friday.
    expect(slaUsedMs(state, cst('2026-11-21T00:00:00'), calendar)).toBe(90 * HOUR);
    // The weekend adds nothing.
    expect(slaUsedMs(state, cst('2026-11-22T23:00:00'), calendar)).toBe(90 * HOUR);
  });

  it('equals the budget exactly at the deadline and 80 % of it at the warning', () => {
    const cases = [
      state,
      clock('2025-12-29T15:00:00', 5),
      clock('2026-02-12T10:00:00', 8),
      clock('2026-09-21T09:00:00', 10, ['2026-09-30T12:00:00', '2026-10-09T08:00:00']),
      clock('2026-11-20T16:00:00', 0),
    ];
    for (const each of cases) {
      expect(slaUsedMs(each, slaDeadline(each, calendar), calendar)).toBe(slaBudgetMs(each));
      expect(slaUsedMs(each, slaWarningAt(each, calendar), calendar)).toBe(
        Math.round(slaBudgetMs(each) * 0.8),
      );
    }
  });

  it('keeps counting past the deadline: more than the budget means overdue', () => {
    // Due Tuesday 24 06:00; Tuesday 24 12:00 is 6 h late.
    expect(slaUsedMs(state, cst('2026-11-24T12:00:00'), calendar) - slaBudgetMs(state)).toBe(
      6 * HOUR,
    );
    expect(slaBudgetMs(state)).toBe(5 * DAY);
  });
});

describe('SLA clock — bad input and a broken calendar', () => {
  it('refuses a negative or fractional limit, an invalid start, now or pause', () => {
    const refusals = [
      () => slaDeadline(clock('2026-11-16T10:00:00', -1), calendar),
      () => slaDeadline(clock('2026-11-16T10:00:00', 1.5), calendar),
      () =>
        slaDeadline({ startedAt: new Date('never'), limitWorkingDays: 1, pauses: [] }, calendar),
      () => slaUsedMs(clock('2026-11-16T10:00:00', 1), new Date('never'), calendar),
      () => slaDeadline(clock('2026-11-16T10:00:00', 1), calendar, new Date('never')),
    ];
    for (const refusal of refusals) {
      expect(refusal).toThrow(expect.objectContaining({ code: 'DEADLINE.INVALID_ARGUMENT' }));
    }
    expect(() =>
      slaDeadline(
        clock('2026-11-16T10:00:00', 1, ['2026-11-18T09:00:00', '2026-11-17T09:00:00']),
        calendar,
      ),
    ).toThrow(/第 1 次暂停的结束时间早于开始时间/);
  });

  it('stops with DEADLINE.NO_WORKING_DAY when the calendar never yields a working day', () => {
    expect(() =>
      slaDeadline(clock('2026-11-16T10:00:00', 1), { isWorkingDay: () => false }),
    ).toThrow(expect.objectContaining({ code: 'DEADLINE.NO_WORKING_DAY' }));
  });

  it('is not fooled by a long wait: 90 paused days are not a broken calendar', () => {
    const state = clock('2026-03-02T10:00:00', 1, ['2026-03-03T00:00:00', '2026-06-01T00:00:00']);
    // Monday 1 June 2026 is the first unpaused working day.
    expect(slaDeadline(state, calendar)).toEqual(cst('2026-06-02T00:00:00'));
  });

  it('steps a day at a time: a year-long limit asks the calendar about each day once', () => {
    let questions = 0;
    const counting: WorkingDayCalendar = {
      isWorkingDay: (day) => {
        questions++;
        return calendar.isWorkingDay(day);
      },
    };
    const deadline = slaDeadline(clock('2026-01-05T10:00:00', 365), counting);
    expect(questions).toBe(
      Math.round((deadline.getTime() - cst('2026-01-06T00:00:00').getTime()) / DAY),
    );
  });

  it('does not change the state it was given', () => {
    const state = clock(
      '2026-11-16T10:00:00',
      5,
      ['2026-11-18T12:00:00'],
      ['2026-11-17T09:00:00', '2026-11-17T10:00:00'],
    );
    const before = structuredClone(state);
    slaDeadline(state, calendar, cst('2026-11-19T00:00:00'));
    slaUsedMs(state, cst('2026-11-19T00:00:00'), calendar);
    expect(state).toEqual(before);
  });
});
