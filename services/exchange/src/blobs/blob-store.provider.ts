import type { FactoryProvider } from '@nestjs/common';
import { FilesystemBlobStore, type BlobStore } from '@tongban/blobs';
import { ExchangeSettings } from '../config/exchange-settings';

/** Injection token of the region's blob store (shared with intake, which stores the materials). */
export const BLOB_STORE = 'tongban.exchange.BlobStore';

export const blobStoreProvider: FactoryProvider<BlobStore> = {
  provide: BLOB_STORE,
  inject: [ExchangeSettings],
  useFactory: (settings: ExchangeSettings) => new FilesystemBlobStore(settings.blobDir),
};
