import { createServer, type Server } from 'node:net';

// Listening ports are picked below Linux's ephemeral range (32768–60999): a port from that range
// can be taken by any outgoing connection (to Kafka, PostgreSQL, a partner) between the moment it
// is found free and the moment a service binds it, which happened with fifteen services starting.
const LOW = 20_000;
const HIGH = 32_000;

async function tryListen(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => {
      resolve(undefined);
    });
    server.listen(port, '127.0.0.1', () => {
      resolve(server);
    });
  });
}

/**
 * Returns each requested port as is and a free port on 127.0.0.1 for each one left undefined.
 * The probing sockets stay open until all are chosen, so no two picks collide.
 */
export async function freePorts<const T extends readonly (number | undefined)[]>(
  ...requested: T
): Promise<{ [K in keyof T]: number }> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (const port of requested) {
      if (port !== undefined) {
        ports.push(port);
        continue;
      }
      for (let attempt = 0; ; attempt += 1) {
        if (attempt > 200) throw new Error(`no free TCP port between ${LOW} and ${HIGH}`);
        const candidate = LOW + Math.floor(Math.random() * (HIGH - LOW));
        const server = await tryListen(candidate);
        if (server) {
          servers.push(server);
          ports.push(candidate);
          break;
        }
      }
    }
    return ports as { [K in keyof T]: number };
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
