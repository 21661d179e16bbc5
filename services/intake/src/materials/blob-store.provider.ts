import type { Provider } from '@nestjs/common';
import { FilesystemBlobStore, type BlobStore } from '@tongban/blobs';
import { IntakeSettings } from '../intake-settings';

/** Injection token of the region's material store (a file system here; an object store later). */
export const BLOB_STORE = Symbol('BlobStore');

export const blobStoreProvider: Provider<BlobStore> = {
  provide: BLOB_STORE,
  inject: [IntakeSettings],
  useFactory: (settings: IntakeSettings) => new FilesystemBlobStore(settings.blobDir),
};
