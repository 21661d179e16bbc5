import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CarrierError } from './carrier.error';
import {
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_TOLERANCE_SECONDS,
} from './webhook-signature';

const SECRET = 'whsec_logistics_test';
const BODY = '{"trackingNumber":"SIM620162950872","sequence":3,"state":"IN_TRANSIT"}';
const NOW_MS = Date.UTC(2026, 2, 1, 8, 0, 0);
const NOW = NOW_MS / 1000;

/** Signed here with node:crypto, independently of the code under test. */
function header(options: { t?: number; body?: string; secret?: string } = {}): string {
  const t = options.t ?? NOW;
  const v1 = createHmac('sha256', options.secret ?? SECRET)
    .update(`${t}.${options.body ?? BODY}`)
    .digest('hex');
  return `t=${t},v1=${v1}`;
}

function verify(
  signature: string | readonly string[] | undefined,
  rawBody: Uint8Array | string = BODY,
): void {
  verifyWebhookSignature({
    header: signature,
    rawBody,
    secret: SECRET,
    nowMs: NOW_MS,
    carrier: 'SIM',
  });
}

function refusal(run: () => void): CarrierError {
  try {
    run();
  } catch (error) {
    if (error instanceof CarrierError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('webhook signature', () => {
  it('accepts a fresh signature of the exact body', () => {
    expect(() => {
      verify(header());
    }).not.toThrow();
  });

  it('accepts the body as bytes', () => {
    expect(() => {
      verify(header(), Buffer.from(BODY));
    }).not.toThrow();
  });

  it('agrees with signWebhook', () => {
    expect(signWebhook(SECRET, BODY, NOW)).toBe(header());
  });

  it('accepts a timestamp at the edge of the tolerance, either side', () => {
    expect(() => {
      verify(header({ t: NOW - WEBHOOK_TOLERANCE_SECONDS }));
    }).not.toThrow();
    expect(() => {
      verify(header({ t: NOW + WEBHOOK_TOLERANCE_SECONDS }));
    }).not.toThrow();
  });

  it('accepts when one of several v1 signatures matches (secret rotation)', () => {
    const old = createHmac('sha256', 'previous').update(`${NOW}.${BODY}`).digest('hex');
    expect(() => {
      verify(`${header()},v1=${old}`);
    }).not.toThrow();
    expect(() => {
      verify(`t=${NOW},v1=${old},${header().split(',')[1]!}`);
    }).not.toThrow();
  });

  describe('refuses with LOGISTICS.BAD_WEBHOOK_SIGNATURE', () => {
    const cases: [string, () => void][] = [
      [
        'a tampered body',
        () => {
          verify(header(), BODY.replace('"sequence":3', '"sequence":4'));
        },
      ],
      [
        'one extra byte of body',
        () => {
          verify(header(), `${BODY}\n`);
        },
      ],
      [
        'a signature made with another secret',
        () => {
          verify(header({ secret: 'guessed' }));
        },
      ],
      [
        'a stale timestamp (6 minutes old)',
        () => {
          verify(header({ t: NOW - 360 }));
        },
      ],
      [
        'a timestamp 6 minutes ahead',
        () => {
          verify(header({ t: NOW + 360 }));
        },
      ],
      [
        'an old signature under a fresh timestamp',
        () => {
          const stale = header({ t: NOW - 3600 }).split(',')[1]!;
          verify(`t=${NOW},${stale}`);
        },
      ],
      [
        'no signature header',
        () => {
          verify(undefined);
        },
      ],
      [
        'two signature headers',
        () => {
          verify([header(), header()]);
        },
      ],
      [
        'a header without a timestamp',
        () => {
          verify(header().split(',')[1]);
        },
      ],
      [
        'a header without v1',
        () => {
          verify(`t=${NOW}`);
        },
      ],
      [
        'a non-numeric timestamp',
        () => {
          verify(header().replace(`t=${NOW}`, 't=now'));
        },
      ],
      [
        'a truncated signature',
        () => {
          verify(header().slice(0, -2));
        },
      ],
      [
        'an empty header',
        () => {
          verify('');
        },
      ],
    ];
    it.each(cases)('%s', (_name, run) => {
      const error = refusal(run);
      expect(error.code).toBe('LOGISTICS.BAD_WEBHOOK_SIGNATURE');
      expect(error.retryable).toBe(false);
      expect(error.details.carrier).toBe('SIM');
    });

    it('says how old a stale signature is', () => {
      expect(
        refusal(() => {
          verify(header({ t: NOW - 360 }));
        }).message,
      ).toContain('360 s ago');
    });
  });
});
