// Starts a local Zipkin server (in-memory storage) and keeps it up until Ctrl-C:
//   tsx infra/src/cli/zipkin.ts [--port 9411]   (or ZIPKIN_PORT=9411)
import { parseArgs } from 'node:util';
import { startZipkin } from '../zipkin-server';
import { portOption, runUntilSignal } from './run-until-signal';

const { values } = parseArgs({ options: { port: { type: 'string' } } });

void runUntilSignal(
  () => startZipkin({ port: portOption(values.port, 'ZIPKIN_PORT', 9411) }),
  (zipkin) => `Zipkin listening at ${zipkin.url} (UI ${zipkin.url}/zipkin/); Ctrl-C stops it`,
);
