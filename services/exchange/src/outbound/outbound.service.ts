import { Inject, Injectable } from '@nestjs/common';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { CaseForwarded } from '@tongban/contracts/tongban/exchange/v1/events';
import { StatusReport } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { CaseSubmitted, CaseWithdrawn } from '@tongban/contracts/tongban/intake/v1/events';
import { canTransition, isTerminal } from '@tongban/domain';
import { PoisonMessageError, type ConsumedEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import type { CaseChannel } from '../../prisma/generated/client';
import { statusFromName, statusName } from '../messages/case-status-names';
import { CaseChannels } from '../messages/case-channels';
import { ExchangeEvents } from '../messages/exchange-events';
import { activeTrace, OutboundMessages } from '../messages/outbound-messages';
import type { PrismaTx } from '../prisma/prisma.service';
import { ExchangeTrust } from '../trust/exchange-trust';

/**
 * Turns this region's events into messages for partners, inside the consumer's inbox
 * transaction (so each event becomes its messages exactly once):
 *
 * - origin side: CaseSubmitted for a partner's item → a CaseTransfer (and CaseForwarded here);
 *   CaseWithdrawn of a forwarded case → a WITHDRAWN status report;
 * - handler side: review, certificate and logistics events of a partner's case → status reports,
 *   in lifecycle order (see {@link report}).
 */
@Injectable()
export class OutboundService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ExchangeTrust) private readonly trust: ExchangeTrust,
    @Inject(CaseChannels) private readonly channels: CaseChannels,
    @Inject(OutboundMessages) private readonly messages: OutboundMessages,
    @Inject(ExchangeEvents) private readonly events: ExchangeEvents,
  ) {}

  async caseSubmitted(event: ConsumedEvent<CaseSubmitted>, tx: PrismaTx): Promise<void> {
    const submitted = event.payload;
    const own = this.context.regionCode;
    // A case for one of our own items never leaves the region.
    if (submitted.handlingRegion === own) return;
    if (submitted.originRegion !== own) {
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `CaseSubmitted ${submitted.caseId} names origin ${submitted.originRegion}, not ${own}`,
      );
    }
    if (!this.trust.partner(submitted.handlingRegion)) {
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `CaseSubmitted ${submitted.caseId}: ${submitted.handlingRegion} is not a partner of ${own}`,
      );
    }
    const opened = await this.channels.open(tx, {
      caseId: submitted.caseId,
      peerRegion: submitted.handlingRegion,
      role: 'ORIGIN',
      correlationId: event.metadata.correlationId,
    });
    if (!opened) {
      // Another event with the same case id: the case travelled already; never send it twice.
      this.context.logger.warn(
        { caseId: submitted.caseId, eventId: event.metadata.eventId },
        'case was forwarded before; a second CaseSubmitted is ignored',
      );
      return;
    }
    const channel = await this.lockedChannel(tx, submitted.caseId, submitted.handlingRegion);
    const message = await this.messages.enqueue(tx, channel, {
      caseTransfer: { case: submitted },
    });
    await this.events.publish(tx, submitted.caseId, { event: event.metadata }, CaseForwarded, {
      caseId: submitted.caseId,
      handlingRegion: submitted.handlingRegion,
      messageId: message.messageId,
      acknowledgedAt: message.createdAt,
    });
  }

  async caseWithdrawn(event: ConsumedEvent<CaseWithdrawn>, tx: PrismaTx): Promise<void> {
    const { caseId, handlingRegion, reason } = event.payload;
    if (handlingRegion === this.context.regionCode) return;
    const channel = await this.channels.lock(tx, caseId, handlingRegion);
    // Withdrawn before it was forwarded (or never meant for a partner): nobody to tell.
    if (channel?.role !== 'ORIGIN') return;
    const transfer = await tx.outboundMessage.findUnique({
      where: {
        caseId_recipientRegion_sequence: { caseId, recipientRegion: handlingRegion, sequence: 1 },
      },
    });
    // The partner refused the case: it does not know it, there is nothing to withdraw there.
    if (transfer?.state === 'REJECTED') return;
    await this.messages.enqueue(tx, channel, {
      statusReport: StatusReport.fromPartial({
        status: CaseStatus.CASE_STATUS_WITHDRAWN,
        at: event.metadata.occurredAt,
        note: reason,
      }),
    });
  }

  /**
   * Reports handler-side progress of a partner's case to its origin. The events come from three
   * topics (review, certificate, logistics), so they can arrive out of lifecycle order — e.g.
   * CertificateIssued before CaseApproved when both were published within milliseconds. Each
   * report is therefore held until the status before it was reported, and sequence numbers are
   * given in lifecycle order: the origin applies them as a legal sequence of transitions.
   */
  async report(
    event: ConsumedEvent<unknown>,
    caseId: string,
    originRegion: string,
    reports: StatusReport[],
    tx: PrismaTx,
  ): Promise<void> {
    if (originRegion === this.context.regionCode) return;
    const channel = await this.channels.lock(tx, caseId, originRegion);
    if (channel?.role !== 'HANDLER') {
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `${event.typeName} of case ${caseId}: the case was not received from ${originRegion}`,
      );
    }
    const trace = activeTrace();
    await tx.heldStatus.createMany({
      data: reports.map((report) => ({
        caseId,
        originRegion,
        status: statusName(report.status),
        report: Buffer.from(StatusReport.encode(report).finish()),
        ...trace,
      })),
    });
    await this.releaseHeld(tx, channel);
  }

  private async releaseHeld(tx: PrismaTx, channel: CaseChannel): Promise<void> {
    for (;;) {
      const reported = statusFromName(channel.reportedStatus ?? 'RECEIVED');
      const held = await tx.heldStatus.findMany({
        where: { caseId: channel.caseId, originRegion: channel.peerRegion },
        orderBy: { id: 'asc' },
      });
      if (held.length === 0) return;
      if (isTerminal(reported)) {
        this.context.logger.warn(
          { caseId: channel.caseId, statuses: held.map((row) => row.status) },
          'statuses after the end of the case are not reported',
        );
        return;
      }
      const repeated = held.filter((row) => statusFromName(row.status) === reported);
      if (repeated.length > 0) {
        // The same status twice (a re-emitted event): reported once is enough.
        await tx.heldStatus.deleteMany({ where: { id: { in: repeated.map((row) => row.id) } } });
        continue;
      }
      const next = held.find((row) => canTransition(reported, statusFromName(row.status)));
      if (!next) return;
      await this.messages.enqueue(
        tx,
        channel,
        { statusReport: StatusReport.decode(next.report) },
        { traceparent: next.traceparent, tracestate: next.tracestate },
      );
      await tx.heldStatus.delete({ where: { id: next.id } });
      await tx.caseChannel.update({
        where: { caseId_peerRegion: { caseId: channel.caseId, peerRegion: channel.peerRegion } },
        data: { reportedStatus: next.status },
      });
      channel.reportedStatus = next.status;
    }
  }

  private async lockedChannel(tx: PrismaTx, caseId: string, peer: string): Promise<CaseChannel> {
    const channel = await this.channels.lock(tx, caseId, peer);
    if (!channel) throw new Error(`channel of ${caseId} with ${peer} was just opened`);
    return channel;
  }
}
