import { Module } from '@nestjs/common';
import { TimelineKafkaController } from './timeline.kafka.controller';
import { TimelineService } from './timeline.service';

@Module({ providers: [TimelineService, TimelineKafkaController] })
export class TimelineModule {}
