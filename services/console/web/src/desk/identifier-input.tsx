// An ID number / credit code input that says at every keystroke whether the number can be right:
// length, characters, province, birth date and the check character, in the clerk's words.
import type { ApplicantKind } from '../../../src/api/console-api';
import { checkIdentifier } from '../shared/identifiers';

export function IdentifierInput({
  kind,
  value,
  onChange,
  testId,
}: {
  kind: ApplicantKind;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  const check = checkIdentifier(kind, value);
  const empty = value.trim() === '';
  const message = empty
    ? kind === 'PERSON'
      ? '请录入 18 位居民身份证号码。'
      : '请录入 18 位统一社会信用代码。'
    : check.ok
      ? kind === 'PERSON'
        ? '身份证号码校验通过。'
        : '统一社会信用代码校验通过。'
      : check.message;
  return (
    <>
      <input
        data-testid={testId}
        className={`identifier${!empty && !check.ok ? ' input-invalid' : ''}`}
        value={value}
        maxLength={20}
        spellCheck={false}
        autoComplete="off"
        inputMode={kind === 'PERSON' ? 'numeric' : 'text'}
        placeholder={kind === 'PERSON' ? '18 位居民身份证号码' : '18 位统一社会信用代码'}
        aria-invalid={!empty && !check.ok}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
      <span
        className={`identifier-status ${empty ? 'identifier-status-empty' : check.ok ? 'identifier-status-ok' : 'identifier-status-bad'}`}
        data-testid={`${testId}-status`}
        data-valid={check.ok ? 'true' : 'false'}
        data-code={check.ok ? '' : check.code}
        aria-live="polite"
      >
        {empty ? '' : check.ok ? '✓ ' : '✗ '}
        {message}
      </span>
    </>
  );
}
