import { describe, expect, it } from 'vitest';
import {
  CertificateBody,
  VerificationResult,
  type Certificate,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '@tongban/trust';
import { decodeBody, judge, type JudgeInput } from './certificate-checks';
import type { IssuerKey } from './partner-key-directory';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2027-03-01T02:00:00Z');
const issuer = generateSigningKeyPair();

function certificate(
  body: Partial<CertificateBody> = {},
  key: SigningKeyPair = issuer,
): { certificate: Certificate; body: CertificateBody } {
  const full = CertificateBody.fromPartial({
    certificateId: '429005-CERT-20270101-000001',
    issuerRegion: '429005',
    certificateType: '食品经营许可证',
    issuedAt: new Date('2027-01-01T02:00:00Z'),
    validFrom: new Date('2027-01-01T02:00:00Z'),
    validUntil: new Date('2032-01-01T02:00:00Z'),
    verificationCode: '7K3MQ9TX2HRB',
    ...body,
  });
  const bytes = Buffer.from(CertificateBody.encode(full).finish());
  return {
    certificate: { body: bytes, signature: sign(bytes, key.privateKey), keyId: key.keyId },
    body: full,
  };
}

function keys(key: Partial<IssuerKey> = {}): Map<string, IssuerKey> {
  return new Map([[issuer.keyId, { keyId: issuer.keyId, publicKey: issuer.publicKey, ...key }]]);
}

function run(input: Partial<JudgeInput> & Pick<JudgeInput, 'certificate' | 'body'>) {
  return judge({ keys: keys(), issuerName: '潜江市（429005）', now, ...input });
}

describe('judging a certificate', () => {
  it('is VALID when signed, in force and not revoked', () => {
    const verdict = run(certificate());
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
    expect(verdict.detail).toBe(
      '证照有效：食品经营许可证（编号 429005-CERT-20270101-000001），由潜江市（429005）签发，有效期至 2032-01-01。',
    );
  });

  it('says 长期有效 for a certificate without end date', () => {
    expect(run(certificate({ validUntil: undefined })).detail).toContain('长期有效');
  });

  it('is BAD_SIGNATURE when one byte of the body changed', () => {
    const signed = certificate();
    const body = Buffer.from(signed.certificate.body);
    body[3]! ^= 0x20;
    const verdict = run({ ...signed, certificate: { ...signed.certificate, body } });
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE);
  });

  it('is BAD_SIGNATURE when signed by another key under the issuer’s key id', () => {
    const forged = certificate({}, generateSigningKeyPair());
    const verdict = run({
      ...forged,
      certificate: { ...forged.certificate, keyId: issuer.keyId },
    });
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE);
  });

  it('is BAD_SIGNATURE when the issuer never published the key it names', () => {
    const verdict = run(certificate({}, generateSigningKeyPair()));
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE);
    expect(verdict.detail).toContain('未公布');
  });

  it('is BAD_SIGNATURE when issued after its key was retired', () => {
    const verdict = run({
      ...certificate(),
      keys: keys({ validUntil: new Date('2026-12-31T00:00:00Z') }),
    });
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE);
    expect(verdict.detail).toContain('停用');
  });

  it('still trusts what a retired key signed before it was retired', () => {
    const verdict = run({
      ...certificate(),
      keys: keys({ validUntil: new Date('2027-02-01T00:00:00Z') }),
    });
    expect(verdict.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
  });

  it('is REVOKED before expiry is even considered', () => {
    const verdict = run({
      ...certificate({ validUntil: new Date(now.getTime() - DAY) }),
      revocation: { revokedAt: new Date('2027-02-01T03:00:00Z'), reason: '经营场所已变更。' },
    });
    expect(verdict).toEqual({
      result: VerificationResult.VERIFICATION_RESULT_REVOKED,
      detail: '证照已于 2027-02-01 注销：经营场所已变更。',
    });
  });

  it('is EXPIRED from the instant valid_until is reached', () => {
    const validUntil = new Date(now);
    expect(run(certificate({ validUntil })).result).toBe(
      VerificationResult.VERIFICATION_RESULT_EXPIRED,
    );
    expect(run({ ...certificate({ validUntil }), now: new Date(now.getTime() - 1) }).result).toBe(
      VerificationResult.VERIFICATION_RESULT_VALID,
    );
  });

  it('is NOT_YET_VALID before valid_from, dated in China time', () => {
    const verdict = run(certificate({ validFrom: new Date('2027-03-01T16:30:00Z') }));
    expect(verdict).toEqual({
      result: VerificationResult.VERIFICATION_RESULT_NOT_YET_VALID,
      detail: '证照尚未生效，生效日期为 2027-03-02。',
    });
  });

  it('decodes nothing from bytes that are not a certificate body', () => {
    expect(decodeBody(Buffer.from([0xff, 0xff, 0xff]))).toBeUndefined();
  });
});
