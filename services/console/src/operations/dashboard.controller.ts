import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type * as Api from '../api/console-api';
import { Access, CurrentStaff } from '../auth/access';
import { DashboardService } from './dashboard.service';

/** Efficiency monitoring (效能监测) of the region: its operators only. */
@Controller('api/regions/:region/operations')
@Access('OPERATOR')
export class DashboardController {
  constructor(@Inject(DashboardService) private readonly dashboards: DashboardService) {}

  @Get('dashboard')
  dashboard(@Param('region') region: string): Promise<Api.Dashboard> {
    return this.dashboards.dashboard(region);
  }

  @Get('failed-deliveries')
  failedDeliveries(
    @Param('region') region: string,
    @Query('partner') partner?: string,
  ): Promise<Api.FailedDeliveriesResponse> {
    return this.dashboards.failedDeliveries(region, partner);
  }

  @Post('failed-deliveries/:messageId/retry')
  @HttpCode(200)
  retryDelivery(
    @Param('region') region: string,
    @Param('messageId') messageId: string,
    @CurrentStaff() staff: Api.Staff,
  ): Promise<Api.RetryDeliveryResult> {
    return this.dashboards.retryDelivery(region, staff, messageId);
  }
}
