import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Response } from 'express';
import { GrpcCallError } from '@tongban/service-kit';
import type { Logger } from '@tongban/telemetry';
import type { ApiError } from '../api/console-api';
import { ConsoleError } from './console-error';

// How a service's refusal reads over HTTP. The service's own code and message pass through:
// they are already worded for the clerk.
const HTTP_STATUS: Partial<Record<number, number>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 400,
  [GrpcStatus.OUT_OF_RANGE]: 400,
  [GrpcStatus.NOT_FOUND]: 404,
  [GrpcStatus.ALREADY_EXISTS]: 409,
  [GrpcStatus.FAILED_PRECONDITION]: 409,
  [GrpcStatus.ABORTED]: 409,
  [GrpcStatus.PERMISSION_DENIED]: 403,
  [GrpcStatus.UNAUTHENTICATED]: 401,
  [GrpcStatus.RESOURCE_EXHAUSTED]: 429,
};

const UNAVAILABLE = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.CANCELLED,
]);

/** Every error of the API as an `ApiError` body; internals are logged, never sent. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.describe(error);
    if (status === 503) {
      this.logger.warn({ code: body.code, detail: errorText(error) }, 'a service did not answer');
    } else if (status >= 500) {
      this.logger.error({ err: error }, 'console request failed');
    }
    response.status(status).json(body);
  }

  private describe(error: unknown): [number, ApiError] {
    if (error instanceof ConsoleError) {
      return [
        error.status,
        {
          code: error.code,
          message: error.message,
          ...(error.problems ? { problems: error.problems } : {}),
        },
      ];
    }
    if (error instanceof GrpcCallError) {
      if (UNAVAILABLE.has(error.grpcCode)) {
        return [
          503,
          {
            code: 'UPSTREAM.UNAVAILABLE',
            message: '办件服务暂时无法连接，请稍后重试；如持续出现请联系运维人员。',
          },
        ];
      }
      const status = HTTP_STATUS[error.grpcCode];
      if (status !== undefined && error.errorCode !== undefined) {
        return [status, { code: error.errorCode, message: error.message }];
      }
      return [502, { code: 'UPSTREAM.FAILED', message: '办件服务处理出错，请稍后重试。' }];
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (status === 413) {
        return [
          413,
          { code: 'UPLOAD.TOO_LARGE', message: '上传的文件过大，请压缩或分开扫描后重试。' },
        ];
      }
      if (status === 404) {
        return [404, { code: 'API.NOT_FOUND', message: '没有这个接口。' }];
      }
      return [
        status,
        { code: status < 500 ? 'REQUEST.INVALID' : 'CONSOLE.FAILED', message: error.message },
      ];
    }
    return [500, { code: 'CONSOLE.FAILED', message: '系统出错，请稍后重试。' }];
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
