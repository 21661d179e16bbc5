import { Inject, Injectable } from '@nestjs/common';
import { TimelineKind } from '@tongban/contracts/tongban/case/v1/case';
import type { RemoteNotice } from '@tongban/contracts/tongban/exchange/v1/events';
import type { ConsumedEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import { Clock } from '../clock';
import { PrismaService } from '../prisma/prisma.service';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

const REGION_CODE = /^\d{6}$/;
/** What the holder and every verifier read when the issuer gave no reason. */
const NO_REASON = '签发地未注明注销原因。';

/** A partner's revocation of one of its certificates, as verification needs it. */
export interface PartnerRevocation {
  revokedAt: Date;
  reason: string;
}

/**
 * Revocations of partners' certificates, learned from the issuers' CERTIFICATE_REVOKED notices
 * that our exchange publishes as RemoteNotice (push): so we know the revocations of certificates
 * issued for cases that came from our window, which are the partner certificates our clerks see
 * most. A revocation is filed under the region that sent the notice, which is the only one that
 * can revoke its certificates: a notice never revokes another issuer's certificate.
 */
@Injectable()
export class PartnerRevocations {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Whether the notice revokes a partner's certificate. The exchange publishes every notice of the
   * cases from our window (tracking, deadlines, renewal offers…); only revocations concern us.
   */
  isPartnerRevocation(event: ConsumedEvent<RemoteNotice>): boolean {
    const { notice, handlingRegion, caseId } = event.payload;
    if (notice?.kind !== TimelineKind.TIMELINE_KIND_CERTIFICATE_REVOKED) return false;
    if (notice.certificateId.trim() === '' || !REGION_CODE.test(handlingRegion)) {
      this.context.logger.warn(
        { caseId, eventId: event.metadata.eventId, handlingRegion },
        'certificate revocation notice names no certificate or no issuer; ignored',
      );
      return false;
    }
    // Our own certificates are revoked in our library, never by a notice.
    return handlingRegion !== this.context.regionCode;
  }

  /**
   * Records the revocation, inside the consumer's inbox transaction. A second notice for the same
   * certificate (under another event id) changes nothing: the first revocation stands, as it does
   * at the issuer.
   */
  async record(event: ConsumedEvent<RemoteNotice>, tx: Tx): Promise<void> {
    const { caseId, handlingRegion, notice } = event.payload;
    // Routed here only when isPartnerRevocation() held, which needs the notice.
    if (!notice) return;
    await withSpan(
      'certificate.partner_revocation',
      { attributes: { [CASE_ID_ATTRIBUTE]: caseId } },
      async () => {
        const certificateId = notice.certificateId.trim();
        const recorded = await tx.partnerCertificateRevocation.createMany({
          data: [
            {
              issuerRegion: handlingRegion,
              certificateId,
              // The issuer's instant; the event's when an issuer's exchange left it out.
              revokedAt: notice.at ?? event.metadata.occurredAt,
              reason: notice.note.trim() || NO_REASON,
              caseId,
              exchangeEventId: event.metadata.eventId,
              recordedAt: this.clock.now(),
            },
          ],
          skipDuplicates: true,
        });
        this.context.logger.info(
          { caseId, certificateId, issuer: handlingRegion, recorded: recorded.count === 1 },
          recorded.count === 1
            ? 'partner revoked its certificate'
            : 'partner revocation known already; notice ignored',
        );
      },
    );
  }

  /** The issuer's revocation of its certificate, if it told us. */
  async find(issuerRegion: string, certificateId: string): Promise<PartnerRevocation | undefined> {
    const found = await this.prisma.partnerCertificateRevocation.findUnique({
      where: { issuerRegion_certificateId: { issuerRegion, certificateId } },
      select: { revokedAt: true, reason: true },
    });
    return found ?? undefined;
  }
}
