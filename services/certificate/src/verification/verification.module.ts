import { Module } from '@nestjs/common';
import { PartnerRevocations } from './partner-revocations';
import { PartnerRevocationsKafkaController } from './partner-revocations.kafka.controller';
import { VerificationService } from './verification.service';

/** The partner key directory is provided by AppModule (replaceable, e.g. in tests). */
@Module({
  providers: [VerificationService, PartnerRevocations, PartnerRevocationsKafkaController],
  exports: [VerificationService],
})
export class VerificationModule {}
