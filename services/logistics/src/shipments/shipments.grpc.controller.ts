import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  LogisticsServiceService,
  type LogisticsServiceServer,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { ShipmentExceptions } from './shipment-exceptions.service';
import { shipmentToProto } from './shipment-proto';
import { ShipmentsService } from './shipments.service';

/** The logistics API for the console and the origin's status queries. */
@Injectable()
export class ShipmentsGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(ShipmentsService) private readonly shipments: ShipmentsService,
    @Inject(ShipmentExceptions) private readonly exceptions: ShipmentExceptions,
  ) {}

  onModuleInit(): void {
    const { logger } = this.context;
    const implementation: LogisticsServiceServer = {
      getShipment: unary(logger, async (request) => ({
        shipment: shipmentToProto(await this.shipments.get(request)),
      })),
      listShipments: unary(logger, async (request) => ({
        shipments: (await this.shipments.list(request)).map(shipmentToProto),
      })),
      resolveException: unary(logger, async (request) => {
        const { shipment, replacement } = await this.exceptions.resolve(request);
        return {
          shipment: shipmentToProto(shipment),
          replacement: replacement ? shipmentToProto(replacement) : undefined,
        };
      }),
    };
    this.grpc.addService(LogisticsServiceService, implementation);
  }
}
