import type { PostalAddress } from '../../../src/api/console-api';
import { TextField } from '../shared/forms';

export const EMPTY_ADDRESS: PostalAddress = {
  recipient: '',
  phone: '',
  divisionCode: '',
  line: '',
  postalCode: '',
};

/** What is missing or malformed in an address, as one sentence; undefined when complete. */
export function addressProblem(address: PostalAddress, what: string): string | undefined {
  const missing: string[] = [];
  if (address.recipient.trim() === '') missing.push('收件人');
  if (address.phone.trim() === '') missing.push('联系电话');
  if (address.line.trim() === '') missing.push('详细地址');
  const malformed: string[] = [];
  if (!/^\d{6}$/.test(address.divisionCode.trim())) {
    malformed.push('行政区划代码应为 6 位县级代码（如 411702）');
  }
  if (!/^\d{6}$/.test(address.postalCode.trim())) malformed.push('邮政编码应为 6 位数字');
  if (missing.length === 0 && malformed.length === 0) return undefined;
  const parts = [...(missing.length === 0 ? [] : [`请填写${missing.join('、')}`]), ...malformed];
  return `${what}：${parts.join('；')}。`;
}

export function trimAddress(address: PostalAddress): PostalAddress {
  return {
    recipient: address.recipient.trim(),
    phone: address.phone.trim(),
    divisionCode: address.divisionCode.trim(),
    line: address.line.trim(),
    postalCode: address.postalCode.trim(),
  };
}

/** The five inputs of a postal address; test ids are `<prefix>-recipient` and so on. */
export function AddressFields({
  prefix,
  value,
  onChange,
}: {
  prefix: string;
  value: PostalAddress;
  onChange: (value: PostalAddress) => void;
}) {
  const set = (part: keyof PostalAddress) => (text: string) => {
    onChange({ ...value, [part]: text });
  };
  return (
    <div className="form-grid">
      <TextField
        label="收件人"
        required
        testId={`${prefix}-recipient`}
        value={value.recipient}
        onChange={set('recipient')}
      />
      <TextField
        label="联系电话"
        required
        testId={`${prefix}-phone`}
        value={value.phone}
        inputMode="tel"
        onChange={set('phone')}
      />
      <TextField
        label="行政区划代码"
        required
        hint="县级 6 位代码，如 411702"
        testId={`${prefix}-division`}
        value={value.divisionCode}
        maxLength={6}
        inputMode="numeric"
        onChange={set('divisionCode')}
      />
      <TextField
        label="邮政编码"
        required
        testId={`${prefix}-postal`}
        value={value.postalCode}
        maxLength={6}
        inputMode="numeric"
        onChange={set('postalCode')}
      />
      <TextField
        label="详细地址"
        required
        wide
        testId={`${prefix}-line`}
        value={value.line}
        onChange={set('line')}
      />
    </div>
  );
}
