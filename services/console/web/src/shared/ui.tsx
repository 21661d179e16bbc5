// Small building blocks every screen shares, so the console looks like one product.
import type { ReactNode } from 'react';
import type { CaseStatus } from '../../../src/api/console-api';
import type { ApiFailure } from './api-client';
import { formatDateTime } from './format';
import { STATUS_LABELS, statusTone } from './labels';
import type { Tone } from './labels';

export function Badge({
  tone,
  children,
  testId,
  data,
}: {
  tone: Tone;
  children: ReactNode;
  testId?: string;
  /** Extra data-* attributes, e.g. { status: 'SUBMITTED' } → data-status. */
  data?: Record<string, string>;
}) {
  const attributes = Object.fromEntries(
    Object.entries(data ?? {}).map(([name, value]) => [`data-${name}`, value]),
  );
  return (
    <span className={`badge badge-${tone}`} data-testid={testId} {...attributes}>
      {children}
    </span>
  );
}

export function Panel({
  title,
  actions,
  children,
  className,
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`panel ${className ?? ''}`} data-testid={testId}>
      {title === undefined && actions === undefined ? null : (
        <header className="panel-header">
          <h2>{title}</h2>
          {actions === undefined ? null : <div className="panel-actions">{actions}</div>}
        </header>
      )}
      <div className="panel-body">{children}</div>
    </section>
  );
}

/** The server's message, and one line per problem when it listed them. */
export function ErrorMessage({
  error,
  testId,
  fieldNames,
}: {
  error: ApiFailure | string | undefined;
  testId?: string;
  /** Human names for problem fields (material codes, form field names). */
  fieldNames?: Record<string, string>;
}) {
  if (error === undefined) return null;
  const message = typeof error === 'string' ? error : error.message;
  const problems = typeof error === 'string' ? [] : error.problems;
  return (
    <div className="alert alert-danger" role="alert" data-testid={testId}>
      <p>{message}</p>
      {problems.length === 0 ? null : (
        <ul>
          {problems.map((problem, index) => (
            <li key={`${problem.code}-${index}`}>
              {problem.field === undefined || problem.field === '' ? null : (
                <strong>{fieldNames?.[problem.field] ?? problem.field}：</strong>
              )}
              {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="loading">正在加载{what}…</p>;
}

/**
 * A resource on screen: its error (kept next to older data when a refresh fails), that it is
 * loading until the first answer, then what is made of its data.
 */
export function Loaded<T>({
  resource,
  what,
  children,
}: {
  resource: { data: T | undefined; error: ApiFailure | undefined };
  /** What is loading, as in 正在加载办件. */
  what: string;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      <ErrorMessage error={resource.error} />
      {resource.data === undefined ? (
        resource.error === undefined ? (
          <Loading what={what} />
        ) : null
      ) : (
        children(resource.data)
      )}
    </>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Label/value pairs laid out as a compact grid. */
export function Facts({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div className="fact" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A header column: its title, right-aligned over numbers, or of a set width. */
type Column = string | { title: string; number?: boolean; width?: string };

export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, index) => {
          const { title, number, width } = typeof column === 'string' ? { title: column } : column;
          return (
            <th
              key={index}
              className={number === true ? 'number' : undefined}
              style={width === undefined ? undefined : { width }}
            >
              {title}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A labelled form control with an optional hint or error under it. */
export function FormField({
  label,
  required,
  hint,
  children,
  wide,
}: {
  label: string;
  required?: boolean;
  hint?: ReactNode;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <label className={`form-field${wide === true ? ' form-field-wide' : ''}`}>
      <span className="form-label">
        {label}
        {required === true ? <span className="required">*</span> : null}
      </span>
      {children}
      {hint === undefined ? null : <span className="form-hint">{hint}</span>}
    </label>
  );
}

/** The product's mark, on the sign-in card and in the top bar. */
export function BrandMark() {
  return (
    <span className="brand-mark" aria-hidden="true">
      通
    </span>
  );
}

/** A case's state, when it was handed in and its deadline: three cells of a row of cases. */
export function CaseProgressCells({
  status,
  submittedAt,
  dueAt,
  overdue,
}: {
  status: CaseStatus;
  submittedAt: string;
  dueAt: string | undefined;
  overdue: boolean;
}) {
  return (
    <>
      <td>
        <Badge tone={statusTone(status)}>{STATUS_LABELS[status]}</Badge>
      </td>
      <td className="nowrap">{formatDateTime(submittedAt)}</td>
      <td className="nowrap">
        {overdue ? <Badge tone="danger">已超期</Badge> : null}
        {formatDateTime(dueAt)}
      </td>
    </>
  );
}
