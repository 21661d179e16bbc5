import { describe, expect, it } from 'vitest';
import { DomainError, formatCaseNumber, parseCaseNumber } from '../src';

describe('formatCaseNumber', () => {
  it('forms <region>-<yyyymmdd>-<6-digit sequence>', () => {
    expect(formatCaseNumber('411700', new Date('2026-11-22T02:00:00Z'), 1)).toBe(
      '411700-20261122-000001',
    );
  });

  it('pads the sequence to six digits and keeps the largest one', () => {
    const day = new Date('2026-11-22T02:00:00Z');
    expect(formatCaseNumber('429005', day, 42)).toBe('429005-20261122-000042');
    expect(formatCaseNumber('429005', day, 999_999)).toBe('429005-20261122-999999');
  });

  it('dates a case received at 00:30 in China with the China day, though UTC is still the day before', () => {
    expect(formatCaseNumber('411700', new Date('2026-11-21T16:30:00Z'), 7)).toBe(
      '411700-20261122-000007',
    );
  });

  it('dates a case received at 23:59 in China with that day, not the next UTC day', () => {
    expect(formatCaseNumber('411700', new Date('2026-11-22T15:59:59Z'), 7)).toBe(
      '411700-20261122-000007',
    );
  });

  it('refuses sequences outside 1–999999 and fractional ones', () => {
    const day = new Date('2026-11-22T02:00:00Z');
    for (const sequence of [0, -1, 1_000_000, 1.5, Number.NaN]) {
      expect(() => formatCaseNumber('411700', day, sequence)).toThrow(DomainError);
    }
  });

  it('refuses a region that is not a 6-digit division code', () => {
    for (const region of ['4117', '41170A', '011700', '']) {
      expect(() => formatCaseNumber(region, new Date(), 1)).toThrow(/地区代码/);
    }
  });

  it('refuses an invalid date', () => {
    expect(() => formatCaseNumber('411700', new Date('not a date'), 1)).toThrow(/受理时间无效/);
  });

  it('throws with the stable code CASE_NUMBER.INVALID', () => {
    expect(() => formatCaseNumber('411700', new Date(), 0)).toThrow(
      expect.objectContaining({ code: 'CASE_NUMBER.INVALID' }),
    );
  });
});

describe('parseCaseNumber', () => {
  it('splits a case number into region, day and sequence', () => {
    expect(parseCaseNumber('430600-20261122-000123')).toEqual({
      ok: true,
      caseNumber: { region: '430600', day: '20261122', sequence: 123 },
    });
  });

  it('round-trips what formatCaseNumber produces', () => {
    const number = formatCaseNumber('429005', new Date('2028-02-29T10:00:00Z'), 98_765);
    expect(parseCaseNumber(number)).toEqual({
      ok: true,
      caseNumber: { region: '429005', day: '20280229', sequence: 98_765 },
    });
  });

  it('tolerates spaces around a number read out at the window', () => {
    expect(parseCaseNumber(' 411700-20261122-000001 ').ok).toBe(true);
  });

  it.each([
    ['no separators', '41170020261122000001'],
    ['a short sequence', '411700-20261122-1'],
    ['a seven-digit sequence', '411700-20261122-0000001'],
    ['sequence zero', '411700-20261122-000000'],
    ['a day that does not exist', '411700-20260230-000001'],
    ['a region with a leading zero', '011700-20261122-000001'],
    ['trailing text', '411700-20261122-000001x'],
    ['slashes', '411700/20261122/000001'],
    ['nothing', ''],
  ])('refuses %s', (_, value) => {
    const result = parseCaseNumber(value);
    expect(result).toMatchObject({ ok: false, code: 'CASE_NUMBER.INVALID' });
    expect(!result.ok && result.message).toContain('411700-20261122-000001');
  });
});
