import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  Metadata,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { ERROR_CODE_METADATA } from './grpc-host';

interface UnaryMethodDefinition<Request, Response> {
  path: string;
  requestStream: false;
  responseStream: false;
  requestSerialize: (value: Request) => Buffer;
  responseDeserialize: (value: Buffer) => Response;
}

// Any unary method: `never` accepts every request type (parameters are contravariant).
interface AnyUnaryMethod {
  requestStream: false;
  responseStream: false;
  requestSerialize: (value: never) => Buffer;
  responseDeserialize: (value: Buffer) => unknown;
}

export interface CallOptions {
  /** Milliseconds until the call is abandoned; 10 s by default. */
  deadlineMs?: number;
  metadata?: Record<string, string>;
}

/** The unary methods of a generated service definition, as promise-returning functions. */
export type PromiseClient<Definition> = {
  [
    Method in keyof Definition as Definition[Method] extends AnyUnaryMethod ? Method : never
  ]: Definition[Method] extends UnaryMethodDefinition<infer Request, infer Response>
    ? (request: Request, options?: CallOptions) => Promise<Response>
    : never;
} & { close(): void };

/** A refused call, with the service's stable error code (e.g. REVIEW.REASON_REQUIRED). */
export class GrpcCallError extends Error {
  constructor(
    readonly grpcCode: number,
    readonly errorCode: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcCallError';
  }
}

/**
 * A typed client for a ts-proto service definition: every unary method returns a promise and
 * refusals carry the service's stable error code. Used between services of a region and by tests.
 */
export function grpcClient<Definition extends Record<string, unknown>>(
  definition: Definition,
  address: string,
  options: { credentials?: ChannelCredentials; channelOptions?: ChannelOptions } = {},
): PromiseClient<Definition> {
  const Constructor = makeGenericClientConstructor(definition as never, 'TongbanClient');
  const client = new Constructor(
    address,
    options.credentials ?? grpcCredentials.createInsecure(),
    options.channelOptions,
  ) as Client & Record<string, (...args: unknown[]) => unknown>;
  const methods: Record<string, unknown> = {
    close: () => {
      client.close();
    },
  };
  for (const name of Object.keys(definition)) {
    methods[name] = (request: unknown, callOptions: CallOptions = {}) =>
      new Promise((resolve, reject) => {
        const metadata = new Metadata();
        for (const [key, value] of Object.entries(callOptions.metadata ?? {})) {
          metadata.set(key, value);
        }
        const deadline = new Date(Date.now() + (callOptions.deadlineMs ?? 10_000));
        const method = client[name];
        if (!method) throw new Error(`no method ${name}`);
        method.call(
          client,
          request,
          metadata,
          { deadline },
          (error: ServiceError | null, response: unknown) => {
            if (error) {
              const code = error.metadata.get(ERROR_CODE_METADATA)[0];
              reject(
                new GrpcCallError(
                  error.code,
                  code === undefined ? undefined : String(code),
                  error.details,
                ),
              );
            } else {
              resolve(response);
            }
          },
        );
      });
  }
  return methods as PromiseClient<Definition>;
}
