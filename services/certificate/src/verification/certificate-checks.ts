import {
  CertificateBody,
  VerificationResult,
  type Certificate,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { chinaDay } from '@tongban/domain';
import { verify } from '@tongban/trust';
import type { IssuerKeys } from './partner-key-directory';

/** A verification's answer: the result and the sentence the verifier reads. */
export interface Verdict {
  result: VerificationResult;
  detail: string;
}

export interface JudgeInput {
  certificate: Certificate;
  /** `certificate.body`, decoded. */
  body: CertificateBody;
  /** The issuer's published keys. */
  keys: IssuerKeys;
  /** The issuer as the verifier knows it, e.g. 潜江市 (429005). */
  issuerName: string;
  now: Date;
  /** Ours from our library; a partner's when its issuer notified us over the exchange. */
  revocation?: { revokedAt: Date; reason: string };
}

/** The body of a presented certificate, or undefined when the bytes are not one. */
export function decodeBody(bytes: Uint8Array): CertificateBody | undefined {
  try {
    return CertificateBody.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Judges a certificate whose issuer is known, in order of severity: the signature (over exactly
 * the presented body bytes, with the key the certificate names, not retired before it was
 * issued), then revocation, then the validity window. The first failure is the answer.
 */
export function judge(input: JudgeInput): Verdict {
  const { certificate, body, keys, issuerName, now } = input;
  const key = keys.get(certificate.keyId);
  if (!key) {
    return {
      result: VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
      detail: `签名核验未通过：${issuerName}未公布签署该证照的密钥（${certificate.keyId || '未注明'}），请勿采信。`,
    };
  }
  if (!verify(certificate.body, certificate.signature, key.publicKey)) {
    return {
      result: VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
      detail: `签名核验未通过：证照内容与${issuerName}的电子签名不符，可能被篡改，请勿采信。`,
    };
  }
  // A retired key may have leaked: what it signed after retirement proves nothing.
  if (key.validUntil && (!body.issuedAt || body.issuedAt > key.validUntil)) {
    return {
      result: VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
      detail: `签名核验未通过：签署该证照的密钥已于 ${day(key.validUntil)} 停用，此后签发的证照不予采信。`,
    };
  }
  if (input.revocation) {
    return {
      result: VerificationResult.VERIFICATION_RESULT_REVOKED,
      detail: `证照已于 ${day(input.revocation.revokedAt)} 注销：${input.revocation.reason}`,
    };
  }
  const validFrom = body.validFrom ?? body.issuedAt;
  if (validFrom && now < validFrom) {
    return {
      result: VerificationResult.VERIFICATION_RESULT_NOT_YET_VALID,
      detail: `证照尚未生效，生效日期为 ${day(validFrom)}。`,
    };
  }
  if (body.validUntil && now >= body.validUntil) {
    return {
      result: VerificationResult.VERIFICATION_RESULT_EXPIRED,
      detail: `证照已过期，有效期至 ${day(body.validUntil)}。`,
    };
  }
  return {
    result: VerificationResult.VERIFICATION_RESULT_VALID,
    detail:
      `证照有效：${body.certificateType}（编号 ${body.certificateId}），由${issuerName}签发，` +
      `${body.validUntil ? `有效期至 ${day(body.validUntil)}` : '长期有效'}。`,
  };
}

/** A date as printed on certificates: the day in China Standard Time. */
function day(instant: Date): string {
  return chinaDay(instant).date;
}
