import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { GrpcHost, Readiness, ServiceContext } from '@tongban/service-kit';
import { ExchangeSettings } from '../config/exchange-settings';
import { ExchangeTrust } from '../trust/exchange-trust';

/**
 * The partner-facing gRPC server: a second server of the process, on the region's
 * `exchange.listen` address, over mutual TLS — only certificates of the partners' CAs get
 * through the handshake. It starts after the service kit (consumers, relay, in-region gRPC) and
 * stops before it, finishing the calls in flight, so their outbox rows are still relayed.
 */
@Injectable()
export class PartnerServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly host: GrpcHost;

  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ExchangeSettings) private readonly settings: ExchangeSettings,
    @Inject(ExchangeTrust) private readonly trust: ExchangeTrust,
    @Inject(Readiness) readiness: Readiness,
  ) {
    this.host = new GrpcHost(() => readiness.isReady);
  }

  /** The bound port, once started. */
  get port(): number | undefined {
    return this.host.port;
  }

  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    this.host.addService(definition, implementation);
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = await this.host.start(
      this.settings.partnerHost,
      this.settings.partnerPort,
      this.trust.serverCredentials(),
    );
    // Every later line names the partner port, the ready line of the service kit included: the
    // dev stack and operators see which address partners must be given.
    this.context.logger.setBindings({ partnerPort: port });
    this.context.logger.info(
      { partnerHost: this.settings.partnerHost, identity: this.trust.identity },
      'partner exchange listening (mutual TLS)',
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.host.stop();
    this.context.logger.info('partner exchange stopped; calls in flight finished');
  }
}
