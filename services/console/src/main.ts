import { telemetry } from './instrumentation';
import { RegionFileError } from '@tongban/domain';
import { ServiceConfigError } from '@tongban/service-kit';
import { loadConsoleConfig } from './config/console-config';
import { ConsoleContext } from './console-context';
import { startConsole } from './start-console';

async function main(): Promise<void> {
  try {
    const context = new ConsoleContext(loadConsoleConfig(), telemetry);
    await startConsole(context);
  } catch (error) {
    // A configuration, region file or staff file mistake names every problem; a stack would bury it.
    console.error(
      error instanceof ServiceConfigError || error instanceof RegionFileError
        ? error.message
        : error,
    );
    await telemetry.shutdown();
    process.exit(1);
  }
}

void main();
