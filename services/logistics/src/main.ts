import { telemetry } from './instrumentation';
import path from 'node:path';
import { runServiceProcess } from '@tongban/service-kit';
import { AppModule } from './app.module';
import { loadLogisticsConfig } from './logistics-config';

void runServiceProcess({
  telemetry,
  loadConfig: loadLogisticsConfig,
  appModule: (context) => AppModule.forRoot(context),
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
});
