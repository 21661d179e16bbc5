/**
 * Protobuf messages carry `Buffer`s, Prisma `Bytes` columns want a plain `Uint8Array` over an
 * `ArrayBuffer`: these copy between the two (envelopes and receipts are small).
 */
export function toColumn(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function fromColumn(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}
