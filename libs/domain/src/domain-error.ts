/**
 * Stable codes of the domain's refusals. Services put them in API errors and the console keys its
 * help texts on them, so a code is never renamed, only added.
 */
export type DomainErrorCode =
  /** A status change the case lifecycle does not allow (e.g. out of 已办结). */
  | 'CASE.ILLEGAL_TRANSITION'
  /** A case number could not be formed: bad region code, date or sequence. */
  | 'CASE_NUMBER.INVALID'
  /** A deadline asked from an invalid start or for a negative or fractional number of days. */
  | 'DEADLINE.INVALID_ARGUMENT'
  /** A working-day calendar that never yields a working day. */
  | 'DEADLINE.NO_WORKING_DAY'
  /**
   * A holiday calendar file (libs/domain/calendar/<year>.yaml) is missing, unreadable, not YAML,
   * or breaks the schema or a cross-check (a date twice, outside its year, on both lists …).
   */
  | 'CALENDAR.INVALID_FILE'
  /** The SLA clock was asked about a paused case without saying what time it is now. */
  | 'SLA.NOW_REQUIRED'
  /** Instant rules asked of an item that is not decided by rules (秒批). */
  | 'RULES.NOT_INSTANT'
  /** A region file is missing, unreadable, not YAML, or breaks the schema or a cross-check. */
  | 'REGION.INVALID_FILE';

/**
 * A refusal of the domain rules. `message` is written for the person who can fix the cause: the
 * window clerk for case input, the region administrator for region files.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}
