/**
 * The first bytes every file of a type starts with. A scan declared as a PDF that is something
 * else (an executable, a Word file renamed) is refused at the window, not discovered by the
 * reviewer in the other province. Types configured without a signature here are taken on trust.
 */
const SIGNATURES: ReadonlyMap<string, readonly (readonly number[])[]> = new Map([
  ['application/pdf', [[0x25, 0x50, 0x44, 0x46, 0x2d]]], // %PDF-
  // OFD (GB/T 33190, the national layout document format) is a ZIP container.
  ['application/ofd', [[0x50, 0x4b, 0x03, 0x04]]],
  ['image/jpeg', [[0xff, 0xd8, 0xff]]],
  ['image/png', [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]],
]);

/** `image/JPEG; foo=bar` → `image/jpeg`. */
export function normalizeContentType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** False only when the type has a known signature and the content does not start with it. */
export function contentMatchesType(content: Uint8Array, contentType: string): boolean {
  const signatures = SIGNATURES.get(contentType);
  if (signatures === undefined) return true;
  return signatures.some(
    (signature) =>
      content.length >= signature.length && signature.every((byte, i) => content[i] === byte),
  );
}
