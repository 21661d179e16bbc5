import { Module } from '@nestjs/common';
import { DeliveryOperations } from './delivery-operations.service';
import { OperationsGrpcController } from './operations.grpc.controller';

@Module({ providers: [DeliveryOperations, OperationsGrpcController] })
export class OperationsModule {}
