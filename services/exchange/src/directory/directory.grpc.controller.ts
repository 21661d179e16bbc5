import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  DirectoryServiceService,
  type DirectoryServiceServer,
} from '@tongban/contracts/tongban/exchange/v1/directory';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { DirectoryService } from './directory.service';

/**
 * The in-region directory for this region's services: partners' catalogs and keys (intake,
 * certificate) and the region's own catalog (windows' notice boards, the operator console).
 */
@Injectable()
export class DirectoryGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
  ) {}

  onModuleInit(): void {
    const { logger } = this.context;
    const implementation: DirectoryServiceServer = {
      getPartnerCatalog: unary(logger, async (request) => ({
        catalog: await this.directory.catalogOf(request.region),
      })),
      getPartnerKeys: unary(logger, async (request) => ({
        keys: await this.directory.keysOf(request.region),
      })),
      getOwnCatalog: unary(logger, () => Promise.resolve({ catalog: this.directory.ownCatalog() })),
    };
    this.grpc.addService(DirectoryServiceService, implementation);
  }
}
