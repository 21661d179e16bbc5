import { telemetry } from './instrumentation';
import path from 'node:path';
import { loadRegion } from '@tongban/domain';
import {
  migrateServiceDatabase,
  runService,
  ServiceConfigError,
  ServiceContext,
} from '@tongban/service-kit';
import { AppModule } from './app.module';
import { IntakeSettings, loadIntakeConfig } from './intake-settings';

async function main(): Promise<void> {
  const config = loadIntakeConfig();
  const region = loadRegion(path.join(config.regionsDir, `${config.REGION}.yaml`));
  const context = new ServiceContext(config, region, telemetry);
  await migrateServiceDatabase(
    config.DATABASE_URL,
    path.resolve(__dirname, '../prisma/migrations'),
  );
  await runService(AppModule.forRoot(context, IntakeSettings.from(config)), context);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof ServiceConfigError ? error.message : error);
  await telemetry.shutdown();
  process.exit(1);
});
