import { CertificateServiceService } from '@tongban/contracts/tongban/certificate/v1/certificate';
import { DirectoryServiceService } from '@tongban/contracts/tongban/exchange/v1/directory';
import { ExchangeOperationsServiceService } from '@tongban/contracts/tongban/exchange/v1/operations';
import { IntakeServiceService } from '@tongban/contracts/tongban/intake/v1/intake';
import { LogisticsServiceService } from '@tongban/contracts/tongban/logistics/v1/logistics';
import { ReviewServiceService } from '@tongban/contracts/tongban/review/v1/review';
import { grpcClient, type PromiseClient } from '@tongban/service-kit';
import type { ConsoleConfig } from '../config/console-config';

// Uploads of scanned materials may be tens of megabytes; intake accepts up to 30 MiB a call.
const CHANNEL_OPTIONS = {
  'grpc.max_send_message_length': 40 * 1024 * 1024,
  'grpc.max_receive_message_length': 40 * 1024 * 1024,
};

/** The gRPC clients of one region's services, as the console calls them. */
export interface RegionClients {
  intake: PromiseClient<typeof IntakeServiceService>;
  review: PromiseClient<typeof ReviewServiceService>;
  certificate: PromiseClient<typeof CertificateServiceService>;
  logistics: PromiseClient<typeof LogisticsServiceService>;
  directory: PromiseClient<typeof DirectoryServiceService>;
  exchangeOperations: PromiseClient<typeof ExchangeOperationsServiceService>;
}

/** One set of clients per served region; channels are opened lazily by grpc-js. */
export class Upstreams {
  private readonly clients = new Map<string, RegionClients>();

  constructor(config: Pick<ConsoleConfig, 'CONSOLE_UPSTREAMS'>) {
    for (const [region, addresses] of Object.entries(config.CONSOLE_UPSTREAMS)) {
      const options = { channelOptions: CHANNEL_OPTIONS };
      this.clients.set(region, {
        intake: grpcClient(IntakeServiceService, addresses.intake, options),
        review: grpcClient(ReviewServiceService, addresses.review, options),
        certificate: grpcClient(CertificateServiceService, addresses.certificate, options),
        logistics: grpcClient(LogisticsServiceService, addresses.logistics, options),
        directory: grpcClient(DirectoryServiceService, addresses.exchange, options),
        exchangeOperations: grpcClient(
          ExchangeOperationsServiceService,
          addresses.exchange,
          options,
        ),
      });
    }
  }

  /** The region's clients; the caller's authorization already checked the region is served. */
  of(region: string): RegionClients {
    const clients = this.clients.get(region);
    if (!clients) throw new Error(`region ${region} is not served by this console`);
    return clients;
  }

  close(): void {
    for (const clients of this.clients.values()) {
      clients.intake.close();
      clients.review.close();
      clients.certificate.close();
      clients.logistics.close();
      clients.directory.close();
      clients.exchangeOperations.close();
    }
  }
}
