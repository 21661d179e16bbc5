import { Module } from '@nestjs/common';
import { BundlesModule } from '../bundles/bundles.module';
import { CasesModule } from '../cases/cases.module';
import { RenewalsModule } from '../renewals/renewals.module';
import { RepliesModule } from '../replies/replies.module';
import { StatisticsModule } from '../statistics/statistics.module';
import { IntakeGrpcController } from './intake.grpc.controller';

/** The one gRPC front of intake, over the features that do the work. */
@Module({
  imports: [CasesModule, RepliesModule, RenewalsModule, BundlesModule, StatisticsModule],
  providers: [IntakeGrpcController],
})
export class ApiModule {}
