import { createHash } from 'node:crypto';

/** The simulated carrier's code, the prefix of its tracking numbers. */
export const CARRIER_CODE = 'SIM';

const SERIAL_DIGITS = 11;
const TRACKING_NUMBER = new RegExp(`^${CARRIER_CODE}\\d{${SERIAL_DIGITS + 1}}$`);

/**
 * `SIM` + an 11-digit serial + a Luhn check digit, e.g. `SIM482913570264`. Carriers put a check
 * digit in their numbers so a mistyped number is refused instead of showing someone else's
 * parcel; the simulator does the same, so clients learn to handle that answer.
 *
 * The serial is derived from the inputs (seed, reference, idempotency key, attempt), so a seeded
 * run hands out the same numbers again.
 */
export function trackingNumberFor(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const serial = (BigInt(`0x${digest}`) % 10n ** BigInt(SERIAL_DIGITS))
    .toString()
    .padStart(SERIAL_DIGITS, '0');
  return `${CARRIER_CODE}${serial}${luhnCheckDigit(serial)}`;
}

export function isValidTrackingNumber(text: string): boolean {
  if (!TRACKING_NUMBER.test(text)) return false;
  const digits = text.slice(CARRIER_CODE.length);
  return luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

function luhnCheckDigit(digits: string): string {
  let sum = 0;
  // From the right, every other digit starting with the rightmost one is doubled.
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}
