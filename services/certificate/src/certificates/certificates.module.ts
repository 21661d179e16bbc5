import { Module } from '@nestjs/common';
import { VerificationModule } from '../verification/verification.module';
import { CertificatesGrpcController } from './certificates.grpc.controller';
import { CertificatesKafkaController } from './certificates.kafka.controller';
import { CertificatesService } from './certificates.service';

@Module({
  imports: [VerificationModule],
  providers: [CertificatesService, CertificatesKafkaController, CertificatesGrpcController],
  exports: [CertificatesService],
})
export class CertificatesModule {}
