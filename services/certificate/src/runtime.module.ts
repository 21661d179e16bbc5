import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Clock } from './clock';
import { PARTNER_CATALOGS, type PartnerCatalogs } from './rendering/partner-catalogs';
import {
  PARTNER_KEY_DIRECTORY,
  type PartnerKeyDirectory,
} from './verification/partner-key-directory';

/**
 * What the service depends on outside itself besides database and Kafka: the time, the partner
 * key directory and the partners' catalogs. Provided from AppModule.forRoot, so a test can issue
 * "years ago" or verify partners without an exchange.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: {
    clock: Clock;
    partnerKeys: PartnerKeyDirectory;
    partnerCatalogs: PartnerCatalogs;
  }): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: Clock, useValue: runtime.clock },
        { provide: PARTNER_KEY_DIRECTORY, useValue: runtime.partnerKeys },
        { provide: PARTNER_CATALOGS, useValue: runtime.partnerCatalogs },
      ],
      exports: [Clock, PARTNER_KEY_DIRECTORY, PARTNER_CATALOGS],
    };
  }
}
