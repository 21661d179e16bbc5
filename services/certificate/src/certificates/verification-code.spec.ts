import { describe, expect, it } from 'vitest';
import {
  formatVerificationCode,
  newVerificationCode,
  normalizeVerificationCode,
} from './verification-code';

describe('verification codes', () => {
  it('are 12 characters without look-alikes (no I, L, O, U)', () => {
    for (let i = 0; i < 200; i += 1) {
      expect(newVerificationCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    }
  });

  it('are printed in groups of four', () => {
    expect(formatVerificationCode('7K3MQ9TX2HRB')).toBe('7K3M-Q9TX-2HRB');
  });

  it('are found however they were typed: case, spaces and dashes do not matter', () => {
    expect(normalizeVerificationCode(' 7k3m-q9tx 2hrb ')).toBe('7K3MQ9TX2HRB');
  });

  it('read O as zero and I or L as one, as Crockford base 32 does', () => {
    expect(normalizeVerificationCode('OOOO-IIII-LLLL')).toBe('000011111111');
  });

  it('refuse what cannot be a code', () => {
    expect(normalizeVerificationCode('7K3MQ9TX2HR')).toBeUndefined();
    expect(normalizeVerificationCode('7K3MQ9TX2HRBX')).toBeUndefined();
    expect(normalizeVerificationCode('7K3MQ9TX2HRU')).toBeUndefined();
    expect(normalizeVerificationCode('7K3MQ9TX2HR!')).toBeUndefined();
  });
});
