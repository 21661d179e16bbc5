import {
  Global,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ensureTopics } from '@tongban/kafka';
import { ConsumerHost } from './consumer-host';
import { GrpcHost } from './grpc-host';
import { HealthController } from './health.controller';
import { Readiness } from './readiness';
import { ServiceContext } from './service-context';

/**
 * Cross-cutting wiring every service shares: context (config, region, logger, database pool,
 * Kafka), the consumer host, the gRPC host with `grpc.health.v1`, HTTP liveness/readiness, and
 * the start and graceful stop of it all.
 *
 * Stop order: readiness goes NOT_SERVING; the gRPC server stops taking calls and finishes those in
 * flight; the consumer finishes its message in hand and commits; the outbox relay publishes what
 * is left; then Kafka and the database are closed.
 */
@Global()
@Module({})
export class ServiceKitModule
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ConsumerHost) private readonly consumers: ConsumerHost,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(Readiness) private readonly readiness: Readiness,
  ) {}

  static forRoot(context: ServiceContext): DynamicModule {
    const consumers = new ConsumerHost(context);
    const readiness = new Readiness(context.pool, context.kafka, () => consumers.fatalError);
    const grpc = new GrpcHost(() => readiness.isReady);
    return {
      module: ServiceKitModule,
      controllers: [HealthController],
      providers: [
        { provide: ServiceContext, useValue: context },
        { provide: ConsumerHost, useValue: consumers },
        { provide: Readiness, useValue: readiness },
        { provide: GrpcHost, useValue: grpc },
      ],
      exports: [ServiceContext, ConsumerHost, GrpcHost, Readiness],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const { context } = this;
    await ensureTopics(context.kafka, [context.eventsTopic]);
    await context.producer.connect();
    await context.relay.start();
    await this.consumers.start();
    const port = await this.grpc.start(context.config.HOST, context.config.GRPC_PORT);
    this.readiness.markStarted();
    this.grpc.notify();
    context.logger.info({ grpcPort: port }, 'gRPC server listening');
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    const { context } = this;
    context.logger.info({ signal }, 'stopping: finishing work in flight');
    this.readiness.markStopping();
    await this.grpc.stop();
    await this.consumers.stop();
    await context.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.context.producer.disconnect().catch(() => undefined);
    await this.context.pool.end().catch(() => undefined);
    this.context.logger.info('stopped');
    await this.context.telemetry?.shutdown().catch(() => undefined);
  }
}
