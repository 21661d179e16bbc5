import { existsSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '@tongban/telemetry';

// The pages may load only what the console itself serves; certificates are shown in a frame
// from `srcdoc`, and scans of materials from the API.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "frame-src 'self' data: blob:",
  "object-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built web app: its files, and index.html for every other page address (the app
 * routes in the browser). API and health paths are left to Nest.
 */
export function serveWebApp(app: INestApplication, webDir: string, logger: Logger): void {
  const index = path.join(webDir, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ webDir }, 'the web app is not built (nx run console:build-web): API only');
    return;
  }
  app.use((request: Request, response: Response, next: NextFunction) => {
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('referrer-policy', 'same-origin');
    if (!request.path.startsWith('/api/')) {
      response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    }
    next();
  });
  app.use(express.static(webDir, { index: false, maxAge: '1h' }));
  app.use((request: Request, response: Response, next: NextFunction) => {
    const isPage =
      request.method === 'GET' &&
      !request.path.startsWith('/api/') &&
      !request.path.startsWith('/health/') &&
      !path.extname(request.path);
    if (!isPage) {
      next();
      return;
    }
    response.setHeader('cache-control', 'no-cache');
    response.sendFile(index);
  });
}
