// Starts a local Kafka broker and keeps it up until Ctrl-C:
//   tsx infra/src/cli/kafka.ts [--port 9092] [--data-dir DIR]   (or KAFKA_PORT=9092)
// Without --data-dir the broker's data is temporary and removed when it stops.
import { parseArgs } from 'node:util';
import { startKafka } from '../kafka-broker';
import { portOption, runUntilSignal } from './run-until-signal';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
});

void runUntilSignal(
  () =>
    startKafka({ port: portOption(values.port, 'KAFKA_PORT', 9092), dataDir: values['data-dir'] }),
  (kafka) =>
    `Kafka broker listening at ${kafka.brokers.join(',')} (data ${kafka.dataDir}, log ${kafka.logFile}); Ctrl-C stops it`,
);
