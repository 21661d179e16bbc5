import { createHmac, timingSafeEqual } from 'node:crypto';
import { CarrierError } from './carrier.error';

/** How far a signature's timestamp may be from our clock before the webhook counts as replayed. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * The `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` header value, the scheme of
 * the carrier simulator (and of many webhook senders). Binding the timestamp into the MAC lets
 * the receiver refuse replays of an old, genuine request.
 */
export function signWebhook(
  secret: string,
  rawBody: Uint8Array | string,
  timestampSeconds: number,
): string {
  return `t=${timestampSeconds},v1=${mac(secret, timestampSeconds, rawBody).toString('hex')}`;
}

/**
 * Throws LOGISTICS.BAD_WEBHOOK_SIGNATURE unless `header` holds a v1 signature of `rawBody` by
 * `secret` with a timestamp within the tolerance of `nowMs` (either side: clocks drift). Several
 * v1 entries are allowed, as senders do while rotating secrets; one must match.
 */
export function verifyWebhookSignature(options: {
  header: string | readonly string[] | undefined;
  rawBody: Uint8Array | string;
  secret: string;
  nowMs: number;
  toleranceSeconds?: number;
  /** Named in messages, e.g. `SIM`. */
  carrier: string;
}): void {
  const { header, carrier } = options;
  if (header === undefined) refuse(carrier, 'it has no signature header');
  if (typeof header !== 'string') refuse(carrier, 'it has more than one signature header');
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2) as [string, string?];
    if (name === 't') timestamp = value;
    else if (name === 'v1' && SHA256_HEX.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || !UNIX_SECONDS.test(timestamp) || signatures.length === 0) {
    refuse(carrier, 'its signature header is not t=<unix seconds>,v1=<hex HMAC-SHA256>');
  }
  const seconds = Number(timestamp);
  const expected = mac(options.secret, seconds, options.rawBody);
  // Constant time, so response timing tells a forger nothing about how close a guess was.
  if (!signatures.some((signature) => timingSafeEqual(signature, expected))) {
    refuse(carrier, 'its signature does not match its content');
  }
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const skew = Math.round(options.nowMs / 1000 - seconds);
  if (Math.abs(skew) > tolerance) {
    refuse(
      carrier,
      `it was signed ${Math.abs(skew)} s ${skew > 0 ? 'ago' : 'in the future'}, more than the ${tolerance} s allowed`,
    );
  }
}

function refuse(carrier: string, problem: string): never {
  throw new CarrierError(
    'LOGISTICS.BAD_WEBHOOK_SIGNATURE',
    `Tracking update refused: ${problem}. Either carrier ${carrier} did not send it, the configured webhook secret differs from the carrier's, or it was altered or replayed.`,
    { carrier },
  );
}

function mac(secret: string, timestampSeconds: number, rawBody: Uint8Array | string): Buffer {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest();
}
