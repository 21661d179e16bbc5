import { Module } from '@nestjs/common';
import { TasksGrpcController } from './tasks.grpc.controller';
import { TasksKafkaController } from './tasks.kafka.controller';
import { TasksService } from './tasks.service';

@Module({ providers: [TasksService, TasksKafkaController, TasksGrpcController] })
export class TasksModule {}
