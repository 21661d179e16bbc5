import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { ServiceContext } from '@tongban/service-kit';
import { BLOB_STORE, blobStoreProvider } from './blobs/blob-store.provider';
import type { ExchangeConfig } from './config/exchange-config';
import { ExchangeSettings } from './config/exchange-settings';
import { DirectoryService } from './directory/directory.service';
import { CaseChannels } from './messages/case-channels';
import { ExchangeEvents } from './messages/exchange-events';
import { InboundApplier } from './messages/inbound-applier';
import { OutboundMessages } from './messages/outbound-messages';
import { PartnerClients } from './partners/partner-clients';
import { PartnerServer } from './partners/partner-server';
import { ExchangeTrust } from './trust/exchange-trust';

/**
 * What every feature of the exchange shares: settings, the key material (loaded before Nest
 * starts, so a missing file stops the start with its name), the blob store, the partner server
 * and clients, and the message store (channels, outbound messages, applying inbound ones).
 */
@Global()
@Module({})
export class ExchangeCoreModule {
  static forRoot(context: ServiceContext<ExchangeConfig>, trust: ExchangeTrust): DynamicModule {
    const settings = new ExchangeSettings(context.config, context.region.exchange.listen);
    const shared = [
      DirectoryService,
      CaseChannels,
      ExchangeEvents,
      OutboundMessages,
      InboundApplier,
      PartnerClients,
      PartnerServer,
    ];
    return {
      module: ExchangeCoreModule,
      providers: [
        { provide: ExchangeSettings, useValue: settings },
        { provide: ExchangeTrust, useValue: trust },
        blobStoreProvider,
        ...shared,
      ],
      exports: [ExchangeSettings, ExchangeTrust, BLOB_STORE, ...shared],
    };
  }
}
