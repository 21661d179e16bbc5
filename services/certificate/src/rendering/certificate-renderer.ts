import { Inject, Injectable } from '@nestjs/common';
import {
  VerificationResult,
  type Certificate,
  type CertificateBody,
  type RenderCertificateRequest,
  type RenderCertificateResponse,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { findItem } from '@tongban/domain';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import { toString as qrCodeSvg } from 'qrcode';
import { CertificateError } from '../certificates/certificate-error';
import { issuerName } from '../certificates/issuer-name';
import { storedCertificate } from '../certificates/stored-certificate';
import { Clock } from '../clock';
import { PrismaService } from '../prisma/prisma.service';
import { VerificationService } from '../verification/verification.service';
import { certificatePage, verificationPayload, type PrintedItem } from './certificate-page';
import { PARTNER_CATALOGS, type PartnerCatalogs } from './partner-catalogs';

/**
 * What may be printed: a certificate whose signature checks out and whose issuer stands by it.
 * Revoked, expired or not yet valid ones are printed with that verdict stamped across them; a
 * forgery, an unknown issuer or one the issuer's library does not hold is not printed at all.
 */
const PRINTABLE = new Set<VerificationResult>([
  VerificationResult.VERIFICATION_RESULT_VALID,
  VerificationResult.VERIFICATION_RESULT_REVOKED,
  VerificationResult.VERIFICATION_RESULT_EXPIRED,
  VerificationResult.VERIFICATION_RESULT_NOT_YET_VALID,
]);

/**
 * RenderCertificate: the printable page of one of our certificates (by number) or of any
 * issuer's certificate the holder presents (the origin window prints a partner's certificate).
 * Every certificate is verified first, and the page shows the verdict, so a printout never
 * claims more than the verification found.
 */
@Injectable()
export class CertificateRenderer {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(VerificationService) private readonly verification: VerificationService,
    @Inject(PARTNER_CATALOGS) private readonly partnerCatalogs: PartnerCatalogs,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async render(request: RenderCertificateRequest): Promise<RenderCertificateResponse> {
    const certificate = await this.subject(request);
    return withSpan('certificate.render', {}, async (span) => {
      const checkedAt = this.clock.now();
      const verdict = await this.verification.verify({ certificate });
      const body = verdict.decoded;
      if (!body || !PRINTABLE.has(verdict.result)) {
        throw new CertificateError(
          'CERTIFICATE.NOT_AUTHENTIC',
          `该证照未通过核验，不能打印：${verdict.detail}`,
        );
      }
      span.setAttribute(CASE_ID_ATTRIBUTE, body.caseId);
      const qrPayload = verificationPayload(body.issuerRegion, body.verificationCode);
      const qrSvg = await qrCodeSvg(qrPayload, {
        type: 'svg',
        // M survives a smudged or folded printout; the payload is short, so the code stays small.
        errorCorrectionLevel: 'M',
        // The quiet zone the QR standard asks for, so phone scanners find the code on the page.
        margin: 4,
      });
      const html = certificatePage({
        body,
        keyId: certificate.keyId,
        issuer: issuerName(this.context.region, body.issuerRegion),
        item: await this.printedItem(body),
        verdict: { result: verdict.result, detail: verdict.detail, checkedAt },
        qrPayload,
        qrSvg,
      });
      return { html, qrPayload, qrSvg };
    });
  }

  private async subject(request: RenderCertificateRequest): Promise<Certificate> {
    if (request.certificate && request.certificate.body.length > 0) return request.certificate;
    const certificateId = request.certificateId?.trim() ?? '';
    if (certificateId === '') {
      throw new CertificateError(
        'CERTIFICATE.SUBJECT_REQUIRED',
        '请填写要打印的证照编号，或提供持证人出示的电子证照文件。',
      );
    }
    const stored = await this.prisma.certificate.findUnique({ where: { id: certificateId } });
    if (!stored) {
      throw new CertificateError(
        'CERTIFICATE.NOT_FOUND',
        `证照库中没有编号为 ${certificateId} 的证照，请核对证照编号；其他地区签发的证照请提供电子证照文件打印。`,
      );
    }
    return storedCertificate(stored);
  }

  /** The item with its form's labels: from our catalog, or the partner's as its exchange publishes it. */
  private async printedItem(body: CertificateBody): Promise<PrintedItem | undefined> {
    if (body.issuerRegion === this.context.regionCode) {
      const item = findItem(this.context.region, body.itemCode);
      if (!item) return undefined;
      return {
        name: item.name,
        // A two-level item's certificate is issued by the level that approves it.
        department: item.approvalDepartment ?? item.department,
        fields: item.fields.map((field) => ({
          name: field.name,
          label: field.label,
          values: new Map((field.values ?? []).map((value) => [value.value, value.label])),
        })),
      };
    }
    const item = await this.partnerCatalogs.itemOf(body.issuerRegion, body.itemCode);
    if (!item) return undefined;
    return {
      name: item.name,
      department: item.approvalDepartment || item.department,
      fields: item.fields.map((field) => ({
        name: field.name,
        label: field.label,
        values: new Map(field.values.map((value) => [value.value, value.label])),
      })),
    };
  }
}
