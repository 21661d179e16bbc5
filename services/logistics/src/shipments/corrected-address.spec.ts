import { describe, expect, it } from 'vitest';
import { correctedAddress, hasAddress } from './corrected-address';
import { LogisticsError } from './logistics-error';

const address = {
  recipient: '王芳',
  phone: '13912345678',
  divisionCode: '411702',
  line: '河南省驻马店市驿城区交通路18号',
  postalCode: '463000',
};

function problem(change: Partial<typeof address>): string {
  try {
    correctedAddress({ ...address, ...change });
  } catch (error) {
    expect(error).toBeInstanceOf(LogisticsError);
    expect((error as LogisticsError).code).toBe('LOGISTICS.INVALID_ADDRESS');
    return (error as LogisticsError).message;
  }
  throw new Error('the address was accepted');
}

describe('a corrected address for a resend', () => {
  it('is accepted trimmed, with a mobile or a landline with its area code', () => {
    expect(
      correctedAddress({ ...address, recipient: ' 王芳 ', line: ` ${address.line} ` }),
    ).toEqual(address);
    expect(correctedAddress({ ...address, phone: '0396-2600000' }).phone).toBe('0396-2600000');
  });

  it('names every field the carrier would refuse, in words a clerk can act on', () => {
    expect(problem({ phone: '139-1234' })).toContain('联系电话');
    expect(problem({ divisionCode: '41170' })).toContain('所在区县');
    expect(problem({ postalCode: '' })).toContain('邮政编码');
    const several = problem({ recipient: ' ', line: '' });
    expect(several).toContain('收件人');
    expect(several).toContain('详细地址');
    expect(problem({ line: '路'.repeat(201) })).toContain('详细地址');
  });

  it('tells an address from the empty one a window without an address leaves', () => {
    expect(hasAddress(address)).toBe(true);
    expect(
      hasAddress({ recipient: '', phone: '', divisionCode: '', line: '', postalCode: '' }),
    ).toBe(false);
  });
});
