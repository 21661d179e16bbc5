import { describe, expect, it } from 'vitest';
import {
  creditCodeCheckCharacter,
  organizationCodeCheckCharacter,
  validateCreditCode,
} from '../src';
import { syntheticCreditCode, withCharacterChanged } from './support';

const USCC = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('validateCreditCode — accepted codes', () => {
  it('accepts a synthetic enterprise code registered in 驻马店 (91 411700 …)', () => {
    const code = syntheticCreditCode('91', '411700', 'MA45B7Q2');
    expect(validateCreditCode(code)).toEqual({ ok: true, normalized: code });
  });

  it('accepts an individual business (92), a cooperative (93) and a social organisation (51)', () => {
    for (const prefix of ['92', '93', '51', '52', '53', '12', '31', 'N2', 'Y1', 'A1']) {
      const code = syntheticCreditCode(prefix, '430600', '07654321');
      expect(validateCreditCode(code), prefix).toEqual({ ok: true, normalized: code });
    }
  });

  it('accepts the national division code 100000 of nationally registered organisations', () => {
    const code = syntheticCreditCode('51', '100000', '50001234');
    expect(validateCreditCode(code).ok).toBe(true);
  });

  it('accepts lower-case letters and stores the code upper-case', () => {
    const code = syntheticCreditCode('91', '429005', 'MA4C8D7E');
    expect(validateCreditCode(code.toLowerCase())).toEqual({ ok: true, normalized: code });
  });

  it('agrees with the test formula on both check characters across many bodies', () => {
    const letters = 'ABCDEFGHJKLMNPQRTUWXY';
    for (let n = 0; n < 400; n++) {
      const body = `M${letters.charAt(n % letters.length)}${String(n * 7919)
        .padStart(6, '0')
        .slice(-6)}`;
      const code = syntheticCreditCode('91', '411700', body);
      expect(organizationCodeCheckCharacter(body)).toBe(code.charAt(16));
      expect(creditCodeCheckCharacter(code.slice(0, 17))).toBe(code.charAt(17));
    }
  });

  it('covers organisation check characters X and 0 (the 10 and 11 cases of GB 11714)', () => {
    const checks = new Set<string>();
    for (let n = 0; checks.size < 11 && n < 10_000; n++) {
      const code = syntheticCreditCode('91', '411700', String(10_000_000 + n));
      checks.add(code.charAt(16));
      expect(validateCreditCode(code).ok).toBe(true);
    }
    expect(checks).toContain('X');
    expect(checks).toContain('0');
  });

  it('covers the final check character 0 (31 − 0 wraps to 0)', () => {
    let found = false;
    for (let n = 0; !found && n < 10_000; n++) {
      const code = syntheticCreditCode('91', '411700', String(20_000_000 + n));
      if (code.endsWith('0')) {
        found = true;
        expect(validateCreditCode(code).ok).toBe(true);
      }
    }
    expect(found).toBe(true);
  });
});

describe('validateCreditCode — refused codes', () => {
  const valid = syntheticCreditCode('91', '411700', 'MA45B7Q2');

  it('refuses a code of the wrong length', () => {
    expect(validateCreditCode(valid.slice(1))).toMatchObject({
      ok: false,
      code: 'CREDIT_CODE.WRONG_LENGTH',
    });
    expect(validateCreditCode(`${valid}0`)).toMatchObject({
      ok: false,
      code: 'CREDIT_CODE.WRONG_LENGTH',
    });
  });

  it('tells the clerk a 15-digit number is an old registration number', () => {
    const result = validateCreditCode('411700000012345');
    expect(!result.ok && result.message).toContain('15 位旧工商注册号');
  });

  it.each(['I', 'O', 'Z', 'S', 'V'])(
    'refuses the letter %s, which the code never uses',
    (letter) => {
      const code = valid.slice(0, 10) + letter + valid.slice(11);
      const result = validateCreditCode(code);
      expect(result).toMatchObject({ ok: false, code: 'CREDIT_CODE.INVALID_CHARACTER' });
      expect(!result.ok && result.message).toContain(`“${letter}”`);
    },
  );

  it('refuses punctuation and full-width characters', () => {
    expect(validateCreditCode(`${valid.slice(0, 17)}-`)).toMatchObject({
      code: 'CREDIT_CODE.INVALID_CHARACTER',
    });
    expect(validateCreditCode(`９${valid.slice(1)}`)).toMatchObject({
      code: 'CREDIT_CODE.INVALID_CHARACTER',
    });
  });

  it('refuses an unknown registration authority', () => {
    for (const authority of ['0', 'B', 'X']) {
      const code = syntheticCreditCode(`${authority}1`, '411700', 'MA45B7Q2');
      expect(validateCreditCode(code)).toMatchObject({
        ok: false,
        code: 'CREDIT_CODE.UNKNOWN_REGISTRATION_AUTHORITY',
      });
    }
  });

  it('refuses a category the authority does not assign', () => {
    // 工商 assigns 1–3 only; 其他 (Y) only 1; 外交 (2) only 1 and 9.
    for (const prefix of ['94', '99', 'Y2', '22', '5A']) {
      const code = syntheticCreditCode(prefix, '411700', 'MA45B7Q2');
      expect(validateCreditCode(code), prefix).toMatchObject({
        ok: false,
        code: 'CREDIT_CODE.UNKNOWN_CATEGORY',
      });
    }
  });

  it('refuses a division code with letters or an unknown province', () => {
    for (const division of ['41A700', '991700', '001700', '100001']) {
      const code = syntheticCreditCode('91', division, 'MA45B7Q2');
      expect(validateCreditCode(code), division).toMatchObject({
        ok: false,
        code: 'CREDIT_CODE.INVALID_DIVISION_CODE',
      });
    }
  });

  it('refuses a wrong organisation code check character (position 17)', () => {
    const body17 = withCharacterChanged(valid.slice(0, 17), 16, '0123456789X');
    // Recompute position 18 so that only the organisation code is wrong.
    const code = body17 + creditCodeCheckCharacter(body17);
    expect(validateCreditCode(code)).toMatchObject({
      ok: false,
      code: 'CREDIT_CODE.ORGANIZATION_CODE_MISMATCH',
    });
  });

  it('refuses a wrong final check character (position 18)', () => {
    const code = withCharacterChanged(valid, 17, USCC);
    const result = validateCreditCode(code);
    expect(result).toMatchObject({ ok: false, code: 'CREDIT_CODE.CHECK_CHARACTER_MISMATCH' });
    expect(!result.ok && result.message).toContain('第 18 位');
  });

  it('catches a mistyped division digit through the final check character', () => {
    const code = valid.slice(0, 7) + (valid.charAt(7) === '1' ? '2' : '1') + valid.slice(8);
    expect(validateCreditCode(code)).toMatchObject({
      ok: false,
      code: 'CREDIT_CODE.CHECK_CHARACTER_MISMATCH',
    });
  });
});
