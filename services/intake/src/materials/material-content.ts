/** Bytes a file of a type carries at a fixed offset (0: the file starts with them). */
interface Signature {
  readonly offset: number;
  readonly bytes: readonly number[];
}

const at0 = (...bytes: number[]): Signature => ({ offset: 0, bytes });
const ascii = (text: string) => Array.from(Buffer.from(text, 'latin1'));

/**
 * The signatures of every type a window may hand in. A scan declared as a PDF that is something
 * else (an executable, a Word file renamed) is refused at the window, not discovered by the
 * reviewer in the other province; so is a "photo" of a survey that is not one. Types configured
 * without a signature here are taken on trust.
 */
const SIGNATURES: ReadonlyMap<string, readonly Signature[]> = new Map([
  ['application/pdf', [at0(...ascii('%PDF-'))]],
  // OFD (GB/T 33190, the national layout document format) is a ZIP container.
  ['application/ofd', [at0(0x50, 0x4b, 0x03, 0x04)]],
  ['image/jpeg', [at0(0xff, 0xd8, 0xff)]],
  ['image/png', [at0(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)]],
  // ISO base media files (MP4, and QuickTime as phones record it) open with a box whose type,
  // after its 4-byte size, is `ftyp`; older QuickTime files may open with other top-level boxes.
  ['video/mp4', [{ offset: 4, bytes: ascii('ftyp') }]],
  [
    'video/quicktime',
    ['ftyp', 'moov', 'mdat', 'wide', 'free'].map((box) => ({ offset: 4, bytes: ascii(box) })),
  ],
]);

/** `image/JPEG; foo=bar` → `image/jpeg`. */
export function normalizeContentType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** Whether this module can tell a file of the type from its bytes. */
export function hasSignature(contentType: string): boolean {
  return SIGNATURES.has(contentType);
}

/** False only when the type has a known signature and the content does not carry it. */
export function contentMatchesType(content: Uint8Array, contentType: string): boolean {
  const signatures = SIGNATURES.get(contentType);
  if (signatures === undefined) return true;
  return signatures.some(
    ({ offset, bytes }) =>
      content.length >= offset + bytes.length &&
      bytes.every((byte, i) => content[offset + i] === byte),
  );
}
