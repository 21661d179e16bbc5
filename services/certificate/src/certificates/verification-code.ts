import { randomBytes } from 'node:crypto';

/**
 * Crockford's base-32 alphabet: digits and upper-case letters without I, L, O and U, so nothing
 * on the paper copy can be misread (1/I/L, 0/O) and no accidental words appear. 32 symbols make
 * each character exactly 5 random bits, without modulo bias.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const VERIFICATION_CODE_LENGTH = 12;
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/** A fresh code of 12 characters (60 random bits), in canonical form. */
export function newVerificationCode(): string {
  const bytes = randomBytes(VERIFICATION_CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += ALPHABET.charAt(byte & 0x1f);
  return code;
}

/** How the code is printed: `XXXX-XXXX-XXXX`, easier to read out and type. */
export function formatVerificationCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/**
 * The canonical form of a typed code, or undefined when it cannot be one: case, spaces and dashes
 * are ignored, and the look-alikes Crockford allows are read as the digits they resemble
 * (O → 0, I and L → 1), so a code typed from the paper copy is found however it was read.
 */
export function normalizeVerificationCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '').replaceAll('O', '0').replace(/[IL]/g, '1');
  return CANONICAL.test(code) ? code : undefined;
}
