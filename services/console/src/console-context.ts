import { Pool } from 'pg';
import { createKafkaClient, TopicNaming, type KafkaClient } from '@tongban/kafka';
import { createLogger, type Logger, type Telemetry } from '@tongban/telemetry';
import type { ConsoleConfig } from './config/console-config';
import { RegionDirectory } from './upstreams/region-directory';
import { Upstreams } from './upstreams/upstreams';

/**
 * What the console runs on, created before Nest so that a bad configuration, region file or
 * staff file fails the start with its message: config, logger, its own database pool, the gRPC
 * clients of every served region, the region files, and a Kafka client to read dead-letter depths.
 */
export class ConsoleContext {
  readonly logger: Logger;
  readonly pool: Pool;
  readonly upstreams: Upstreams;
  readonly regions: RegionDirectory;
  readonly kafka: KafkaClient;

  constructor(
    readonly config: ConsoleConfig,
    readonly telemetry?: Telemetry,
  ) {
    this.logger = createLogger({ service: 'console', region: '', level: config.LOG_LEVEL });
    this.regions = new RegionDirectory(config.regionsDir, Object.keys(config.CONSOLE_UPSTREAMS));
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: 10 });
    this.pool.on('error', (error) => {
      this.logger.warn({ err: error }, 'idle database connection failed');
    });
    this.upstreams = new Upstreams(config);
    this.kafka = createKafkaClient({
      brokers: config.KAFKA_BROKERS.split(','),
      clientId: 'console',
      logger: this.logger,
    });
  }

  naming(region: string): TopicNaming {
    return new TopicNaming(region, this.config.KAFKA_TOPIC_PREFIX);
  }

  /** The Zipkin page of a trace, when Zipkin is configured and the trace id is known. */
  traceUrl(traceId: string): string | undefined {
    if (!this.config.ZIPKIN_URL || !/^[0-9a-f]{32}$/.test(traceId)) return undefined;
    return new URL(`/zipkin/traces/${traceId}`, this.config.ZIPKIN_URL).toString();
  }
}
