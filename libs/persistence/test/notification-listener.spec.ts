import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgNotificationListener, type PostgresServer } from '../src/index';
import { testPostgres } from './support';

let server: PostgresServer;
let admin: pg.Client;

beforeAll(async () => {
  server = await testPostgres();
  admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
  await server.stop();
});

function uniqueChannel(): string {
  return `tb_test_${randomBytes(4).toString('hex')}`;
}

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Backend pids of the sessions listening on `channel`. */
async function listeners(channel: string): Promise<number[]> {
  const result = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`,
    [`LISTEN ${channel}`],
  );
  return result.rows.map((row) => row.pid);
}

describe('PgNotificationListener', () => {
  it('wakes its caller once listening, on each NOTIFY, and again after reconnecting', async () => {
    const channel = uniqueChannel();
    const warnings: string[] = [];
    let wakeUps = 0;
    const listener = new PgNotificationListener({
      connection: { connectionString: server.adminUrl },
      channel,
      name: 'test listener',
      logger: { warn: (_details, message) => warnings.push(message) },
      onNotification: () => {
        wakeUps += 1;
      },
    });
    await listener.start();
    try {
      expect(wakeUps).toBe(1);
      await admin.query(`NOTIFY ${channel}`);
      await until(() => wakeUps === 2);

      const [pid] = await listeners(channel);
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // One warning for the lost connection, then a wake-up once it listens again.
      await until(() => wakeUps === 3);
      expect(warnings).toEqual(['test listener lost; polling until it is back']);
      await admin.query(`NOTIFY ${channel}`);
      await until(() => wakeUps === 4);
    } finally {
      await listener.stop();
    }
    // The server ends the session shortly after the client said goodbye.
    await until(async () => (await listeners(channel)).length === 0);
  });

  it('closes a connection that completes after stop()', async () => {
    const channel = uniqueChannel();
    let wakeUps = 0;
    const listener = new PgNotificationListener({
      connection: { connectionString: server.adminUrl },
      channel,
      name: 'test listener',
      onNotification: () => {
        wakeUps += 1;
      },
    });
    const started = listener.start();
    await listener.stop();
    await started;
    expect(wakeUps).toBe(0);
    await until(async () => (await listeners(channel)).length === 0);
  });

  it('refuses a channel name it would have to quote', () => {
    expect(
      () =>
        new PgNotificationListener({
          connection: {},
          channel: 'outbox; DROP TABLE outbox',
          name: 'test listener',
          onNotification: () => undefined,
        }),
    ).toThrow(/not a plain channel name/);
  });
});
