import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  Envelope,
  type CaseNotice,
  type CaseTransfer,
  type StatusReport,
  type SupplementTransfer,
  type SurveyEvidence,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { traceHeaders } from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { appendLogEntry, sealEnvelope, sha256Hex } from '@tongban/trust';
import type { CaseChannel, OutboundMessage } from '../../prisma/generated/client';
import type { PrismaTx } from '../prisma/prisma.service';
import { ExchangeTrust } from '../trust/exchange-trust';
import { toColumn } from './bytes';
import { statusName } from './case-status-names';
import { envelopeKind } from './message-kind';

export type OutboundBody =
  | { caseTransfer: CaseTransfer }
  | { statusReport: StatusReport }
  | { supplement: SupplementTransfer }
  | { surveyEvidence: SurveyEvidence }
  | { notice: CaseNotice };

/** The round a status report belongs to (补正 and 踏勘 repeat per round); 0 for other statuses. */
export function reportRound(report: StatusReport): number {
  return report.supplementRequest?.round ?? report.surveyRequest?.round ?? 0;
}

/** W3C trace context to carry in the envelope; the active one unless given. */
export interface EnvelopeTrace {
  traceparent: string;
  tracestate: string;
}

export function activeTrace(): EnvelopeTrace {
  const headers = traceHeaders();
  return { traceparent: headers.traceparent ?? '', tracestate: headers.tracestate ?? '' };
}

/**
 * Store-and-forward, the storing half: a message to a partner is given the case's next sequence
 * number, sealed (encoded once, signed once) and stored with an OUT entry in the message log, in
 * the caller's transaction. The delivery worker sends exactly these bytes, as often as needed.
 */
@Injectable()
export class OutboundMessages {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ExchangeTrust) private readonly trust: ExchangeTrust,
  ) {}

  /**
   * `channel` must be locked by the caller's transaction (CaseChannels.lock / open). `round` is
   * the round of a supplement or survey status report, kept with the message (see held reports).
   */
  async enqueue(
    tx: PrismaTx,
    channel: CaseChannel,
    body: OutboundBody,
    options: { trace?: EnvelopeTrace; round?: number } = {},
  ): Promise<OutboundMessage> {
    const trace = options.trace ?? activeTrace();
    const sequence = channel.lastOutSequence + 1;
    await tx.caseChannel.update({
      where: { caseId_peerRegion: { caseId: channel.caseId, peerRegion: channel.peerRegion } },
      data: { lastOutSequence: sequence },
    });
    channel.lastOutSequence = sequence;
    const envelope = Envelope.fromPartial({
      messageId: randomUUID(),
      senderRegion: this.context.regionCode,
      recipientRegion: channel.peerRegion,
      caseId: channel.caseId,
      sequence,
      createdAt: new Date(),
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
      ...body,
    });
    const kind = envelopeKind(envelope);
    if (!kind)
      throw new Error(`message ${envelope.messageId} to ${channel.peerRegion} has no body`);
    const signed = sealEnvelope(envelope, this.trust.signer);
    const message = await tx.outboundMessage.create({
      data: {
        messageId: envelope.messageId,
        caseId: channel.caseId,
        recipientRegion: channel.peerRegion,
        sequence,
        kind,
        status: 'statusReport' in body ? statusName(body.statusReport.status) : null,
        round: options.round ?? ('statusReport' in body ? reportRound(body.statusReport) : 0),
        envelope: toColumn(signed.envelope),
        signature: toColumn(signed.signature),
        keyId: signed.keyId,
        envelopeSha256: sha256Hex(signed.envelope),
      },
    });
    await appendLogEntry(prismaExecutor(tx), {
      direction: 'OUT',
      peerRegion: channel.peerRegion,
      messageId: envelope.messageId,
      caseId: channel.caseId,
      sequence,
      status: 'PENDING',
      envelope: signed,
    });
    return message;
  }
}
