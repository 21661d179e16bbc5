import path from 'node:path';
import { loadRegion, RegionFileError } from '@tongban/domain';
import type { Telemetry } from '@tongban/telemetry';
import { migrateServiceDatabase } from './migrate-service-database';
import { runService } from './run-service';
import { ServiceConfigError, type BaseServiceConfig } from './service-config';
import { ServiceContext } from './service-context';

export type ServiceProcessOptions<Config extends BaseServiceConfig> = {
  /** The service's telemetry from its instrumentation.ts; flushed before a failed start exits. */
  telemetry: Telemetry;
  /** Reads and validates the environment (the service's own variables too); throws ServiceConfigError. */
  loadConfig: () => Config;
  /**
   * The service's root module. Built before the database is touched, so that a service that
   * checks its key material or settings there refuses to start without migrating anything.
   */
  appModule: (context: ServiceContext<Config>) => unknown;
} & (
  | {
      /** The service's own SQL migrations, applied after the platform's outbox and inbox tables. */
      migrationsDir: string;
      migrateDatabase?: never;
    }
  | {
      /** For a service with more to migrate than the platform tables and its own migrations. */
      migrateDatabase: (databaseUrl: string) => Promise<unknown>;
      migrationsDir?: never;
    }
);

/**
 * A service process's main: configuration → region file (`<regionsDir>/<REGION>.yaml`) →
 * ServiceContext → root module → database migrations → runService. If any step fails, the
 * process exits with status 1; a configuration or region file mistake is printed as its message
 * alone, since it names every problem for the operator and a stack trace would bury it.
 */
export async function runServiceProcess<Config extends BaseServiceConfig>(
  options: ServiceProcessOptions<Config>,
): Promise<void> {
  try {
    const config = options.loadConfig();
    const region = loadRegion(path.join(config.regionsDir, `${config.REGION}.yaml`));
    const context = new ServiceContext(config, region, options.telemetry);
    const appModule = options.appModule(context);
    if (options.migrateDatabase) await options.migrateDatabase(config.DATABASE_URL);
    else await migrateServiceDatabase(config.DATABASE_URL, options.migrationsDir);
    await runService(appModule, context);
  } catch (error) {
    console.error(
      error instanceof ServiceConfigError || error instanceof RegionFileError
        ? error.message
        : error,
    );
    await options.telemetry.shutdown();
    process.exit(1);
  }
}
