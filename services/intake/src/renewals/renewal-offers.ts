import { randomUUID } from 'node:crypto';
import type { RenewalOffer as ProtoRenewalOffer } from '@tongban/contracts/tongban/intake/v1/intake';
import type { RenewalOffer } from '../../prisma/generated/client';
import type { PrismaTx } from '../prisma/prisma.service';

/**
 * Records the renewal the issuer offers for a certificate of one of our cases (无感智办). One
 * offer per certificate of a case: a reminder sent again leaves the first offer as it is.
 */
export async function recordRenewalOffer(
  tx: PrismaTx,
  offer: {
    caseId: string;
    handlingRegion: string;
    certificateId: string;
    itemCode: string;
    validUntil: Date;
    offeredAt: Date;
  },
): Promise<void> {
  await tx.renewalOffer.createMany({
    data: [{ id: randomUUID(), ...offer }],
    skipDuplicates: true,
  });
}

/** The issuer revoked the certificate: its open offers can no longer be accepted. */
export async function revokeRenewalOffers(
  tx: PrismaTx,
  caseId: string,
  certificateId: string | null,
  revokedAt: Date,
): Promise<void> {
  await tx.renewalOffer.updateMany({
    where: {
      caseId,
      renewalCaseId: null,
      revokedAt: null,
      ...(certificateId ? { certificateId } : {}),
    },
    data: { revokedAt },
  });
}

export function toRenewalOfferProto(row: RenewalOffer): ProtoRenewalOffer {
  return {
    offerId: row.id,
    caseId: row.caseId,
    certificateId: row.certificateId,
    handlingRegion: row.handlingRegion,
    itemCode: row.itemCode,
    validUntil: row.validUntil,
    offeredAt: row.offeredAt,
    renewalCaseId: row.renewalCaseId ?? '',
  };
}
