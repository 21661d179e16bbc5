import { describe, expect, it } from 'vitest';
import { addWorkingDays, DomainError, type WorkingDayCalendar } from '../src';

// 2026-11-20 is a Friday. Times are written in China Standard Time (+08:00) for readability.
const cst = (local: string): Date => new Date(`${local}+08:00`);

describe('addWorkingDays — weekends only (first version)', () => {
  it('moves a one-day limit from Wednesday to Thursday, same time of day', () => {
    expect(addWorkingDays(cst('2026-11-18T10:15:00'), 1)).toEqual(cst('2026-11-19T10:15:00'));
  });

  it('skips the weekend: Friday + 1 working day is Monday', () => {
    expect(addWorkingDays(cst('2026-11-20T16:00:00'), 1)).toEqual(cst('2026-11-23T16:00:00'));
  });

  it('does not count the day of receipt even when it is a weekend day', () => {
    expect(addWorkingDays(cst('2026-11-21T09:00:00'), 1)).toEqual(cst('2026-11-23T09:00:00'));
    expect(addWorkingDays(cst('2026-11-22T09:00:00'), 1)).toEqual(cst('2026-11-23T09:00:00'));
  });

  it('turns five working days into one calendar week', () => {
    expect(addWorkingDays(cst('2026-11-23T09:00:00'), 5)).toEqual(cst('2026-11-30T09:00:00'));
  });

  it('spans two weekends for a 10-working-day limit', () => {
    expect(addWorkingDays(cst('2026-11-18T14:00:00'), 10)).toEqual(cst('2026-12-02T14:00:00'));
  });

  it('spans a month and a year boundary', () => {
    // 2026-12-31 is a Thursday; +2 working days skips the weekend of 2–3 January 2027.
    expect(addWorkingDays(cst('2026-12-31T11:00:00'), 2)).toEqual(cst('2027-01-04T11:00:00'));
  });

  it('judges the weekday in China time: Friday 23:30 in China is Friday, although UTC says 15:30', () => {
    expect(addWorkingDays(cst('2026-11-20T23:30:00'), 1)).toEqual(cst('2026-11-23T23:30:00'));
  });

  it('judges the weekday in China time: Monday 01:00 in China is Sunday in UTC', () => {
    expect(addWorkingDays(cst('2026-11-23T01:00:00'), 1)).toEqual(cst('2026-11-24T01:00:00'));
  });

  it('returns the start itself for zero days', () => {
    const start = cst('2026-11-21T09:00:00');
    expect(addWorkingDays(start, 0)).toEqual(start);
  });

  it('does not change the start date it was given', () => {
    const start = cst('2026-11-20T16:00:00');
    addWorkingDays(start, 3);
    expect(start).toEqual(cst('2026-11-20T16:00:00'));
  });

  it('refuses negative and fractional day counts', () => {
    for (const days of [-1, 1.5, Number.NaN]) {
      expect(() => addWorkingDays(cst('2026-11-20T16:00:00'), days)).toThrow(
        expect.objectContaining({ code: 'DEADLINE.INVALID_ARGUMENT' }),
      );
    }
  });

  it('refuses an invalid start', () => {
    expect(() => addWorkingDays(new Date('never'), 1)).toThrow(DomainError);
  });
});

describe('addWorkingDays — with a calendar', () => {
  // A holiday calendar in the shape a later issue will load: a Monday off, a Saturday worked (调休).
  const holidays: WorkingDayCalendar = {
    isWorkingDay: (day) =>
      day.date === '2026-11-28' ||
      (day.weekday !== 0 && day.weekday !== 6 && day.date !== '2026-11-23'),
  };

  it('skips a public holiday', () => {
    expect(addWorkingDays(cst('2026-11-20T16:00:00'), 1, holidays)).toEqual(
      cst('2026-11-24T16:00:00'),
    );
  });

  it('counts a weekend day worked in exchange for a holiday', () => {
    expect(addWorkingDays(cst('2026-11-27T16:00:00'), 1, holidays)).toEqual(
      cst('2026-11-28T16:00:00'),
    );
  });

  it('hands the calendar China days with their date and weekday', () => {
    const seen: string[] = [];
    addWorkingDays(cst('2026-11-20T23:30:00'), 1, {
      isWorkingDay: (day) => {
        seen.push(`${day.date}/${day.weekday}`);
        return day.weekday === 1;
      },
    });
    expect(seen).toEqual(['2026-11-21/6', '2026-11-22/0', '2026-11-23/1']);
  });

  it('stops with a clear error when the calendar has no working day at all', () => {
    expect(() =>
      addWorkingDays(cst('2026-11-20T16:00:00'), 1, { isWorkingDay: () => false }),
    ).toThrow(expect.objectContaining({ code: 'DEADLINE.NO_WORKING_DAY' }));
  });
});
