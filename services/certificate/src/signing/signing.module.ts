import { Global, Module } from '@nestjs/common';
import { ServiceContext } from '@tongban/service-kit';
import { RegionSigner } from './region-signer';

@Global()
@Module({
  providers: [
    {
      provide: RegionSigner,
      useFactory: (context: ServiceContext) => RegionSigner.load(context),
      inject: [ServiceContext],
    },
  ],
  exports: [RegionSigner],
})
export class SigningModule {}
