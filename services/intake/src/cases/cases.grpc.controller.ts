import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  IntakeServiceService,
  type IntakeServiceServer,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { toCaseProto } from './case-view';
import { CasesService } from './cases.service';

/** The intake API for windows, terminals and the online channel. */
@Injectable()
export class CasesGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(CasesService) private readonly cases: CasesService,
  ) {}

  onModuleInit(): void {
    const { logger } = this.context;
    const implementation: IntakeServiceServer = {
      submitCase: unary(logger, async (request) => ({
        case: toCaseProto(await this.cases.submit(request)),
      })),
      getCase: unary(logger, async (request) => ({
        case: toCaseProto(await this.cases.get(request.caseId)),
      })),
      listCases: unary(logger, async (request) => {
        const page = await this.cases.list(request);
        return { cases: page.cases.map(toCaseProto), nextPageToken: page.nextPageToken };
      }),
      withdrawCase: unary(logger, async (request) => ({
        case: toCaseProto(await this.cases.withdraw(request)),
      })),
    };
    this.grpc.addService(IntakeServiceService, implementation);
  }
}
