import {
  Catch,
  HttpException,
  Inject,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { ServiceContext } from '@tongban/service-kit';
import type { Response } from 'express';
import { CarrierError } from '../carrier/carrier.error';
import { LogisticsError } from '../shipments/logistics-error';

/**
 * Answers a refused webhook with its status and `{ code, message }`. The status is what the
 * carrier acts on: 401/400/404 need a person, 409 and 5xx make it send the update again.
 */
@Catch()
export class WebhookErrorFilter implements ExceptionFilter {
  constructor(@Inject(ServiceContext) private readonly context: ServiceContext) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message } = this.answer(error);
    // The code and message only: a webhook body is never logged.
    if (status >= 500) this.context.logger.error({ err: error }, 'carrier webhook failed');
    else this.context.logger.warn({ status, code, reason: message }, 'carrier webhook refused');
    response.status(status).json({ code, message });
  }

  private answer(error: unknown): { status: number; code: string; message: string } {
    if (error instanceof LogisticsError) {
      return { status: error.httpStatus, code: error.code, message: error.message };
    }
    if (error instanceof CarrierError) {
      const status =
        error.code === 'LOGISTICS.BAD_WEBHOOK_SIGNATURE'
          ? 401
          : error.code === 'LOGISTICS.MALFORMED_WEBHOOK'
            ? 400
            : 502;
      return { status, code: error.code, message: error.message };
    }
    if (error instanceof HttpException) {
      return { status: error.getStatus(), code: 'HTTP', message: error.message };
    }
    return {
      status: 500,
      code: 'INTERNAL',
      message: 'The tracking update was not recorded; send it again',
    };
  }
}
