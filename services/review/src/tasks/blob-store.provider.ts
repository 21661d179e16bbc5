import type { FactoryProvider } from '@nestjs/common';
import { FilesystemBlobStore, type BlobStore } from '@tongban/blobs';
import { ServiceContext } from '@tongban/service-kit';
import { blobDirectory, type ReviewConfig } from '../review-config';

/** Injection token of the region's blob store (the exchange stores what partners send there). */
export const BLOB_STORE = Symbol('BlobStore');

export const blobStoreProvider: FactoryProvider<BlobStore> = {
  provide: BLOB_STORE,
  inject: [ServiceContext],
  useFactory: (context: ServiceContext<ReviewConfig>) =>
    new FilesystemBlobStore(blobDirectory(context.config)),
};
