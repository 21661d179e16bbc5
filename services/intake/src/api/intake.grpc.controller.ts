import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  IntakeServiceService,
  type IntakeServiceServer,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { toBundleProto } from '../bundles/bundle-view';
import { BundlesService } from '../bundles/bundles.service';
import { toCaseProto } from '../cases/case-view';
import { CasesService } from '../cases/cases.service';
import { toRenewalOfferProto } from '../renewals/renewal-offers';
import { RenewalsService } from '../renewals/renewals.service';
import { RepliesService } from '../replies/replies.service';
import { StatisticsService } from '../statistics/statistics.service';

/** The intake API for windows, terminals and the online channel. */
@Injectable()
export class IntakeGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(CasesService) private readonly cases: CasesService,
    @Inject(RepliesService) private readonly replies: RepliesService,
    @Inject(RenewalsService) private readonly renewals: RenewalsService,
    @Inject(BundlesService) private readonly bundles: BundlesService,
    @Inject(StatisticsService) private readonly statistics: StatisticsService,
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
      submitSupplement: unary(logger, async (request) => ({
        case: toCaseProto(await this.replies.submitSupplement(request)),
      })),
      submitSurveyMedia: unary(logger, async (request) => ({
        case: toCaseProto(await this.replies.submitSurveyMedia(request)),
      })),
      handOverResult: unary(logger, async (request) => ({
        case: toCaseProto(await this.cases.handOver(request)),
      })),
      listBundleDefinitions: unary(logger, async () => ({
        bundles: await this.bundles.definitions(),
      })),
      submitBundle: unary(logger, async (request) => ({
        bundle: toBundleProto(await this.bundles.submit(request)),
      })),
      getBundle: unary(logger, async (request) => ({
        bundle: toBundleProto(await this.bundles.get(request.bundleId)),
      })),
      listRenewalOffers: unary(logger, async (request) => ({
        offers: (await this.renewals.list(request)).map(toRenewalOfferProto),
      })),
      acceptRenewalOffer: unary(logger, async (request) => ({
        case: toCaseProto(await this.renewals.accept(request)),
      })),
      getCaseStatistics: unary(logger, (request) => this.statistics.caseStatistics(request)),
    };
    this.grpc.addService(IntakeServiceService, implementation);
  }
}
