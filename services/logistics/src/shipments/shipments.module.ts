import { Module } from '@nestjs/common';
import { CarrierOrders } from './carrier-orders.service';
import { ShipmentEvents } from './shipment-events';
import { ShipmentExceptions } from './shipment-exceptions.service';
import { ShipmentsGrpcController } from './shipments.grpc.controller';
import { ShipmentsKafkaController } from './shipments.kafka.controller';
import { ShipmentsService } from './shipments.service';

@Module({
  providers: [
    ShipmentsService,
    ShipmentEvents,
    CarrierOrders,
    ShipmentExceptions,
    ShipmentsKafkaController,
    ShipmentsGrpcController,
  ],
  exports: [ShipmentsService, ShipmentEvents],
})
export class ShipmentsModule {}
