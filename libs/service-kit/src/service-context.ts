import { Pool } from 'pg';
import type { Region } from '@tongban/domain';
import {
  createKafkaClient,
  EventProducer,
  OutboxRelay,
  TopicNaming,
  type KafkaClient,
} from '@tongban/kafka';
import { createLogger, type Logger, type Telemetry } from '@tongban/telemetry';
import type { BaseServiceConfig } from './service-config';

/**
 * What every service of a region runs on: its configuration and region file, its logger, its
 * own database pool, the region's Kafka (client, producer, topic names) and its outbox relay.
 * One instance per process, created before Nest so that a bad configuration fails fast.
 */
/** The time as the service's business rules see it: real time plus a whole-day offset. */
export class ServiceClock {
  constructor(readonly offsetDays = 0) {}

  now(): Date {
    return new Date(Date.now() + this.offsetDays * 86_400_000);
  }
}

export class ServiceContext<Config extends BaseServiceConfig = BaseServiceConfig> {
  readonly logger: Logger;
  readonly pool: Pool;
  readonly kafka: KafkaClient;
  readonly producer: EventProducer;
  readonly naming: TopicNaming;
  readonly relay: OutboxRelay;
  /** Where the service reads the time; shifted by CLOCK_OFFSET_DAYS (drills and tests). */
  readonly clock: ServiceClock;

  constructor(
    readonly config: Config,
    readonly region: Region,
    /** Flushed last at shutdown, so the spans of the final requests reach Zipkin. */
    readonly telemetry?: Telemetry,
  ) {
    this.logger = createLogger({
      service: config.service,
      region: config.REGION,
      level: config.LOG_LEVEL,
    });
    this.clock = new ServiceClock(config.CLOCK_OFFSET_DAYS);
    if (config.CLOCK_OFFSET_DAYS !== 0) {
      this.logger.warn(
        { offsetDays: config.CLOCK_OFFSET_DAYS },
        'the service clock is shifted (CLOCK_OFFSET_DAYS): deadlines and expiry use the shifted time',
      );
    }
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: 10 });
    this.pool.on('error', (error) => {
      this.logger.warn({ err: error }, 'idle database connection failed');
    });
    this.kafka = createKafkaClient({
      brokers: config.KAFKA_BROKERS.split(','),
      clientId: `${config.REGION}.${config.service}`,
      logger: this.logger,
    });
    this.producer = new EventProducer(this.kafka);
    this.naming = new TopicNaming(config.REGION, config.KAFKA_TOPIC_PREFIX);
    this.relay = new OutboxRelay({ pool: this.pool, producer: this.producer, logger: this.logger });
  }

  get service(): string {
    return this.config.service;
  }

  get regionCode(): string {
    return this.config.REGION;
  }

  /** The topic this service publishes its events to. */
  get eventsTopic(): string {
    return this.naming.events(this.config.service);
  }
}
