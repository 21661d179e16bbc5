/**
 * Where the service reads the time: issue and validity dates, the verification instant. One
 * provider, so a test can issue a certificate "years ago" and verify it today.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
