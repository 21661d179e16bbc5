/**
 * Where the service reads the time: issue and validity dates, the verification instant, the
 * expiry reminders. One provider, so a test can issue a certificate "years ago" and verify it
 * today.
 */
export abstract class Clock {
  abstract now(): Date;
}

/**
 * The service's own business time: the ServiceContext clock, i.e. real time shifted by
 * CLOCK_OFFSET_DAYS. Reading it (rather than `new Date()`) means one offset moves issue dates,
 * verification and reminders together, as the drills and end-to-end tests expect.
 */
export class ContextClock extends Clock {
  constructor(private readonly source: { now(): Date }) {
    super();
  }

  now(): Date {
    return this.source.now();
  }
}
