import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from '@tongban/contracts';
import type { Logger } from '@tongban/telemetry';

/** An error that carries a stable code for clients, e.g. `INTAKE.INVALID_ID_NUMBER`. */
export interface CodedError {
  code: string;
  message: string;
  /** gRPC status to answer with; INVALID_ARGUMENT when absent. */
  grpcStatus?: status;
}

/** Metadata key under which every refused call carries its stable error code. */
export const ERROR_CODE_METADATA = 'tongban-error-code';

export function isCodedError(error: unknown): error is CodedError & Error {
  return (
    error instanceof Error &&
    typeof (error as Partial<CodedError>).code === 'string' &&
    /^[A-Z][A-Z_]*\.[A-Z_]+$/.test((error as Partial<CodedError>).code ?? '')
  );
}

/**
 * Adapts an async method to grpc-js' callback style: resolved values are sent, coded errors are
 * answered with their status, code and message, anything else is logged and answered INTERNAL
 * without internals leaking to the caller.
 */
export function unary<Request, Response>(
  logger: Logger,
  handler: (request: Request, call: ServerUnaryCall<Request, Response>) => Promise<Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    handler(call.request, call).then(
      (response) => {
        callback(null, response);
      },
      (error: unknown) => {
        callback(toServiceError(logger, error));
      },
    );
  };
}

export function toServiceError(
  logger: Logger,
  error: unknown,
): { code: status; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  if (isCodedError(error)) {
    metadata.set(ERROR_CODE_METADATA, error.code);
    return { code: error.grpcStatus ?? status.INVALID_ARGUMENT, details: error.message, metadata };
  }
  logger.error({ err: error }, 'request failed unexpectedly');
  metadata.set(ERROR_CODE_METADATA, 'INTERNAL');
  return {
    code: status.INTERNAL,
    details: 'Internal error; the request was not applied.',
    metadata,
  };
}

/**
 * One grpc-js server of a service, with the standard `grpc.health.v1` service answering from the
 * service's readiness. Services register their generated service definitions before start.
 */
export class GrpcHost {
  private readonly server = new Server({
    // Materials travel in SubmitCase; keep the limit explicit rather than grpc-js' 4 MB default.
    'grpc.max_receive_message_length': 32 * 1024 * 1024,
  });
  private serving = false;
  private readonly watchers = new Set<(status: ServingStatus) => void>();
  private boundPort: number | undefined;

  constructor(private readonly isReady: () => boolean) {
    this.server.addService(HealthService, this.healthImplementation());
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    this.server.addService(definition, implementation);
  }

  async start(
    host: string,
    port: number,
    credentials = ServerCredentials.createInsecure(),
  ): Promise<number> {
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, credentials, (error, bound) => {
        if (error) reject(error);
        else resolve(bound);
      });
    });
    this.serving = true;
    this.notify();
    return this.boundPort;
  }

  /** Stops taking calls and waits for the ones in flight (forced after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.serving) return;
    this.serving = false;
    this.notify();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  /** Tells health watchers that readiness may have changed. */
  notify(): void {
    const current = this.currentStatus();
    for (const watcher of this.watchers) watcher(current);
  }

  private currentStatus(): ServingStatus {
    return this.serving && this.isReady() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  private healthImplementation(): {
    check: handleUnaryCall<HealthCheckRequest, HealthCheckResponse>;
    watch: handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse>;
  } {
    return {
      check: (_call, callback) => {
        callback(null, { status: this.currentStatus() });
      },
      watch: (call) => {
        let last: ServingStatus | undefined;
        const send = (current: ServingStatus) => {
          if (current === last) return;
          last = current;
          call.write({ status: current });
        };
        send(this.currentStatus());
        this.watchers.add(send);
        call.on('cancelled', () => this.watchers.delete(send));
        call.on('close', () => this.watchers.delete(send));
      },
    };
  }
}
