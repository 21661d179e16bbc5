import { Inject, Injectable } from '@nestjs/common';
import type { BlobStore } from '@tongban/blobs';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import {
  MaterialUpload,
  SubmitCaseRequest,
  type AcceptRenewalOfferRequest,
  type ListRenewalOffersRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { ServiceContext } from '@tongban/service-kit';
import type { RenewalOffer } from '../../prisma/generated/client';
import { PartnerCatalogService } from '../catalog/partner-catalog.service';
import { WITH_HISTORY, type CaseWithHistory } from '../cases/case-view';
import { IntakeError } from '../cases/intake-error';
import { SubmissionService } from '../cases/submission.service';
import { BLOB_STORE } from '../materials/blob-store.provider';
import { PrismaService } from '../prisma/prisma.service';

/** The renewal item's field that names the certificate being renewed. */
const PREVIOUS_CERTIFICATE_FIELD = 'previous_certificate_id';

/**
 * Renewals offered because a certificate expires soon (无感智办): the applicant confirms the
 * pre-filled form at the window and it becomes a case like any other — through the same checks,
 * linked to the certificate it renews. An offer becomes one case, however often it is accepted.
 */
@Injectable()
export class RenewalsService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(PartnerCatalogService) private readonly catalog: PartnerCatalogService,
    @Inject(SubmissionService) private readonly submission: SubmissionService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /** Newest first; open ones are neither accepted nor revoked. */
  list(request: ListRenewalOffersRequest): Promise<RenewalOffer[]> {
    return this.prisma.renewalOffer.findMany({
      where: request.openOnly ? { renewalCaseId: null, revokedAt: null } : {},
      orderBy: [{ offeredAt: 'desc' }, { id: 'asc' }],
    });
  }

  async accept(request: AcceptRenewalOfferRequest): Promise<CaseWithHistory> {
    // Offer ids are UUIDs; anything else cannot name one (and would not cast in the query).
    const offer = isUuid(request.offerId)
      ? await this.prisma.renewalOffer.findUnique({ where: { id: request.offerId } })
      : null;
    if (!offer) {
      throw new IntakeError(
        'INTAKE.OFFER_NOT_FOUND',
        `延续办理邀请 ${request.offerId.slice(0, 40)} 不存在，请从“待延续证照”列表中重新选择。`,
      );
    }
    if (offer.renewalCaseId) {
      return this.prisma.intakeCase.findUniqueOrThrow({
        where: { id: offer.renewalCaseId },
        include: WITH_HISTORY,
      });
    }
    if (offer.revokedAt) {
      throw new IntakeError(
        'INTAKE.CERTIFICATE_REVOKED',
        `证照 ${offer.certificateId} 已被发证机关撤销，不能办理延续；如需继续经营，请重新申请许可。`,
      );
    }
    const expiring = await this.prisma.intakeCase.findUniqueOrThrow({
      where: { id: offer.caseId },
      include: WITH_HISTORY,
    });
    const submitted = CaseSubmitted.decode(expiring.submission);
    const partnerName =
      this.context.region.partners.find((partner) => partner.code === offer.handlingRegion)?.name ??
      offer.handlingRegion;
    const item = await this.catalog.item(offer.handlingRegion, partnerName, offer.itemCode);

    // The form as the renewal item has it: the expiring case's answers where the renewal asks
    // the same, the certificate it renews, then what the applicant confirmed or changed.
    const asked = new Set(item.fields.map((field) => field.name));
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(submitted.fields)) {
      if (asked.has(name)) fields[name] = value;
    }
    if (asked.has(PREVIOUS_CERTIFICATE_FIELD)) {
      fields[PREVIOUS_CERTIFICATE_FIELD] = offer.certificateId;
    }
    Object.assign(fields, request.fields);

    // An agent's authorization goes along with the agent: the renewal is applied for by the same
    // person on the same authority, and nothing else is handed in again.
    const authorization = submitted.agent?.authorizationMaterial;
    const materials: MaterialUpload[] = [];
    for (const material of expiring.materials) {
      if (material.round !== 0 || material.code !== authorization) continue;
      materials.push(
        MaterialUpload.fromPartial({
          code: material.code,
          name: material.name,
          contentType: material.contentType,
          content: await this.blobs.get(material.sha256),
        }),
      );
    }

    const renewal = SubmitCaseRequest.fromPartial({
      // One case per offer: a second acceptance, even racing the first, returns it.
      idempotencyKey: `renewal-offer:${offer.id}`,
      handlingRegion: offer.handlingRegion,
      itemCode: offer.itemCode,
      applicant: submitted.applicant,
      materials,
      delivery: request.delivery ?? submitted.delivery,
      channel: request.channel,
      fields,
      submittedBy: request.submittedBy,
      agent: submitted.agent,
      materialsPickup: item.originalsRequired ? submitted.materialsPickup : undefined,
    });
    return this.submission.submit(renewal, {
      renewsCertificateId: offer.certificateId,
      replayWhateverTheContent: true,
      onRecorded: async (tx, caseId) => {
        await tx.renewalOffer.update({
          where: { id: offer.id },
          data: { renewalCaseId: caseId },
        });
      },
    });
  }
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
