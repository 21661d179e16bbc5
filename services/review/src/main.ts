import { telemetry } from './instrumentation';
import path from 'node:path';
import { loadServiceConfig, runServiceProcess } from '@tongban/service-kit';
import { AppModule } from './app.module';

void runServiceProcess({
  telemetry,
  loadConfig: () => loadServiceConfig('review', { HTTP_PORT: 0, GRPC_PORT: 0 }),
  appModule: (context) => AppModule.forRoot(context),
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
});
