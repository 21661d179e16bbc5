// The requests a reviewer writes as rows and a note — materials to hand in again, places to film:
// one line of inputs per row, a row dropped by × while more than one is left, one added below.
import { useState } from 'react';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import { ActionButton, TextField } from '../shared/forms';

export interface RowInput<Field extends string> {
  field: Field;
  testId: (index: number) => string;
  placeholder: string;
  /** What a screen reader calls the input. */
  label: string;
  /** Takes the rest of the line. */
  wide?: boolean;
  /** id of a datalist with values to choose from. */
  list?: string;
}

export function EditableRows<Field extends string, Row extends Record<Field, string>>({
  rows,
  setRows,
  empty,
  inputs,
  edit = (row, field, value) => ({ ...row, [field]: value }),
  addTestId,
  addLabel,
}: {
  rows: Row[];
  setRows: Dispatch<SetStateAction<Row[]>>;
  /** What a new row starts as. */
  empty: Row;
  inputs: RowInput<Field>[];
  /** The row once one input of it changed; by default only that part changes. */
  edit?: (row: Row, field: Field, value: string) => Row;
  addTestId: string;
  addLabel: string;
}) {
  return (
    <>
      {rows.map((row, index) => (
        <div className="request-row" key={index}>
          {inputs.map((input) => (
            <input
              key={input.field}
              data-testid={input.testId(index)}
              list={input.list}
              placeholder={input.placeholder}
              aria-label={input.label}
              className={input.wide === true ? 'request-row-wide' : undefined}
              value={row[input.field]}
              onChange={(event) => {
                const value = event.target.value;
                setRows((previous) =>
                  previous.map((entry, position) =>
                    position === index ? edit(entry, input.field, value) : entry,
                  ),
                );
              }}
            />
          ))}
          {rows.length > 1 ? (
            <button
              type="button"
              className="button button-small button-quiet"
              aria-label="删除此行"
              onClick={() => {
                setRows((previous) => previous.filter((_, position) => position !== index));
              }}
            >
              ×
            </button>
          ) : null}
        </div>
      ))}
      <button
        type="button"
        className="button button-small button-quiet"
        data-testid={addTestId}
        onClick={() => {
          setRows((previous) => [...previous, empty]);
        }}
      >
        {addLabel}
      </button>
    </>
  );
}

/** A request the reviewer writes as rows and a note: materials to hand in again, or places to film. */
export interface RowsRequest<Field extends string, Row extends Record<Field, string>> {
  title: string;
  /** What a new row starts as. */
  empty: Row;
  inputs: (RowInput<Field> & { required?: boolean })[];
  addTestId: string;
  addLabel: string;
  noteLabel: string;
  noteTestId: string;
  sendTestId: string;
  sendLabel: string;
  /** Said when a row lacks a required part. */
  incomplete: string;
  /** Said once the request went through. */
  done: string;
}

/** What the reviewer has typed into a request so far. */
export interface Draft<Row> {
  rows: Row[];
  setRows: Dispatch<SetStateAction<Row[]>>;
  note: string;
  setNote: (note: string) => void;
  /** Back to one empty row and no note, once the request went through. */
  clear: () => void;
}

export function useDraft<Row>(empty: Row): Draft<Row> {
  const [rows, setRows] = useState<Row[]>([empty]);
  const [note, setNote] = useState('');
  return {
    rows,
    setRows,
    note,
    setNote,
    clear: () => {
      setRows([empty]);
      setNote('');
    },
  };
}

export function RowsRequestSection<Field extends string, Row extends Record<Field, string>>({
  request,
  draft,
  edit,
  busy,
  onSend,
  children,
}: {
  request: RowsRequest<Field, Row>;
  draft: Draft<Row>;
  edit?: (row: Row, field: Field, value: string) => Row;
  busy: boolean;
  onSend: () => Promise<void>;
  /** Above the rows: what their inputs offer to choose from. */
  children?: ReactNode;
}) {
  return (
    <section className="action-section">
      <h3 className="subheading">{request.title}</h3>
      {children}
      <EditableRows
        rows={draft.rows}
        setRows={draft.setRows}
        empty={request.empty}
        inputs={request.inputs}
        edit={edit}
        addTestId={request.addTestId}
        addLabel={request.addLabel}
      />
      <TextField
        label={request.noteLabel}
        wide
        testId={request.noteTestId}
        value={draft.note}
        onChange={draft.setNote}
      />
      <ActionButton
        testId={request.sendTestId}
        className="button button-block"
        busy={busy}
        onClick={onSend}
      >
        {request.sendLabel}
      </ActionButton>
    </section>
  );
}
