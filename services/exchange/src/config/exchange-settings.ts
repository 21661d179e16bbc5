import { blobDirectory, type ExchangeConfig } from './exchange-config';

/** The exchange's tunables, resolved once from its configuration (see exchange-config.ts). */
export class ExchangeSettings {
  readonly partnerHost: string;
  readonly partnerPort: number;
  readonly blobDir: string;
  readonly retryBudgetMs: number;
  readonly maxAttempts: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly blobMaxBytes: number;
  readonly directoryTtlMs: number;
  readonly deliveryConcurrency: number;
  readonly pollMs: number;
  readonly deliverTimeoutMs: number;

  constructor(config: ExchangeConfig, listen: string) {
    const colon = listen.lastIndexOf(':');
    this.partnerHost = listen.slice(0, colon);
    this.partnerPort = config.PARTNER_PORT ?? Number(listen.slice(colon + 1));
    this.blobDir = blobDirectory(config);
    this.retryBudgetMs = config.EXCHANGE_RETRY_BUDGET_MS;
    this.maxAttempts = config.EXCHANGE_MAX_ATTEMPTS;
    this.retryInitialMs = config.EXCHANGE_RETRY_INITIAL_MS;
    this.retryMaxMs = config.EXCHANGE_RETRY_MAX_MS;
    this.blobMaxBytes = config.EXCHANGE_BLOB_MAX_BYTES;
    this.directoryTtlMs = config.EXCHANGE_DIRECTORY_TTL_MS;
    this.deliveryConcurrency = config.EXCHANGE_DELIVERY_CONCURRENCY;
    this.pollMs = config.EXCHANGE_POLL_MS;
    this.deliverTimeoutMs = config.EXCHANGE_DELIVER_TIMEOUT_MS;
  }

  /** Pause before attempt `attempts + 1`: initial, doubled per failure, capped. */
  backoffMs(attempts: number): number {
    const exponent = Math.min(Math.max(attempts - 1, 0), 30);
    return Math.min(this.retryInitialMs * 2 ** exponent, this.retryMaxMs);
  }
}
