import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type ServiceContext } from '@tongban/service-kit';
import { ApiModule } from './api/api.module';
import { IntakeSettings } from './intake-settings';
import { PrismaModule } from './prisma/prisma.module';
import { TimelineModule } from './timeline/timeline.module';

@Global()
@Module({})
export class AppModule {
  static forRoot(context: ServiceContext, settings: IntakeSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot(context), PrismaModule, ApiModule, TimelineModule],
      // Global (this module is): the feature modules read the limits, blob root and directory.
      providers: [{ provide: IntakeSettings, useValue: settings }],
      exports: [IntakeSettings],
    };
  }
}
