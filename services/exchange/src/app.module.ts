import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type ServiceContext } from '@tongban/service-kit';
import type { ExchangeConfig } from './config/exchange-config';
import { DeliveryModule } from './delivery/delivery.module';
import { DirectoryModule } from './directory/directory.module';
import { ExchangeCoreModule } from './exchange-core.module';
import { InboundModule } from './inbound/inbound.module';
import { OperationsModule } from './operations/operations.module';
import { OutboundModule } from './outbound/outbound.module';
import { PrismaModule } from './prisma/prisma.module';
import { ExchangeTrust } from './trust/exchange-trust';

@Module({})
export class AppModule {
  /** Throws ServiceConfigError, naming the file, when key material is missing or unusable. */
  static forRoot(context: ServiceContext<ExchangeConfig>): DynamicModule {
    const trust = ExchangeTrust.load(context.config.keysDir, context.region);
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(context),
        PrismaModule,
        ExchangeCoreModule.forRoot(context, trust),
        OutboundModule,
        DeliveryModule,
        InboundModule,
        DirectoryModule,
        OperationsModule,
      ],
    };
  }
}
