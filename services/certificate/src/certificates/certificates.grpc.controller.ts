import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CertificateServiceService,
  type CertificateServiceServer,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { GrpcHost, ServiceContext, unary } from '@tongban/service-kit';
import { VerificationService } from '../verification/verification.service';
import { CertificatesService } from './certificates.service';

/** The certificate API (GetCertificate, VerifyCertificate) for the console and partner desks. */
@Injectable()
export class CertificatesGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(GrpcHost) private readonly grpc: GrpcHost,
    @Inject(CertificatesService) private readonly certificates: CertificatesService,
    @Inject(VerificationService) private readonly verification: VerificationService,
  ) {}

  onModuleInit(): void {
    const { logger } = this.context;
    const implementation: CertificateServiceServer = {
      getCertificate: unary(logger, (request) => this.certificates.get(request.certificateId)),
      verifyCertificate: unary(logger, (request) => this.verification.verify(request)),
    };
    this.grpc.addService(CertificateServiceService, implementation);
  }
}
