// What every form of the console does the same way: one request at a time with the buttons
// disabled meanwhile, the server's refusal shown in place, labelled text inputs bound to state,
// and file inputs that say which scan was chosen.
import { useState } from 'react';
import type { ChangeEvent, InputHTMLAttributes, ReactNode } from 'react';
import { asApiFailure } from './api-client';
import type { ApiFailure } from './api-client';
import { formatBytes } from './format';
import { FormField } from './ui';

/** The busy flag and the error of a form or action panel that sends one request at a time. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | string>();

  /**
   * Sends and resolves to whether it went through; a failure is kept as the error. With
   * `leaving`, success keeps the form busy: the page moves on, and a second click must not send
   * the same thing again while it does.
   */
  const perform = async (
    send: () => Promise<void>,
    { leaving = false }: { leaving?: boolean } = {},
  ): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await send();
      if (!leaving) setBusy(false);
      return true;
    } catch (failure: unknown) {
      setError(asApiFailure(failure));
      setBusy(false);
      return false;
    }
  };

  return { busy, error, setError, perform };
}

/** A form the console checks itself (no browser bubbles) and sends without reloading the page. */
export function Form({
  onSubmit,
  className,
  children,
}: {
  onSubmit: () => Promise<void>;
  className?: string;
  children: ReactNode;
}) {
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit();
      }}
      noValidate
      className={className}
    >
      {children}
    </form>
  );
}

/** The form's send button: disabled, and saying so, while the request is under way. */
export function SubmitButton({
  testId,
  busy,
  busyLabel,
  className = 'button button-primary',
  children,
}: {
  testId: string;
  busy: boolean;
  busyLabel: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <button type="submit" className={className} data-testid={testId} disabled={busy}>
      {busy ? busyLabel : children}
    </button>
  );
}

/** A button that starts a request: disabled while one is under way. */
export function ActionButton({
  testId,
  busy,
  className,
  onClick,
  children,
}: {
  testId: string;
  busy: boolean;
  className: string;
  onClick: () => unknown;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={className}
      data-testid={testId}
      disabled={busy}
      onClick={() => {
        void onClick();
      }}
    >
      {children}
    </button>
  );
}

interface TextFieldProps {
  label: string;
  /** Marks the label only; the console checks the form itself. */
  required?: boolean;
  wide?: boolean;
  hint?: ReactNode;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  /**
   * A text area of this many lines instead of a one-line input. Of the other input attributes
   * only the placeholder carries over to it.
   */
  rows?: number;
}

/** A labelled text input bound to a string. */
export function TextField({
  label,
  required,
  wide,
  hint,
  testId,
  value,
  onChange,
  rows,
  ...input
}: TextFieldProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, keyof TextFieldProps | 'children'>) {
  const change = (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    onChange(event.target.value);
  };
  return (
    <FormField label={label} required={required} wide={wide} hint={hint}>
      {rows === undefined ? (
        <input data-testid={testId} {...input} value={value} onChange={change} />
      ) : (
        <textarea
          data-testid={testId}
          rows={rows}
          placeholder={input.placeholder}
          value={value}
          onChange={change}
        />
      )}
    </FormField>
  );
}

/** A file input with the chosen file's name and size next to it. */
export function FileInput({
  testId,
  accept,
  label,
  file,
  onChoose,
}: {
  testId: string;
  accept: string;
  /** Read out by screen readers: what the file is. */
  label: string;
  file: File | undefined;
  /** No file: the clerk took the choice back. */
  onChoose: (file: File | undefined) => void;
}) {
  return (
    <>
      <input
        type="file"
        accept={accept}
        data-testid={testId}
        aria-label={label}
        onChange={(event) => {
          onChoose(event.target.files?.[0]);
        }}
      />
      {file === undefined ? null : (
        <span className="file-note">
          {file.name} · {formatBytes(file.size)}
        </span>
      )}
    </>
  );
}

/** Scans only: photos of documents or PDFs from the window's scanner. */
export const SCAN_TYPES = 'image/*,application/pdf';

export interface FileChoices {
  /** The chosen file by material code. */
  files: Map<string, File>;
  choose: (code: string, file: File | undefined) => void;
  clear: () => void;
}

/** One chosen file per material code, as the clerk picks them in a materials table. */
export function useFileChoices(): FileChoices {
  const [files, setFiles] = useState<Map<string, File>>(new Map());
  const choose = (code: string, file: File | undefined) => {
    setFiles((previous) => {
      const next = new Map(previous);
      if (file === undefined) next.delete(code);
      else next.set(code, file);
      return next;
    });
  };
  const clear = () => {
    setFiles(new Map());
  };
  return { files, choose, clear };
}

/** The scan of one material, kept among `scans` under the material's code. */
export function ScanInput({
  testId,
  material,
  scans,
}: {
  testId: string;
  material: { code: string; name: string };
  scans: FileChoices;
}) {
  return (
    <FileInput
      testId={testId}
      accept={SCAN_TYPES}
      label={material.name}
      file={scans.files.get(material.code)}
      onChoose={(file) => {
        scans.choose(material.code, file);
      }}
    />
  );
}
