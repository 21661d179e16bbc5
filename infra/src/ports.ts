import { createServer, type Server } from 'node:net';

/**
 * Returns each requested port as is and a free ephemeral port on 127.0.0.1 for each one left
 * undefined. The probing sockets stay open until all are chosen, so no two picks collide.
 */
export async function freePorts<const T extends readonly (number | undefined)[]>(
  ...requested: T
): Promise<{ [K in keyof T]: number }> {
  const servers: Server[] = [];
  try {
    const ports = await Promise.all(
      requested.map(async (port) => {
        if (port !== undefined) return port;
        const server = createServer();
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject).listen(0, '127.0.0.1', resolve);
        });
        const address = server.address();
        if (address === null || typeof address === 'string') throw new Error('no TCP port');
        return address.port;
      }),
    );
    return ports as { [K in keyof T]: number };
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
