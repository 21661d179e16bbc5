import { Inject, Injectable } from '@nestjs/common';
import {
  CertificateBody,
  type GetCertificateResponse,
  type RevokeCertificateRequest,
  type RevokeCertificateResponse,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import {
  CertificateIssued,
  CertificateRevoked,
} from '@tongban/contracts/tongban/certificate/v1/events';
import type { CaseApproved } from '@tongban/contracts/tongban/review/v1/events';
import { chinaDay, findItem } from '@tongban/domain';
import {
  enqueueEvents,
  newEventMetadata,
  PoisonMessageError,
  type ConsumedEvent,
} from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import { Clock } from '../clock';
import { PrismaService } from '../prisma/prisma.service';
import { RegionSigner } from '../signing/region-signer';
import { CertificateError } from './certificate-error';
import { certificateDay, formatCertificateNumber } from './certificate-number';
import { issuerName } from './issuer-name';
import { toGetResponse } from './stored-certificate';
import { newVerificationCode } from './verification-code';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

const MS_PER_DAY = 24 * 60 * 60 * 1000;
/** A fresh 60-bit code colliding is not expected in the life of the universe; bounded anyway. */
const VERIFICATION_CODE_ATTEMPTS = 5;
/** A revocation reason is shown to the holder and every verifier, and travels in events. */
const REVOCATION_REASON_MAX_LENGTH = 500;
/** The issuer part of a certificate number (`<region>-CERT-…`). */
const CERTIFICATE_NUMBER_ISSUER = /^(\d{6})-CERT-/;

/**
 * The region's e-licence library: issues one signed certificate per approved case, answers for
 * the certificates it issued, and revokes them.
 */
@Injectable()
export class CertificatesService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(RegionSigner) private readonly signer: RegionSigner,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Issues the certificate of an approved case and publishes CertificateIssued, inside the
   * consumer's inbox transaction. A case that already has its certificate (the approval delivered
   * again under another event id) gets no second one.
   */
  async issue(event: ConsumedEvent<CaseApproved>, tx: Tx): Promise<void> {
    await withSpan(
      'certificate.issue',
      { attributes: { [CASE_ID_ATTRIBUTE]: event.payload.caseId } },
      () => this.issueInSpan(event, tx),
    );
  }

  private async issueInSpan(event: ConsumedEvent<CaseApproved>, tx: Tx): Promise<void> {
    const approved = event.payload;
    const { caseId } = approved;
    const holder = approved.applicant;
    if (!holder || holder.name.trim() === '' || holder.identifier.trim() === '') {
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        `CaseApproved of case ${caseId} names no holder (applicant name and identifier)`,
      );
    }
    const item = findItem(this.context.region, approved.itemCode);
    if (!item) {
      // Review decides only items of our catalog; anything else is a bug upstream.
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `Item ${approved.itemCode} is not in the catalog of ${this.context.regionCode}`,
      );
    }
    const existing = await tx.certificate.findUnique({ where: { caseId }, select: { id: true } });
    if (existing) {
      this.context.logger.info(
        { caseId, certificateId: existing.id },
        'case already has its certificate; approval ignored',
      );
      return;
    }

    const issuedAt = this.clock.now();
    const day = certificateDay(issuedAt);
    const id = formatCertificateNumber(this.context.regionCode, day, await nextSequence(tx, day));
    const body: CertificateBody = {
      certificateId: id,
      issuerRegion: this.context.regionCode,
      certificateType: item.certificateType,
      caseId,
      itemCode: item.code,
      holderName: holder.name,
      holderIdentifier: holder.identifier,
      fields: approved.fields,
      issuedAt,
      validFrom: issuedAt,
      validUntil:
        item.validityDays === undefined
          ? undefined
          : new Date(issuedAt.getTime() + item.validityDays * MS_PER_DAY),
      verificationCode: await uniqueVerificationCode(tx),
    };
    // These bytes are what is signed, stored and published; nothing re-encodes them later.
    const bytes = Buffer.from(CertificateBody.encode(body).finish());
    const signature = this.signer.sign(bytes);
    await tx.certificate.create({
      data: {
        id,
        caseId,
        originRegion: approved.originRegion,
        itemCode: item.code,
        certificateType: item.certificateType,
        holderName: body.holderName,
        holderIdentifier: body.holderIdentifier,
        verificationCode: body.verificationCode,
        issuedAt,
        validFrom: issuedAt,
        validUntil: body.validUntil ?? null,
        body: bytes,
        signature,
        keyId: this.signer.keyId,
      },
    });
    await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [
      {
        metadata: newEventMetadata({
          caseId,
          region: this.context.regionCode,
          service: this.context.service,
          causedBy: event.metadata,
        }),
        type: CertificateIssued,
        payload: {
          caseId,
          originRegion: approved.originRegion,
          certificateId: id,
          certificate: { body: bytes, signature, keyId: this.signer.keyId },
          delivery: approved.delivery,
        },
      },
    ]);
    this.context.logger.info(
      { caseId, certificateId: id, certificateType: item.certificateType },
      'certificate issued',
    );
  }

  async get(certificateId: string): Promise<GetCertificateResponse> {
    const stored = await this.prisma.certificate.findUnique({
      where: { id: certificateId.trim() },
      include: { revocation: true },
    });
    if (!stored) {
      throw new CertificateError(
        'CERTIFICATE.NOT_FOUND',
        `证照库中没有编号为 ${certificateId} 的证照，请核对证照编号（形如 ${this.context.regionCode}-CERT-20260101-000001）。`,
      );
    }
    return toGetResponse(stored);
  }

  /**
   * RevokeCertificate (注销): from then on VerifyCertificate answers REVOKED, and the origin
   * learns it from CertificateRevoked (enqueued in the same transaction). The row stays in the
   * library, so the certificate keeps answering for itself. Revoking a revoked certificate is
   * refused (CERTIFICATE.ALREADY_REVOKED) rather than answered as a success: a second clerk must
   * learn that the first revocation, with its reason, is the one that stands.
   */
  async revoke(request: RevokeCertificateRequest): Promise<RevokeCertificateResponse> {
    const certificateId = request.certificateId.trim();
    const reason = request.reason.trim();
    const revokedBy = request.revokedBy.trim();
    if (certificateId === '') {
      throw new CertificateError(
        'CERTIFICATE.ID_REQUIRED',
        `请填写要注销的证照编号（形如 ${this.context.regionCode}-CERT-20260101-000001）。`,
      );
    }
    // The issuer is part of the number: a partner's certificate can only be revoked by its issuer.
    const issuer = CERTIFICATE_NUMBER_ISSUER.exec(certificateId)?.[1];
    if (issuer !== undefined && issuer !== this.context.regionCode) {
      throw new CertificateError(
        'CERTIFICATE.NOT_ISSUED_HERE',
        `证照 ${certificateId} 由${issuerName(this.context.region, issuer)}签发，只能由签发地注销；请联系签发地办理。`,
      );
    }
    if (reason === '') {
      throw new CertificateError(
        'CERTIFICATE.REASON_REQUIRED',
        '注销证照须填写理由，理由将告知持证人和核验方。',
      );
    }
    if (reason.length > REVOCATION_REASON_MAX_LENGTH) {
      throw new CertificateError(
        'CERTIFICATE.REASON_TOO_LONG',
        `注销理由不能超过 ${REVOCATION_REASON_MAX_LENGTH} 字，请精简后重新提交（完整依据可另行存档）。`,
      );
    }
    if (revokedBy === '') {
      throw new CertificateError(
        'CERTIFICATE.REVOKER_REQUIRED',
        '操作人账号缺失，请重新登录后再注销证照。',
      );
    }
    return withSpan('certificate.revoke', {}, (span) =>
      this.prisma.$transaction(async (tx) => {
        // Lock the certificate: two clerks revoking at once get one revocation and one refusal,
        // and the reminder sweep (SKIP LOCKED) leaves it alone meanwhile.
        const locked = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM certificate WHERE id = ${certificateId} FOR UPDATE`;
        const stored =
          locked.length === 0
            ? null
            : await tx.certificate.findUnique({
                where: { id: certificateId },
                include: { revocation: true },
              });
        if (!stored) {
          throw new CertificateError(
            'CERTIFICATE.NOT_FOUND',
            `证照库中没有编号为 ${certificateId} 的证照，无法注销；请核对证照编号。`,
          );
        }
        span.setAttribute(CASE_ID_ATTRIBUTE, stored.caseId);
        if (stored.revocation) {
          throw new CertificateError(
            'CERTIFICATE.ALREADY_REVOKED',
            `证照 ${certificateId} 已于 ${chinaDay(stored.revocation.revokedAt).date} 注销，无需重复操作。`,
          );
        }
        const revokedAt = this.clock.now();
        await tx.certificateRevocation.create({
          data: { certificateId, revokedAt, revokedBy, reason },
        });
        await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [
          {
            metadata: newEventMetadata({
              caseId: stored.caseId,
              region: this.context.regionCode,
              service: this.context.service,
            }),
            type: CertificateRevoked,
            payload: {
              caseId: stored.caseId,
              originRegion: stored.originRegion,
              certificateId,
              reason,
              revokedAt,
            },
          },
        ]);
        this.context.logger.info(
          { caseId: stored.caseId, certificateId, revokedBy },
          'certificate revoked',
        );
        return { decoded: CertificateBody.decode(stored.body), revoked: true, revokedAt };
      }),
    );
  }
}

/** The next running number of `day`; the row lock serialises issuers until they commit. */
async function nextSequence(tx: Tx, day: string): Promise<number> {
  const rows = await tx.$queryRaw<{ last_value: number }[]>`
    INSERT INTO certificate_sequence (day, last_value) VALUES (${day}, 1)
    ON CONFLICT (day) DO UPDATE SET last_value = certificate_sequence.last_value + 1
    RETURNING last_value`;
  const value = rows[0]?.last_value;
  if (value === undefined) throw new Error('certificate_sequence returned no row');
  return value;
}

/** A verification code no certificate of ours carries yet (the unique index is the final guard). */
async function uniqueVerificationCode(tx: Tx): Promise<string> {
  for (let attempt = 0; attempt < VERIFICATION_CODE_ATTEMPTS; attempt += 1) {
    const code = newVerificationCode();
    const taken = await tx.certificate.findUnique({
      where: { verificationCode: code },
      select: { id: true },
    });
    if (!taken) return code;
  }
  throw new Error('no free verification code after several attempts');
}
