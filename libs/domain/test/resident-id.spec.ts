import { describe, expect, it } from 'vitest';
import { residentIdCheckCharacter, validateResidentId } from '../src';
import { syntheticResidentId, withCharacterChanged } from './support';

const today = new Date('2026-11-22T04:00:00Z');
const check = (value: string) => validateResidentId(value, { today });

describe('validateResidentId — accepted numbers', () => {
  it('accepts a synthetic 驻马店 number whose check digit is a digit', () => {
    const id = syntheticResidentId('411702', '19580312', '271');
    expect(check(id)).toEqual({ ok: true, normalized: id });
  });

  it('finds synthetic numbers for every check character 0–9 and X, and accepts each', () => {
    const seen = new Set<string>();
    for (let sequence = 100; seen.size < 11; sequence++) {
      const id = syntheticResidentId('429005', '19610701', String(sequence));
      seen.add(id.charAt(17));
      expect(check(id).ok).toBe(true);
    }
    expect([...seen].sort().join('')).toBe('0123456789X');
  });

  it('agrees with the test formula on the check character for many bodies', () => {
    for (let sequence = 0; sequence < 1000; sequence += 7) {
      const id = syntheticResidentId('430602', '19900101', String(sequence).padStart(3, '0'));
      expect(residentIdCheckCharacter(id.slice(0, 17))).toBe(id.charAt(17));
    }
  });

  it('accepts a lower-case x and stores it upper-case', () => {
    const id = findIdEndingInX();
    const result = check(`${id.slice(0, 17)}x`);
    expect(result).toEqual({ ok: true, normalized: id });
  });

  it('ignores spaces around a pasted number', () => {
    const id = syntheticResidentId('411702', '19580312', '271');
    expect(check(`  ${id}\t`)).toEqual({ ok: true, normalized: id });
  });

  it('accepts a residence permit number of a Hong Kong, Macao or Taiwan resident (81/82/83)', () => {
    for (const address of ['810000', '820000', '830000']) {
      expect(check(syntheticResidentId(address, '19850615', '021')).ok).toBe(true);
    }
  });

  it('accepts someone born today and someone born on 1 January 1900', () => {
    expect(check(syntheticResidentId('411702', '20261122', '001')).ok).toBe(true);
    expect(check(syntheticResidentId('411702', '19000101', '001')).ok).toBe(true);
  });

  it('accepts 29 February in a leap year', () => {
    expect(check(syntheticResidentId('411702', '20000229', '011')).ok).toBe(true);
  });
});

describe('validateResidentId — refused numbers', () => {
  const valid = syntheticResidentId('411702', '19580312', '271');

  it('refuses a number that is too short or too long', () => {
    expect(check(valid.slice(0, 17))).toMatchObject({ ok: false, code: 'ID_NUMBER.WRONG_LENGTH' });
    expect(check(`${valid}1`)).toMatchObject({ ok: false, code: 'ID_NUMBER.WRONG_LENGTH' });
    expect(check('')).toMatchObject({ ok: false, code: 'ID_NUMBER.WRONG_LENGTH' });
  });

  it('tells the clerk that a 15-digit number is the old format', () => {
    const result = check('411702580312271');
    expect(result).toMatchObject({ ok: false, code: 'ID_NUMBER.WRONG_LENGTH' });
    expect(!result.ok && result.message).toContain('15 位旧身份证号码');
  });

  it('refuses letters in the first 17 positions', () => {
    expect(check(`41170219580312A71`.padEnd(18, '1'))).toMatchObject({
      ok: false,
      code: 'ID_NUMBER.INVALID_CHARACTER',
    });
  });

  it('refuses a check character other than a digit or X', () => {
    expect(check(`${valid.slice(0, 17)}Y`)).toMatchObject({
      ok: false,
      code: 'ID_NUMBER.INVALID_CHARACTER',
    });
  });

  it('refuses full-width digits typed by an input method', () => {
    expect(check(`４${valid.slice(1)}`)).toMatchObject({
      ok: false,
      code: 'ID_NUMBER.INVALID_CHARACTER',
    });
  });

  it('refuses a wrong check digit without revealing the expected one', () => {
    const wrong = withCharacterChanged(valid, 17, '0123456789X');
    const result = check(wrong);
    expect(result).toMatchObject({ ok: false, code: 'ID_NUMBER.CHECK_DIGIT_MISMATCH' });
    expect(!result.ok && result.message).toContain('逐位核对');
    expect(!result.ok && result.message).not.toMatch(/应为/);
  });

  it('catches a single mistyped digit in the body through the check digit', () => {
    const typo = withCharacterChanged(valid, 15, '0123456789');
    expect(check(typo)).toMatchObject({ ok: false, code: 'ID_NUMBER.CHECK_DIGIT_MISMATCH' });
  });

  it('catches two swapped neighbouring digits', () => {
    const swapped = valid.slice(0, 14) + valid.charAt(15) + valid.charAt(14) + valid.slice(16);
    expect(valid.charAt(14)).not.toBe(valid.charAt(15));
    expect(check(swapped)).toMatchObject({ ok: false, code: 'ID_NUMBER.CHECK_DIGIT_MISMATCH' });
  });

  it('refuses a province code that does not exist', () => {
    for (const address of ['001234', '191234', '991234', '721234']) {
      expect(check(syntheticResidentId(address, '19580312', '271'))).toMatchObject({
        ok: false,
        code: 'ID_NUMBER.UNKNOWN_PROVINCE',
      });
    }
  });

  it('refuses dates that do not exist', () => {
    for (const birth of ['19580230', '19581301', '19580001', '19580100', '19010229']) {
      expect(check(syntheticResidentId('411702', birth, '271'))).toMatchObject({
        ok: false,
        code: 'ID_NUMBER.INVALID_BIRTH_DATE',
      });
    }
  });

  it('refuses a birth date in the future (China time)', () => {
    // 2026-11-22 04:00 UTC is already 12:00 on the 22nd in China; the 23rd is still tomorrow.
    expect(check(syntheticResidentId('411702', '20261123', '001'))).toMatchObject({
      ok: false,
      code: 'ID_NUMBER.INVALID_BIRTH_DATE',
    });
  });

  it('uses the China date for "today": just after midnight in China the new day counts', () => {
    const justAfterMidnight = new Date('2026-11-22T16:30:00Z'); // 00:30 on the 23rd in China
    const id = syntheticResidentId('411702', '20261123', '001');
    expect(validateResidentId(id, { today: justAfterMidnight }).ok).toBe(true);
  });

  it('refuses a birth year before 1900', () => {
    expect(check(syntheticResidentId('411702', '18991231', '271'))).toMatchObject({
      ok: false,
      code: 'ID_NUMBER.INVALID_BIRTH_DATE',
    });
  });

  it('gives every refusal a message in Chinese the clerk can act on', () => {
    const result = check(syntheticResidentId('411702', '19580230', '271'));
    expect(!result.ok && result.message).toMatch(/出生日期 19580230/);
  });
});

function findIdEndingInX(): string {
  for (let sequence = 100; ; sequence++) {
    const id = syntheticResidentId('411702', '19580312', String(sequence));
    if (id.endsWith('X')) return id;
  }
}
