// Starts the simulated carrier 通达速运 (SIM) and keeps it up until Ctrl-C:
//   CARRIER_WEBHOOK_SECRET=… tsx infra/src/cli/carrier-simulator.ts [--port 8790] [--speed 3600] [--seed S]
// Environment: CARRIER_PORT, CARRIER_SPEED, CARRIER_WEBHOOK_SECRET (required), CARRIER_API_KEY
// (a random key, printed, when unset), CARRIER_SEED. Each tracking event is logged.
import { parseArgs } from 'node:util';
import { startCarrierSimulator } from '../carrier-simulator/carrier-simulator';
import { portOption, runUntilSignal } from './run-until-signal';

const { values } = parseArgs({
  options: { port: { type: 'string' }, speed: { type: 'string' }, seed: { type: 'string' } },
});

function speedOption(flag: string | undefined): number | undefined {
  const text = flag ?? process.env.CARRIER_SPEED;
  if (text === undefined) return undefined;
  const speed = Number(text);
  if (text === '' || !Number.isFinite(speed) || speed <= 0) {
    throw new Error(
      `invalid speed '${text}' (--speed or CARRIER_SPEED): a number > 0, 1 = real time`,
    );
  }
  return speed;
}

/** An environment variable set to '' counts as unset. */
function nonEmpty(text: string | undefined): string | undefined {
  return text === '' ? undefined : text;
}

void runUntilSignal(
  () => {
    const webhookSecret = process.env.CARRIER_WEBHOOK_SECRET;
    if (!webhookSecret) {
      throw new Error(
        'CARRIER_WEBHOOK_SECRET is not set: the secret webhooks are signed with, shared with the logistics service',
      );
    }
    return startCarrierSimulator({
      port: portOption(values.port, 'CARRIER_PORT', 8790),
      speed: speedOption(values.speed),
      webhookSecret,
      apiKey: nonEmpty(process.env.CARRIER_API_KEY),
      seed: values.seed ?? nonEmpty(process.env.CARRIER_SEED),
      log: (line) => {
        console.log(line);
      },
    });
  },
  (carrier) =>
    `Carrier simulator ${carrier.carrier} (通达速运) listening at ${carrier.url} ` +
    `(API key ${carrier.apiKey}, speed ×${carrier.speed}, seed ${carrier.seed}); Ctrl-C stops it`,
);
