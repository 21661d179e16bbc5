import {
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Req,
  UseFilters,
} from '@nestjs/common';
import type { Request } from 'express';
import { CarrierAdapter } from '../carrier/carrier.adapter';
import { LogisticsError } from '../shipments/logistics-error';
import { TrackingService } from './tracking.service';
import { WebhookErrorFilter } from './webhook-error.filter';
import { WEBHOOK_ROUTE } from './webhook-raw-body';

/**
 * The carrier's webhook: authenticated on the exact bytes received, recorded, and answered 204
 * only after the commit, so an update the carrier saw acknowledged is never lost.
 */
@Controller(WEBHOOK_ROUTE)
@UseFilters(WebhookErrorFilter)
export class TrackingHttpController {
  constructor(
    @Inject(CarrierAdapter) private readonly carrier: CarrierAdapter,
    @Inject(TrackingService) private readonly tracking: TrackingService,
  ) {}

  @Post(':carrier')
  @HttpCode(HttpStatus.NO_CONTENT)
  async receive(@Param('carrier') carrier: string, @Req() request: Request): Promise<void> {
    if (carrier.toUpperCase() !== this.carrier.carrier) {
      throw new LogisticsError(
        'LOGISTICS.UNKNOWN_CARRIER',
        `This region ships with carrier ${this.carrier.carrier}, not ${carrier}`,
      );
    }
    const body: unknown = request.body;
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    await this.tracking.record(this.carrier.parseWebhook(request.headers, raw));
  }
}
