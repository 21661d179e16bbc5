import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type ServiceContext } from '@tongban/service-kit';
import type { CertificateConfig } from './certificate-config';
import { CertificatesModule } from './certificates/certificates.module';
import { ContextClock, type Clock } from './clock';
import { PrismaModule } from './prisma/prisma.module';
import { ExchangePartnerCatalogs, type PartnerCatalogs } from './rendering/partner-catalogs';
import { RuntimeModule } from './runtime.module';
import { SigningModule } from './signing/signing.module';
import { ExchangePartnerKeys } from './verification/exchange-partner-keys';
import type { PartnerKeyDirectory } from './verification/partner-key-directory';

/** What a test (or another deployment) may replace. */
export interface CertificateAppOptions {
  /** Partner keys from elsewhere than the exchange's DirectoryService. */
  partnerKeys?: PartnerKeyDirectory;
  /** Partner catalogs (field labels on printed certificates) from elsewhere than the exchange. */
  partnerCatalogs?: PartnerCatalogs;
  /** Defaults to the context clock (CLOCK_OFFSET_DAYS). */
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(
    context: ServiceContext<CertificateConfig>,
    options: CertificateAppOptions = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(context),
        RuntimeModule.forRoot({
          clock: options.clock ?? new ContextClock(context.clock),
          partnerKeys:
            options.partnerKeys ??
            new ExchangePartnerKeys(context.config.EXCHANGE_DIRECTORY_ADDRESS, context.logger),
          partnerCatalogs:
            options.partnerCatalogs ??
            new ExchangePartnerCatalogs(context.config.EXCHANGE_DIRECTORY_ADDRESS, context.logger),
        }),
        PrismaModule,
        SigningModule,
        CertificatesModule,
      ],
    };
  }
}
