import { Module } from '@nestjs/common';
import { BLOB_STORE, blobStoreProvider } from './blob-store.provider';

@Module({ providers: [blobStoreProvider], exports: [BLOB_STORE] })
export class MaterialsModule {}
