import type { BinaryWriter } from '@bufbuild/protobuf/wire';

/**
 * What every generated message constant offers (ts-proto with `outputTypeAnnotations=static-only`):
 * its fully qualified protobuf name and a binary codec. Shared code (the Kafka codec, the exchange
 * envelope) works against this shape instead of a particular message.
 */
export interface ProtoMessageType<T> {
  readonly $type: string;
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: Uint8Array, length?: number): T;
  fromPartial(object: DeepPartialInput<T>): T;
}

// ts-proto's fromPartial accepts a deep partial; its own helper type is not exported.
type DeepPartialInput<T> = T extends Date | Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? DeepPartialInput<U>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartialInput<T[K]> }
      : T;
