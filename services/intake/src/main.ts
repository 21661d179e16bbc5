import { telemetry } from './instrumentation';
import path from 'node:path';
import { runServiceProcess } from '@tongban/service-kit';
import { AppModule } from './app.module';
import { IntakeSettings, loadIntakeConfig } from './intake-settings';

void runServiceProcess({
  telemetry,
  loadConfig: loadIntakeConfig,
  appModule: (context) => AppModule.forRoot(context, IntakeSettings.from(context.config)),
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
});
