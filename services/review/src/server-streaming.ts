import type { handleServerStreamingCall, ServerWritableStream } from '@grpc/grpc-js';
import { toServiceError } from '@tongban/service-kit';
import type { Logger } from '@tongban/telemetry';

/**
 * The server-streaming counterpart of the service kit's `unary`: writes the messages `handler`
 * yields, waiting whenever the client reads slower than we read; a coded error (before or during
 * the stream) ends the call with its status and code, anything else is logged and answered
 * INTERNAL. A cancelled call stops the handler, so a file it reads is closed at once.
 */
export function serverStreaming<Request, Response>(
  logger: Logger,
  handler: (
    request: Request,
    call: ServerWritableStream<Request, Response>,
  ) => AsyncIterable<Response>,
): handleServerStreamingCall<Request, Response> {
  return (call) => {
    void send(logger, call, handler(call.request, call));
  };
}

async function send<Request, Response>(
  logger: Logger,
  call: ServerWritableStream<Request, Response>,
  messages: AsyncIterable<Response>,
): Promise<void> {
  try {
    for await (const message of messages) {
      // Leaving the loop returns the iterator: the handler's `finally` blocks run.
      if (call.cancelled || call.destroyed) return;
      if (!call.write(message)) await writableAgain(call);
    }
    if (!call.cancelled && !call.destroyed) call.end();
  } catch (error) {
    // grpc-js answers an 'error' emitted on the call with its code, details and metadata.
    if (!call.cancelled && !call.destroyed) call.emit('error', toServiceError(logger, error));
  }
}

/** Until the client took what was buffered, or the call is gone (a cancel destroys it). */
function writableAgain(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
  });
}
