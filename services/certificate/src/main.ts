import { telemetry } from './instrumentation';
import path from 'node:path';
import { runServiceProcess } from '@tongban/service-kit';
import { AppModule } from './app.module';
import { loadCertificateConfig } from './certificate-config';

void runServiceProcess({
  telemetry,
  loadConfig: loadCertificateConfig,
  appModule: (context) => AppModule.forRoot(context),
  migrationsDir: path.resolve(__dirname, '../prisma/migrations'),
});
