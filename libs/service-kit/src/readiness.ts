import type { Pool } from 'pg';
import type { KafkaClient } from '@tongban/kafka';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/**
 * Readiness of a service: it is started and not stopping, its database answers, the Kafka
 * cluster answers and its consumer has not died. Probes are cached for a moment so a busy probe
 * loop costs nothing.
 */
export class Readiness {
  private started = false;
  private stopping = false;
  private cached: { at: number; report: ReadinessReport } | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly kafka: KafkaClient,
    private readonly consumerError: () => Error | undefined,
  ) {}

  markStarted(): void {
    this.started = true;
    this.cached = undefined;
  }

  markStopping(): void {
    this.stopping = true;
    this.cached = undefined;
  }

  /** Last known state, without probing (for the gRPC health service). */
  get isReady(): boolean {
    return this.started && !this.stopping && (this.cached?.report.ready ?? true);
  }

  async report(): Promise<ReadinessReport> {
    if (this.cached && Date.now() - this.cached.at < 1_000) return this.cached.report;
    const checks: ReadinessReport['checks'] = {
      lifecycle: this.stopping
        ? { ok: false, detail: 'stopping' }
        : this.started
          ? { ok: true }
          : { ok: false, detail: 'starting' },
      database: await probe(async () => {
        await this.pool.query('SELECT 1');
      }),
      kafka: await probe(async () => {
        const admin = this.kafka.kafka.admin();
        await admin.connect();
        try {
          await admin.describeCluster();
        } finally {
          await admin.disconnect();
        }
      }),
      consumer: this.consumerError()
        ? { ok: false, detail: String(this.consumerError()) }
        : { ok: true },
    };
    const report = { ready: Object.values(checks).every((check) => check.ok), checks };
    this.cached = { at: Date.now(), report };
    return report;
  }
}

async function probe(check: () => Promise<void>): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error('no answer within 2 s'));
        }, 2_000);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
