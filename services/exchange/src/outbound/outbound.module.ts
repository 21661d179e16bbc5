import { Module } from '@nestjs/common';
import { OutboundKafkaController } from './outbound.kafka.controller';
import { OutboundService } from './outbound.service';

@Module({ providers: [OutboundService, OutboundKafkaController] })
export class OutboundModule {}
