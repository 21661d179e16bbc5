import pg from 'pg';

/** The one thing the listener logs; a pino logger (or @tongban/telemetry's) fits. */
export interface NotificationListenerLogger {
  warn(details: object, message: string): void;
}

export interface PgNotificationListenerOptions {
  /**
   * Where to connect (a pool's `options` will do). The listener holds its own connection outside
   * any pool: LISTEN belongs to one session, and a pooled client would be handed to queries.
   */
  connection: pg.ClientConfig;
  /** The NOTIFY channel; a plain lower-case identifier, since LISTEN cannot take a parameter. */
  channel: string;
  /** Who listens, for the warning when the connection is lost, e.g. `outbox listener`. */
  name: string;
  logger?: NotificationListenerLogger;
  /**
   * Called for each notification, and once after every (re)connect: whatever was notified while
   * nobody listened is lost, so the caller must look for work then. Must not throw.
   */
  onNotification: () => void;
}

/** Pause before reconnecting after the connection failed; callers poll meanwhile. */
const RECONNECT_DELAY_MS = 1_000;
const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/**
 * Keeps one PostgreSQL connection LISTENing on a channel and reconnects (after a second) when it
 * is lost, for as long as it runs. Used once: start(), then stop(). Notifications are only a
 * wake-up call — callers keep a polling safety net for the time the connection is down.
 */
export class PgNotificationListener {
  private running = false;
  private client: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PgNotificationListenerOptions) {
    if (!CHANNEL.test(options.channel)) {
      throw new Error(`not a plain channel name: ${JSON.stringify(options.channel)}`);
    }
  }

  /** Connects and listens; a failure is logged and retried in the background, never thrown. */
  async start(): Promise<void> {
    this.running = true;
    await this.connect();
  }

  /** Stops reconnecting and closes the connection. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client(this.options.connection);
    let lost = false;
    const reconnect = (error: unknown) => {
      // pg may both reject the pending query and emit 'error' for one failure: react once.
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (!this.running) return;
      this.options.logger?.warn(
        { err: error },
        `${this.options.name} lost; polling until it is back`,
      );
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => void this.connect(), RECONNECT_DELAY_MS);
    };
    client.on('notification', () => {
      this.options.onNotification();
    });
    client.on('error', reconnect);
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
      // stop() may have run while we were connecting.
      if (!this.isRunning()) {
        await client.end();
        return;
      }
      this.client = client;
      this.options.onNotification();
    } catch (error) {
      reconnect(error);
    }
  }

  /** A method, so the check after the awaits above is not narrowed away by the one before them. */
  private isRunning(): boolean {
    return this.running;
  }
}
