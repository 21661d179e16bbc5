import { describe, expect, it } from 'vitest';
import { ServiceClock } from '@tongban/service-kit';
import { ContextClock } from './clock';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('the certificate clock', () => {
  it('reads the service context clock, so CLOCK_OFFSET_DAYS shifts issue, verification and reminders', () => {
    const clock = new ContextClock(new ServiceClock(30));
    const before = Date.now();
    const now = clock.now().getTime();
    const after = Date.now();
    expect(now).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(now).toBeLessThanOrEqual(after + 30 * DAY_MS);
  });
});
