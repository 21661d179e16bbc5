import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CarrierAdapter } from './carrier.adapter';
import { SenderAddresses } from './sender-addresses';

/** The courier this region ships with, and who the parcels come from; built in main from config. */
@Global()
@Module({})
export class CarrierModule {
  static forRoot(options: { adapter: CarrierAdapter; sender: SenderAddresses }): DynamicModule {
    return {
      module: CarrierModule,
      providers: [
        { provide: CarrierAdapter, useValue: options.adapter },
        { provide: SenderAddresses, useValue: options.sender },
      ],
      exports: [CarrierAdapter, SenderAddresses],
    };
  }
}
