import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type ServiceContext } from '@tongban/service-kit';
import { CarrierAdapter } from './carrier/carrier.adapter';
import { CarrierModule } from './carrier/carrier.module';
import { SenderAddresses } from './carrier/sender-addresses';
import { SimulatorCarrierAdapter } from './carrier/simulator-carrier.adapter';
import { webhookUrl, type LogisticsConfig } from './logistics-config';
import { PrismaModule } from './prisma/prisma.module';
import { ShipmentsModule } from './shipments/shipments.module';
import { TrackingModule } from './tracking/tracking.module';

@Module({})
export class AppModule {
  /**
   * The logistics service of one region. The carrier is the simulator 通达速运 (SIM) at
   * CARRIER_URL unless `options.carrier` is given (tests wrap the real adapter to interrupt it).
   */
  static forRoot(
    context: ServiceContext<LogisticsConfig>,
    options: { carrier?: CarrierAdapter } = {},
  ): DynamicModule {
    const { config } = context;
    const carrier =
      options.carrier ??
      new SimulatorCarrierAdapter({
        baseUrl: config.CARRIER_URL,
        apiKey: config.CARRIER_API_KEY,
        webhookSecret: config.CARRIER_WEBHOOK_SECRET,
        callbackUrl: webhookUrl(config, 'SIM'),
      });
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot(context),
        PrismaModule,
        CarrierModule.forRoot({
          adapter: carrier,
          sender: new SenderAddresses(config, context.region),
        }),
        ShipmentsModule,
        TrackingModule,
      ],
    };
  }
}
