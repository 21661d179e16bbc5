import { telemetry } from './instrumentation';
import path from 'node:path';
import { loadRegion, RegionFileError } from '@tongban/domain';
import { runService, ServiceConfigError, ServiceContext } from '@tongban/service-kit';
import { AppModule } from './app.module';
import { loadExchangeConfig } from './config/exchange-config';
import { migrateExchangeDatabase } from './migrate-exchange-database';

async function main(): Promise<void> {
  const config = loadExchangeConfig();
  const region = loadRegion(path.join(config.regionsDir, `${config.REGION}.yaml`));
  const context = new ServiceContext(config, region, telemetry);
  // Before anything starts: key material is checked (and a missing file named) first.
  const app = AppModule.forRoot(context);
  await migrateExchangeDatabase(config.DATABASE_URL);
  await runService(app, context);
}

main().catch(async (error: unknown) => {
  console.error(
    error instanceof ServiceConfigError || error instanceof RegionFileError ? error.message : error,
  );
  await telemetry.shutdown();
  process.exit(1);
});
