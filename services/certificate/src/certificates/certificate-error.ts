import { status } from '@grpc/grpc-js';
import type { CodedError } from '@tongban/service-kit';

export type CertificateErrorCode =
  | 'CERTIFICATE.NOT_FOUND'
  | 'CERTIFICATE.SUBJECT_REQUIRED'
  | 'CERTIFICATE.INVALID_ISSUER_REGION'
  | 'CERTIFICATE.INVALID_VERIFICATION_CODE'
  | 'CERTIFICATE.CODE_NOT_VERIFIABLE_HERE'
  | 'CERTIFICATE.ISSUER_KEYS_UNAVAILABLE'
  | 'CERTIFICATE.ALREADY_REVOKED'
  | 'CERTIFICATE.REASON_REQUIRED'
  | 'CERTIFICATE.REVOKER_REQUIRED'
  | 'CERTIFICATE.ID_REQUIRED'
  | 'CERTIFICATE.NOT_ISSUED_HERE'
  | 'CERTIFICATE.REASON_TOO_LONG'
  | 'CERTIFICATE.NOT_AUTHENTIC'
  | 'CERTIFICATE.INVALID_WITHIN_DAYS';

const STATUS: Record<CertificateErrorCode, status> = {
  'CERTIFICATE.NOT_FOUND': status.NOT_FOUND,
  'CERTIFICATE.SUBJECT_REQUIRED': status.INVALID_ARGUMENT,
  'CERTIFICATE.INVALID_ISSUER_REGION': status.INVALID_ARGUMENT,
  'CERTIFICATE.INVALID_VERIFICATION_CODE': status.INVALID_ARGUMENT,
  'CERTIFICATE.CODE_NOT_VERIFIABLE_HERE': status.FAILED_PRECONDITION,
  'CERTIFICATE.ISSUER_KEYS_UNAVAILABLE': status.UNAVAILABLE,
  'CERTIFICATE.ALREADY_REVOKED': status.FAILED_PRECONDITION,
  'CERTIFICATE.REASON_REQUIRED': status.INVALID_ARGUMENT,
  'CERTIFICATE.REVOKER_REQUIRED': status.INVALID_ARGUMENT,
  'CERTIFICATE.ID_REQUIRED': status.INVALID_ARGUMENT,
  'CERTIFICATE.NOT_ISSUED_HERE': status.FAILED_PRECONDITION,
  'CERTIFICATE.REASON_TOO_LONG': status.INVALID_ARGUMENT,
  'CERTIFICATE.NOT_AUTHENTIC': status.FAILED_PRECONDITION,
  'CERTIFICATE.INVALID_WITHIN_DAYS': status.INVALID_ARGUMENT,
};

/**
 * A refused certificate request; the message is for the clerk at the window (or the verifier at
 * a partner's counter) and says what to do next.
 */
export class CertificateError extends Error implements CodedError {
  readonly grpcStatus: status;

  constructor(
    readonly code: CertificateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateError';
    this.grpcStatus = STATUS[code];
  }
}
