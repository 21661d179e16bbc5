import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type ServiceContext } from '@tongban/service-kit';
import { PrismaModule } from './prisma/prisma.module';
import type { ReviewConfig } from './review-config';
import { TasksModule } from './tasks/tasks.module';

@Module({})
export class AppModule {
  static forRoot(context: ServiceContext<ReviewConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot(context), PrismaModule, TasksModule],
    };
  }
}
