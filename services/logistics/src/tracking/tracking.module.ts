import { Module } from '@nestjs/common';
import { ShipmentsModule } from '../shipments/shipments.module';
import { TrackingHttpController } from './tracking.http.controller';
import { TrackingService } from './tracking.service';
import { WebhookRawBody } from './webhook-raw-body';

@Module({
  imports: [ShipmentsModule],
  controllers: [TrackingHttpController],
  providers: [TrackingService, WebhookRawBody],
})
export class TrackingModule {}
