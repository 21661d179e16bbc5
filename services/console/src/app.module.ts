import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './auth/access';
import { SessionController } from './auth/session.controller';
import { SessionService } from './auth/session.service';
import { StaffSeeder } from './auth/staff-seeder';
import { ConsoleContext } from './console-context';
import { DeskController } from './desk/desk.controller';
import { DeskService } from './desk/desk.service';
import { HealthController } from './health/health.controller';
import { DashboardController } from './operations/dashboard.controller';
import { DashboardService } from './operations/dashboard.service';
import { PrismaModule } from './prisma/prisma.module';
import { ReviewQueueController } from './review/review-queue.controller';
import { ReviewQueueService } from './review/review-queue.service';
import { ApiExceptionFilter } from './shared/api-exception.filter';

@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(ConsoleContext) private readonly context: ConsoleContext) {}

  static forRoot(context: ConsoleContext): DynamicModule {
    return {
      module: AppModule,
      imports: [PrismaModule.forContext(context)],
      controllers: [
        HealthController,
        SessionController,
        DeskController,
        ReviewQueueController,
        DashboardController,
      ],
      providers: [
        SessionService,
        StaffSeeder,
        DeskService,
        ReviewQueueService,
        DashboardService,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useValue: new ApiExceptionFilter(context.logger) },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.context.upstreams.close();
    await this.context.pool.end().catch(() => undefined);
    this.context.logger.info('stopped');
    await this.context.telemetry?.shutdown().catch(() => undefined);
  }
}
