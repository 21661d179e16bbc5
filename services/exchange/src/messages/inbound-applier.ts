import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  CaseReceived,
  RemoteNotice,
  RemoteStatusChanged,
  SupplementArrived,
  SurveyMediaArrived,
} from '@tongban/contracts/tongban/exchange/v1/events';
import { Envelope } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { OutgoingEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import type { CaseChannel, InboundMessage } from '../../prisma/generated/client';
import type { PrismaTx } from '../prisma/prisma.service';
import { CaseChannels } from './case-channels';
import { inEnvelopeTrace } from './envelope-trace';
import { ExchangeEvents } from './exchange-events';

/**
 * Applies accepted inbound messages of one case in their sequence order: a message whose
 * predecessor has not arrived stays HELD, and arriving predecessors release it. On the origin
 * side a status report also waits until the handler's receipt for the case transfer is in, so
 * the origin's timeline never shows a handler status before RECEIVED.
 *
 * Applying is publishing, through the outbox in the caller's transaction, each inside the trace
 * its envelope carries:
 *
 * - handler side: CaseTransfer → CaseReceived, SupplementTransfer → SupplementArrived,
 *   SurveyEvidence → SurveyMediaArrived (review takes them; their blobs are here), the origin's
 *   WITHDRAWN StatusReport → RemoteStatusChanged naming us as the handling region (review
 *   cancels the task);
 * - origin side: StatusReport → RemoteStatusChanged, CaseNotice → RemoteNotice (intake's
 *   timeline).
 */
@Injectable()
export class InboundApplier {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(CaseChannels) private readonly channels: CaseChannels,
    @Inject(ExchangeEvents) private readonly events: ExchangeEvents,
  ) {}

  /** Applies what is ready of the case's messages from `sender`; returns how many. */
  async applyReady(tx: PrismaTx, sender: string, caseId: string): Promise<number> {
    let channel = await this.channels.lock(tx, caseId, sender);
    let applied = 0;
    for (;;) {
      const sequence = (channel?.appliedInSequence ?? 0) + 1;
      const message = await tx.inboundMessage.findUnique({
        where: { senderRegion_caseId_sequence: { senderRegion: sender, caseId, sequence } },
      });
      if (!message) break;
      if (message.state !== 'HELD') {
        // A refused message still takes its place in the sequence: the sender moved past it.
        if (!channel) break;
        await this.advance(tx, channel, sequence);
        continue;
      }
      const envelope = Envelope.decode(message.envelope);
      if (envelope.caseTransfer) {
        if (channel) break; // a second transfer of one case is refused before it is stored
        channel = await this.receiveCase(tx, message, envelope);
      } else {
        // Any other body is only accepted for an existing channel (inbound body checks).
        if (!channel) break;
        if (channel.role === 'ORIGIN' && channel.transferAcceptedAt === null) break;
        await this.applyBody(tx, channel, message, envelope);
        await this.advance(tx, channel, sequence);
      }
      await tx.inboundMessage.update({
        where: {
          senderRegion_messageId: { senderRegion: sender, messageId: message.messageId },
        },
        data: { state: 'APPLIED', appliedAt: new Date() },
      });
      applied += 1;
    }
    return applied;
  }

  private async receiveCase(
    tx: PrismaTx,
    message: InboundMessage,
    envelope: Envelope,
  ): Promise<CaseChannel> {
    const submitted = envelope.caseTransfer?.case;
    if (!submitted)
      throw new Error(`inbound ${message.messageId} has no case (checked on arrival)`);
    // The case starts a correlation of its own here; the trace still ties both regions together.
    const correlationId = randomUUID();
    await this.channels.open(tx, {
      caseId: message.caseId,
      peerRegion: message.senderRegion,
      role: 'HANDLER',
      correlationId,
      // What the origin shows once our receipt reached it; our reports continue from there.
      reportedStatus: 'RECEIVED',
      appliedInSequence: message.sequence,
    });
    const channel = await this.channels.lock(tx, message.caseId, message.senderRegion);
    if (!channel) throw new Error(`channel of ${message.caseId} vanished`);
    await inEnvelopeTrace('exchange.apply CaseTransfer', envelope, this.attributes(message), () =>
      this.events.publish(
        tx,
        message.caseId,
        { correlationId, causationId: message.messageId },
        CaseReceived,
        { case: submitted, receivedAt: message.receivedAt, messageId: message.messageId },
      ),
    );
    this.context.logger.info(
      { caseId: message.caseId, origin: message.senderRegion, messageId: message.messageId },
      'case received from partner',
    );
    return channel;
  }

  private async applyBody(
    tx: PrismaTx,
    channel: CaseChannel,
    message: InboundMessage,
    envelope: Envelope,
  ): Promise<void> {
    const cause = { correlationId: channel.correlationId, causationId: message.messageId };
    const { caseId, senderRegion, receivedAt, messageId } = message;
    const publish = <T>(name: string, type: OutgoingEvent<T>['type'], payload: T) =>
      inEnvelopeTrace(`exchange.apply ${name}`, envelope, this.attributes(message), () =>
        this.events.publish(tx, caseId, cause, type, payload),
      );
    const { statusReport: report, supplement, surveyEvidence, notice } = envelope;
    if (report) {
      await publish('StatusReport', RemoteStatusChanged, {
        caseId,
        // The region that handles the case: the sender on the origin side, us on the handler
        // side (where the origin reports a withdrawal).
        handlingRegion: channel.role === 'ORIGIN' ? senderRegion : this.context.regionCode,
        status: report.status,
        at: report.at ?? receivedAt,
        note: report.note,
        certificateId: report.certificateId,
        trackingNumber: report.trackingNumber,
        certificate: report.certificate,
        supplementRequest: report.supplementRequest,
        surveyRequest: report.surveyRequest,
        dueAt: report.dueAt,
      });
    } else if (supplement) {
      await publish('SupplementTransfer', SupplementArrived, {
        caseId,
        originRegion: senderRegion,
        supplement,
        receivedAt,
        messageId,
      });
    } else if (surveyEvidence) {
      await publish('SurveyEvidence', SurveyMediaArrived, {
        caseId,
        originRegion: senderRegion,
        evidence: surveyEvidence,
        receivedAt,
        messageId,
      });
    } else if (notice) {
      await publish('CaseNotice', RemoteNotice, { caseId, handlingRegion: senderRegion, notice });
    } else {
      throw new Error(`inbound ${messageId} has no body (checked on arrival)`);
    }
  }

  private async advance(tx: PrismaTx, channel: CaseChannel, sequence: number): Promise<void> {
    await tx.caseChannel.update({
      where: { caseId_peerRegion: { caseId: channel.caseId, peerRegion: channel.peerRegion } },
      data: { appliedInSequence: sequence },
    });
    channel.appliedInSequence = sequence;
  }

  private attributes(message: InboundMessage) {
    return {
      caseId: message.caseId,
      messageId: message.messageId,
      peerRegion: message.senderRegion,
    };
  }
}
