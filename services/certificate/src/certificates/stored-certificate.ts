import {
  CertificateBody,
  type Certificate as ProtoCertificate,
  type GetCertificateResponse,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import type { Certificate, CertificateRevocation } from '../../prisma/generated/client';

/** GetCertificate's answer for a certificate of our library. */
export function toGetResponse(
  stored: Certificate & { revocation: CertificateRevocation | null },
): GetCertificateResponse {
  return {
    certificate: storedCertificate(stored),
    decoded: CertificateBody.decode(stored.body),
    revoked: stored.revocation !== null,
  };
}

/** The signed certificate as stored: the body bytes exactly as signed. */
export function storedCertificate(stored: Certificate): ProtoCertificate {
  return {
    body: Buffer.from(stored.body),
    signature: Buffer.from(stored.signature),
    keyId: stored.keyId,
  };
}
