import { telemetry } from './instrumentation';
import path from 'node:path';
import { runServiceProcess } from '@tongban/service-kit';
import { AppModule } from './app.module';
import { loadReviewConfig } from './review-config';

void runServiceProcess({
  telemetry,
  loadConfig: () => loadReviewConfig(),
  appModule: (context) => AppModule.forRoot(context),
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
});
