/**
 * The port a CLI was asked for: the `--port` flag, else the environment variable `envName`, else
 * `fallback`. 0 means any free port (undefined for the launchers).
 */
export function portOption(
  flag: string | undefined,
  envName: string,
  fallback: number,
): number | undefined {
  const text = flag ?? process.env[envName] ?? String(fallback);
  const port = Number(text);
  if (text === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`invalid port '${text}' (--port or ${envName})`);
  }
  return port === 0 ? undefined : port;
}

/**
 * Starts a server and keeps it up until Ctrl-C or SIGTERM, then stops it (and so its JVM) and
 * exits. A signal during startup stops the server as soon as it is up, so the temporary data
 * is removed too. Node stays alive through the interval below: the JVM's handle is unref'd.
 */
export async function runUntilSignal<Server extends { stop(): Promise<void> }>(
  start: () => Promise<Server>,
  describe: (server: Server) => string,
): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  // The handlers stay installed: a second Ctrl-C must not kill Node halfway through the stop
  // (the watchdog would still end the JVM, but temporary data would be left behind).
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGINT', resolve).on('SIGTERM', resolve);
  });
  let server: Server;
  try {
    server = await start();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  console.log(describe(server));
  const signal = await stopRequested;
  console.log(`${signal}: stopping…`);
  await server.stop();
  clearInterval(keepAlive);
}
