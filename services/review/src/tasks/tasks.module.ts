import { Module } from '@nestjs/common';
import { ArrivalsService } from './arrivals.service';
import { blobStoreProvider } from './blob-store.provider';
import { calendarProvider } from './calendar.provider';
import { DeadlineSweep } from './deadline-sweep';
import { MaterialsService } from './materials.service';
import { OnTimeReportService } from './on-time-report.service';
import { ReviewEvents } from './review-events';
import { TasksGrpcController } from './tasks.grpc.controller';
import { TasksKafkaController } from './tasks.kafka.controller';
import { TasksService } from './tasks.service';

@Module({
  providers: [
    calendarProvider,
    ReviewEvents,
    TasksService,
    ArrivalsService,
    OnTimeReportService,
    blobStoreProvider,
    MaterialsService,
    DeadlineSweep,
    TasksKafkaController,
    TasksGrpcController,
  ],
})
export class TasksModule {}
