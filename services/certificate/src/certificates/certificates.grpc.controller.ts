import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CertificateServiceService,
  type CertificateServiceServer,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { ExpiryReminders } from '../expiry/expiry-reminders';
import { CertificateRenderer } from '../rendering/certificate-renderer';
import { VerificationService } from '../verification/verification.service';
import { CertificatesService } from './certificates.service';

/** The certificate API for the console, the windows and partner desks. */
@Injectable()
export class CertificatesGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(CertificatesService) private readonly certificates: CertificatesService,
    @Inject(VerificationService) private readonly verification: VerificationService,
    @Inject(CertificateRenderer) private readonly renderer: CertificateRenderer,
    @Inject(ExpiryReminders) private readonly expiry: ExpiryReminders,
  ) {}

  onModuleInit(): void {
    const { logger } = this.context;
    const implementation: CertificateServiceServer = {
      getCertificate: unary(logger, (request) => this.certificates.get(request.certificateId)),
      verifyCertificate: unary(logger, (request) => this.verification.verify(request)),
      revokeCertificate: unary(logger, (request) => this.certificates.revoke(request)),
      renderCertificate: unary(logger, (request) => this.renderer.render(request)),
      listExpiring: unary(logger, (request) => this.expiry.listExpiring(request.withinDays)),
    };
    this.grpc.addService(CertificateServiceService, implementation);
  }
}
