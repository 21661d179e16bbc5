import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Clock } from './clock';
import {
  PARTNER_KEY_DIRECTORY,
  type PartnerKeyDirectory,
} from './verification/partner-key-directory';

/**
 * What the service depends on outside itself besides database and Kafka: the time and the partner
 * key directory. Provided from AppModule.forRoot, so a test can issue "years ago" or verify
 * partners without an exchange.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: { clock: Clock; partnerKeys: PartnerKeyDirectory }): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: Clock, useValue: runtime.clock },
        { provide: PARTNER_KEY_DIRECTORY, useValue: runtime.partnerKeys },
      ],
      exports: [Clock, PARTNER_KEY_DIRECTORY],
    };
  }
}
