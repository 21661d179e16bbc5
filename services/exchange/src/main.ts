import { telemetry } from './instrumentation';
import { runServiceProcess } from '@tongban/service-kit';
import { AppModule } from './app.module';
import { loadExchangeConfig } from './config/exchange-config';
import { migrateExchangeDatabase } from './migrate-exchange-database';

void runServiceProcess({
  telemetry,
  loadConfig: loadExchangeConfig,
  // Checks the key material (and names a missing file) before the database is migrated.
  appModule: (context) => AppModule.forRoot(context),
  // The message log of @tongban/trust too.
  migrateDatabase: migrateExchangeDatabase,
});
