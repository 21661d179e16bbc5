import { Module } from '@nestjs/common';
import { DirectoryGrpcController } from './directory.grpc.controller';

/** DirectoryService itself is shared (ExchangeCoreModule): unknown key ids refresh through it. */
@Module({ providers: [DirectoryGrpcController] })
export class DirectoryModule {}
