import { Module } from '@nestjs/common';
import { ExpiryReminders } from '../expiry/expiry-reminders';
import { CertificateRenderer } from '../rendering/certificate-renderer';
import { VerificationModule } from '../verification/verification.module';
import { CertificatesGrpcController } from './certificates.grpc.controller';
import { CertificatesKafkaController } from './certificates.kafka.controller';
import { CertificatesService } from './certificates.service';

@Module({
  imports: [VerificationModule],
  providers: [
    CertificatesService,
    ExpiryReminders,
    CertificateRenderer,
    CertificatesKafkaController,
    CertificatesGrpcController,
  ],
  exports: [CertificatesService, ExpiryReminders],
})
export class CertificatesModule {}
