import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ExchangeOperationsServiceService,
  type ExchangeOperationsServiceServer,
} from '@tongban/contracts/tongban/exchange/v1/operations';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { DeliveryOperations } from './delivery-operations.service';

/**
 * ExchangeOperationsService for this region's operators (the console's operator dashboard), on
 * the in-region gRPC server: partners never reach it through the mutual-TLS port.
 */
@Injectable()
export class OperationsGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(DeliveryOperations) private readonly operations: DeliveryOperations,
  ) {}

  onModuleInit(): void {
    const { logger } = this.context;
    const implementation: ExchangeOperationsServiceServer = {
      getDeliveryStatistics: unary(logger, async () => ({
        partners: await this.operations.statistics(),
      })),
      listFailedDeliveries: unary(logger, (request) => this.operations.failed(request)),
      retryDelivery: unary(logger, (request) => this.operations.retry(request)),
    };
    this.grpc.addService(ExchangeOperationsServiceService, implementation);
  }
}
