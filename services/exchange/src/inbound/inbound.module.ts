import { Module } from '@nestjs/common';
import { BlobReceiver } from './blob-receiver.service';
import { InboundService } from './inbound.service';
import { PartnerExchangeGrpcController } from './partner-exchange.grpc.controller';

@Module({ providers: [InboundService, BlobReceiver, PartnerExchangeGrpcController] })
export class InboundModule {}
