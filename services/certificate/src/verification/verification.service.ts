import type { Span } from '@opentelemetry/api';
import { Inject, Injectable } from '@nestjs/common';
import {
  VerificationResult,
  type Certificate,
  type CertificateBody,
  type VerificationCode,
  type VerifyCertificateRequest,
  type VerifyCertificateResponse,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import { CertificateError } from '../certificates/certificate-error';
import { issuerName } from '../certificates/issuer-name';
import { storedCertificate } from '../certificates/stored-certificate';
import {
  formatVerificationCode,
  normalizeVerificationCode,
} from '../certificates/verification-code';
import { Clock } from '../clock';
import { PrismaService } from '../prisma/prisma.service';
import { RegionSigner } from '../signing/region-signer';
import { decodeBody, judge, type Verdict } from './certificate-checks';
import { PartnerRevocations } from './partner-revocations';
import {
  PARTNER_KEY_DIRECTORY,
  type IssuerKeys,
  type PartnerKeyDirectory,
} from './partner-key-directory';

const REGION_CODE = /^\d{6}$/;

/** The case a verified certificate belongs to, and the verdict, on the span (no holder data). */
function traced(span: Span, response: VerifyCertificateResponse): VerifyCertificateResponse {
  if (response.decoded) span.setAttribute(CASE_ID_ATTRIBUTE, response.decoded.caseId);
  span.setAttribute('certificate.verification_result', VerificationResult[response.result]);
  return response;
}

/**
 * VerifyCertificate: a certificate presented by its holder (ours or a partner's), or one of ours
 * found by its verification code. Our certificates are checked with our own key and against our
 * library (revocation); partners' with the keys their region published, fetched through our
 * exchange, and against the revocations their issuers notified us of over the exchange. The
 * answer is a verdict, never an error, whenever there is something to judge.
 */
@Injectable()
export class VerificationService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(RegionSigner) private readonly signer: RegionSigner,
    @Inject(PARTNER_KEY_DIRECTORY) private readonly partners: PartnerKeyDirectory,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(PartnerRevocations) private readonly partnerRevocations: PartnerRevocations,
  ) {}

  async verify(request: VerifyCertificateRequest): Promise<VerifyCertificateResponse> {
    if (request.certificate && request.certificate.body.length > 0) {
      const { certificate } = request;
      return withSpan(
        'certificate.verify',
        { attributes: { 'certificate.verify_by': 'certificate' } },
        async (span) => traced(span, await this.verifyPresented(certificate)),
      );
    }
    if (request.code) {
      const { code } = request;
      return withSpan(
        'certificate.verify',
        { attributes: { 'certificate.verify_by': 'code' } },
        async (span) => traced(span, await this.verifyByCode(code)),
      );
    }
    throw new CertificateError(
      'CERTIFICATE.SUBJECT_REQUIRED',
      '请提供要核验的电子证照文件，或填写签发地代码和证照上的验证码。',
    );
  }

  private async verifyPresented(certificate: Certificate): Promise<VerifyCertificateResponse> {
    const body = decodeBody(certificate.body);
    if (!body) {
      return {
        result: VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE,
        decoded: undefined,
        detail: '证照数据已损坏，无法解析，请勿采信。',
      };
    }
    const issuer = body.issuerRegion;
    if (issuer === this.context.regionCode) {
      const stored = await this.prisma.certificate.findUnique({
        where: { id: body.certificateId },
        include: { revocation: true },
      });
      const verdict = this.judgeOwn(certificate, body, stored?.revocation ?? null);
      // Correctly signed, yet not in our library: our key signed outside this service. Do not
      // vouch for it. (A bad signature is the stronger finding and is answered as such.)
      if (!stored && verdict.result !== VerificationResult.VERIFICATION_RESULT_BAD_SIGNATURE) {
        return {
          result: VerificationResult.VERIFICATION_RESULT_NOT_FOUND,
          decoded: body,
          detail: `${this.issuerName(issuer)}证照库中没有编号为 ${body.certificateId} 的证照，请勿采信。`,
        };
      }
      return this.answer(body, verdict);
    }
    let keys = await this.partnerKeys(issuer);
    if (!keys) {
      return {
        result: VerificationResult.VERIFICATION_RESULT_UNKNOWN_ISSUER,
        decoded: body,
        detail: issuer
          ? `签发地 ${issuer} 不是本地区的合作地区，无法取得其公钥核验该证照。`
          : '证照未注明签发地，无法核验。',
      };
    }
    if (!keys.has(certificate.keyId)) {
      // Perhaps the partner rotated its key since we fetched its keys: ask once more.
      keys = (await this.partners.keysOf(issuer, { refresh: true })) ?? keys;
    }
    return this.answer(
      body,
      judge({
        certificate,
        body,
        keys,
        issuerName: this.issuerName(issuer),
        now: this.clock.now(),
        // Weighed only once the signature checked out: a forgery stays BAD_SIGNATURE.
        revocation: await this.partnerRevocations.find(issuer, body.certificateId),
      }),
    );
  }

  private async verifyByCode(code: VerificationCode): Promise<VerifyCertificateResponse> {
    const issuer = code.issuerRegion.trim();
    if (!REGION_CODE.test(issuer)) {
      throw new CertificateError(
        'CERTIFICATE.INVALID_ISSUER_REGION',
        '签发地代码应为 6 位行政区划代码，例如 429005，请核对证照上的签发地。',
      );
    }
    const canonical = normalizeVerificationCode(code.verificationCode);
    if (!canonical) {
      throw new CertificateError(
        'CERTIFICATE.INVALID_VERIFICATION_CODE',
        '验证码应为证照上印制的 12 位字母和数字（如 7K3M-Q9TX-2HRB），请核对后重新输入。',
      );
    }
    if (issuer !== this.context.regionCode) {
      // Only the issuer's library can look a code up; the exchange offers no such call.
      throw new CertificateError(
        'CERTIFICATE.CODE_NOT_VERIFIABLE_HERE',
        `该证照由${this.issuerName(issuer)}签发，验证码只能在签发地核验；请持证人出示电子证照文件，在此按文件核验。`,
      );
    }
    const stored = await this.prisma.certificate.findUnique({
      where: { verificationCode: canonical },
      include: { revocation: true },
    });
    if (!stored) {
      return {
        result: VerificationResult.VERIFICATION_RESULT_NOT_FOUND,
        decoded: undefined,
        detail: `${this.issuerName(issuer)}证照库中没有验证码为 ${formatVerificationCode(canonical)} 的证照，请核对验证码。`,
      };
    }
    const certificate = storedCertificate(stored);
    const body = decodeBody(stored.body);
    if (!body) throw new Error(`stored certificate ${stored.id} does not decode`);
    // The stored copy is verified like a presented one: a row changed in the database fails.
    return this.answer(body, this.judgeOwn(certificate, body, stored.revocation));
  }

  private judgeOwn(
    certificate: Certificate,
    body: CertificateBody,
    revocation: { revokedAt: Date; reason: string } | null,
  ): Verdict {
    return judge({
      certificate,
      body,
      keys: this.signer.ownKeys(),
      issuerName: this.issuerName(this.context.regionCode),
      now: this.clock.now(),
      revocation: revocation ?? undefined,
    });
  }

  /** Keys of a partner region; undefined for a region that is not our partner. */
  private async partnerKeys(region: string): Promise<IssuerKeys | undefined> {
    // The region file lists our partners; asking the exchange about others is pointless.
    if (!this.context.region.partners.some((partner) => partner.code === region)) return undefined;
    return this.partners.keysOf(region);
  }

  private issuerName(region: string): string {
    return issuerName(this.context.region, region);
  }

  private answer(body: CertificateBody, verdict: Verdict): VerifyCertificateResponse {
    return { result: verdict.result, decoded: body, detail: verdict.detail };
  }
}
