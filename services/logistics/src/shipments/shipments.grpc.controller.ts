import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  LogisticsServiceService,
  type LogisticsServiceServer,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { ShipmentsService } from './shipments.service';

/** The logistics API (GetShipment) for the console and the origin's status queries. */
@Injectable()
export class ShipmentsGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(ShipmentsService) private readonly shipments: ShipmentsService,
  ) {}

  onModuleInit(): void {
    const implementation: LogisticsServiceServer = {
      getShipment: unary(this.context.logger, async (request) => ({
        shipment: this.shipments.toProto(await this.shipments.get(request)),
      })),
    };
    this.grpc.addService(LogisticsServiceService, implementation);
  }
}
