import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';

/** The path prefix of carrier webhooks: `POST /carrier/webhooks/<carrier code in lower case>`. */
export const WEBHOOK_ROUTE = 'carrier/webhooks';

/** Tracking updates are a few hundred bytes; anything far larger is not one. */
const MAX_WEBHOOK_BYTES = 64 * 1024;

/**
 * Keeps the exact bytes of carrier webhooks: their signature is over the raw body, and JSON that
 * was parsed and serialised again is not byte-for-byte what the carrier signed. Nest installs its
 * JSON body parser when the application initialises; this mounts a raw reader for the webhook
 * path before that, while providers are constructed, and a body already read is left alone by
 * the JSON parser. (Nest's own `rawBody` option belongs to the service kit's NestFactory call,
 * which every service shares.)
 */
@Injectable()
export class WebhookRawBody {
  constructor(@Inject(HttpAdapterHost) host: HttpAdapterHost) {
    host.httpAdapter.use(`/${WEBHOOK_ROUTE}`, readRawBody);
  }
}

function readRawBody(request: Request, response: Response, next: NextFunction): void {
  if (request.method !== 'POST') {
    next();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_WEBHOOK_BYTES) chunks.push(chunk);
  });
  request.on('error', next);
  request.on('end', () => {
    if (size > MAX_WEBHOOK_BYTES) {
      response.status(413).json({
        code: 'LOGISTICS.MALFORMED_WEBHOOK',
        message: `A tracking update is at most ${MAX_WEBHOOK_BYTES} bytes`,
      });
      return;
    }
    (request as Request & { body: Buffer }).body = Buffer.concat(chunks);
    next();
  });
}
