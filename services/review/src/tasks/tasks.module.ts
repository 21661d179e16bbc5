import { Module } from '@nestjs/common';
import { ArrivalsService } from './arrivals.service';
import { calendarProvider } from './calendar.provider';
import { DeadlineSweep } from './deadline-sweep';
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
    DeadlineSweep,
    TasksKafkaController,
    TasksGrpcController,
  ],
})
export class TasksModule {}
