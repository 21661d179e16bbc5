import { Injectable } from '@nestjs/common';
import type { CaseChannel, CaseRole } from '../../prisma/generated/client';
import type { PrismaTx } from '../prisma/prisma.service';

/**
 * A case as exchanged with one partner. Its row is the lock under which sequence numbers are
 * given and inbound messages applied: whoever changes a case's exchange state locks it first.
 */
@Injectable()
export class CaseChannels {
  /** Creates the channel; false when it existed already (nothing changed then). */
  async open(
    tx: PrismaTx,
    channel: {
      caseId: string;
      peerRegion: string;
      role: CaseRole;
      correlationId: string;
      reportedStatus?: string;
      appliedInSequence?: number;
    },
  ): Promise<boolean> {
    const inserted = await tx.caseChannel.createMany({ data: [channel], skipDuplicates: true });
    return inserted.count === 1;
  }

  /** The channel, locked until the transaction ends; undefined when there is none. */
  async lock(tx: PrismaTx, caseId: string, peerRegion: string): Promise<CaseChannel | undefined> {
    const rows = await tx.$queryRawUnsafe<{ case_id: string }[]>(
      'SELECT case_id FROM case_channel WHERE case_id = $1 AND peer_region = $2 FOR UPDATE',
      caseId,
      peerRegion,
    );
    if (rows.length === 0) return undefined;
    return (
      (await tx.caseChannel.findUnique({
        where: { caseId_peerRegion: { caseId, peerRegion } },
      })) ?? undefined
    );
  }
}
