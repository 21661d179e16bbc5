import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  Metadata,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientReadableStream,
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

interface ServerStreamingMethodDefinition<Request, Response> {
  path: string;
  requestStream: false;
  responseStream: true;
  requestSerialize: (value: Request) => Buffer;
  responseDeserialize: (value: Buffer) => Response;
}

interface AnyServerStreamingMethod {
  requestStream: false;
  responseStream: true;
  requestSerialize: (value: never) => Buffer;
  responseDeserialize: (value: Buffer) => unknown;
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

/**
 * The methods of a generated service definition: unary ones as promise-returning functions,
 * server-streaming ones as async iterables of the messages (a refusal is thrown by the loop).
 */
export type PromiseClient<Definition> = {
  [
    Method in keyof Definition as Definition[Method] extends AnyUnaryMethod ? Method : never
  ]: Definition[Method] extends UnaryMethodDefinition<infer Request, infer Response>
    ? (request: Request, options?: CallOptions) => Promise<Response>
    : never;
} & {
  [
    Method in keyof Definition as Definition[Method] extends AnyServerStreamingMethod
      ? Method
      : never
  ]: Definition[Method] extends ServerStreamingMethodDefinition<infer Request, infer Response>
    ? (request: Request, options?: CallOptions) => AsyncIterable<Response>
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
  for (const [name, method] of Object.entries(definition)) {
    if ((method as Partial<AnyServerStreamingMethod>).responseStream === true) {
      methods[name] = (request: unknown, callOptions: CallOptions = {}) =>
        serverStream(client, name, request, callOptions);
      continue;
    }
    methods[name] = (request: unknown, callOptions: CallOptions = {}) =>
      new Promise((resolve, reject) => {
        const metadata = callMetadata(callOptions);
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
              reject(callError(error));
            } else {
              resolve(response);
            }
          },
        );
      });
  }
  return methods as PromiseClient<Definition>;
}

function callMetadata(callOptions: CallOptions): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(callOptions.metadata ?? {})) {
    metadata.set(key, value);
  }
  return metadata;
}

function callError(error: ServiceError): GrpcCallError {
  const code = error.metadata.get(ERROR_CODE_METADATA)[0];
  return new GrpcCallError(
    error.code,
    code === undefined ? undefined : String(code),
    error.details,
  );
}

/** A server-streaming call as an async iterable; the deadline covers the whole stream. */
async function* serverStream(
  client: Client & Record<string, (...args: unknown[]) => unknown>,
  name: string,
  request: unknown,
  callOptions: CallOptions,
): AsyncGenerator {
  const method = client[name];
  if (!method) throw new Error(`no method ${name}`);
  const deadline = new Date(Date.now() + (callOptions.deadlineMs ?? 60_000));
  const call = method.call(client, request, callMetadata(callOptions), {
    deadline,
  }) as ClientReadableStream<unknown>;
  try {
    for await (const message of call) yield message;
  } catch (error) {
    throw isServiceError(error) ? callError(error) : error;
  } finally {
    call.cancel();
  }
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && 'metadata' in error && 'code' in error;
}
