import { Module } from '@nestjs/common';
import { VerificationService } from './verification.service';

/** The partner key directory is provided by AppModule (replaceable, e.g. in tests). */
@Module({ providers: [VerificationService], exports: [VerificationService] })
export class VerificationModule {}
