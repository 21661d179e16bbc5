import { Inject, Injectable } from '@nestjs/common';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { CaseForwarded } from '@tongban/contracts/tongban/exchange/v1/events';
import { StatusReport } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type {
  CaseSubmitted,
  CaseWithdrawn,
  SupplementSubmitted,
  SurveyMediaSubmitted,
} from '@tongban/contracts/tongban/intake/v1/events';
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
import type { OriginUpdate, RoundReport } from './status-reports';

interface StatusRound {
  status: string;
  round: number;
}

/** Statuses that recur once per round, by the round they belong to (补正, 踏勘). */
const ROUND_KINDS: readonly (readonly string[])[] = [
  ['SUPPLEMENT_REQUESTED', 'SUPPLEMENTED'],
  ['SURVEY_REQUIRED', 'SURVEYED'],
];

/**
 * Whether a held status repeats one reported already, so that reporting it would be wrong:
 *
 * - a status of a round (补正, 踏勘): the same status of the same round, or of an earlier round than
 *   one reported since (a stale repeat must not reopen a finished round; a later round is new);
 * - any other status: reported before and either the current one or one the case cannot move to
 *   any more. PRE_REVIEWED is the one such status the lifecycle allows again (after a supplement
 *   or survey at the higher level); a second one that can follow is reported.
 */
function reportedBefore(
  held: StatusRound,
  sent: readonly StatusRound[],
  reported: string,
): boolean {
  const same = sent.some((row) => row.status === held.status && row.round === held.round);
  const kind = ROUND_KINDS.find((statuses) => statuses.includes(held.status));
  if (kind && held.round > 0) {
    return same || sent.some((row) => kind.includes(row.status) && row.round > held.round);
  }
  if (!same) return false;
  return (
    held.status === reported ||
    !canTransition(statusFromName(reported), statusFromName(held.status))
  );
}

/**
 * Turns this region's events into messages for partners, inside the consumer's inbox
 * transaction (so each event becomes its messages exactly once):
 *
 * - origin side: CaseSubmitted for a partner's item → a CaseTransfer (and CaseForwarded here);
 *   CaseWithdrawn of a forwarded case → a WITHDRAWN status report; SupplementSubmitted → a
 *   SupplementTransfer; SurveyMediaSubmitted → SurveyEvidence (blobs are pushed before each);
 * - handler side: review, certificate and logistics events of a partner's case → status reports,
 *   in lifecycle order (see {@link report}), and notices, at once (see {@link tellOrigin}).
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

  /** Origin side: the window handed in what the reviewer asked for (补正); its blobs go first. */
  async supplementSubmitted(
    event: ConsumedEvent<SupplementSubmitted>,
    tx: PrismaTx,
  ): Promise<void> {
    const { caseId, handlingRegion, round, materials, note } = event.payload;
    const channel = await this.forwardedChannel(event, caseId, handlingRegion, tx);
    if (!channel) return;
    await this.messages.enqueue(tx, channel, { supplement: { round, materials, note } });
  }

  /** Origin side: photos and videos for a remote survey (远程踏勘); their blobs go first. */
  async surveyMediaSubmitted(
    event: ConsumedEvent<SurveyMediaSubmitted>,
    tx: PrismaTx,
  ): Promise<void> {
    const { caseId, handlingRegion, round, media } = event.payload;
    const channel = await this.forwardedChannel(event, caseId, handlingRegion, tx);
    if (!channel) return;
    await this.messages.enqueue(tx, channel, { surveyEvidence: { round, media } });
  }

  /**
   * Handler side: tells the origin of a partner's case what one of our events means for it.
   * Notices go at once; status reports are held until the status before them was reported.
   */
  async tellOrigin(
    event: ConsumedEvent<unknown>,
    caseId: string,
    originRegion: string,
    update: OriginUpdate,
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
    if (update.reports.length > 0) await this.report(tx, channel, update.reports);
    for (const notice of update.notices) {
      await this.messages.enqueue(tx, channel, { notice });
    }
  }

  /**
   * Reports handler-side progress of a partner's case to its origin. The events come from three
   * topics (review, certificate, logistics), so they can arrive out of lifecycle order — e.g.
   * CertificateIssued before CaseApproved when both were published within milliseconds. Each
   * report is therefore held until the status before it was reported, and sequence numbers are
   * given in lifecycle order: the origin applies them as a legal sequence of transitions.
   */
  private async report(tx: PrismaTx, channel: CaseChannel, reports: RoundReport[]): Promise<void> {
    const trace = activeTrace();
    await tx.heldStatus.createMany({
      data: reports.map(({ report, round }) => ({
        caseId: channel.caseId,
        originRegion: channel.peerRegion,
        status: statusName(report.status),
        round,
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
      const sent = await this.reportedRounds(tx, channel);
      const stale = held.filter((row) =>
        reportedBefore(row, sent, channel.reportedStatus ?? 'RECEIVED'),
      );
      if (stale.length > 0) {
        // A re-emitted event, or a round that a later one has overtaken: reported once is enough.
        this.context.logger.info(
          { caseId: channel.caseId, statuses: stale.map((row) => `${row.status}#${row.round}`) },
          'status reported before; not reported again',
        );
        await tx.heldStatus.deleteMany({ where: { id: { in: stale.map((row) => row.id) } } });
        continue;
      }
      const next = held.find((row) => canTransition(reported, statusFromName(row.status)));
      if (!next) return;
      await this.messages.enqueue(
        tx,
        channel,
        { statusReport: StatusReport.decode(next.report) },
        {
          trace: { traceparent: next.traceparent, tracestate: next.tracestate },
          round: next.round,
        },
      );
      await tx.heldStatus.delete({ where: { id: next.id } });
      await tx.caseChannel.update({
        where: { caseId_peerRegion: { caseId: channel.caseId, peerRegion: channel.peerRegion } },
        data: { reportedStatus: next.status },
      });
      channel.reportedStatus = next.status;
    }
  }

  /** Every status reported to the origin so far, with its round; RECEIVED is the start. */
  private async reportedRounds(tx: PrismaTx, channel: CaseChannel): Promise<StatusRound[]> {
    const rows = await tx.outboundMessage.findMany({
      where: {
        caseId: channel.caseId,
        recipientRegion: channel.peerRegion,
        kind: 'STATUS_REPORT',
      },
      select: { status: true, round: true },
    });
    return [
      { status: 'RECEIVED', round: 0 },
      ...rows.map((row) => ({ status: row.status ?? '', round: row.round })),
    ];
  }

  /** Origin side: the channel of a case we forwarded to `handlingRegion`, locked. */
  private async forwardedChannel(
    event: ConsumedEvent<unknown>,
    caseId: string,
    handlingRegion: string,
    tx: PrismaTx,
  ): Promise<CaseChannel | undefined> {
    // A case for one of our own items never left the region: review has it here.
    if (handlingRegion === this.context.regionCode) return undefined;
    const channel = await this.channels.lock(tx, caseId, handlingRegion);
    if (channel?.role !== 'ORIGIN') {
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `${event.typeName} of case ${caseId}: the case was not forwarded to ${handlingRegion}`,
      );
    }
    return channel;
  }

  private async lockedChannel(tx: PrismaTx, caseId: string, peer: string): Promise<CaseChannel> {
    const channel = await this.channels.lock(tx, caseId, peer);
    if (!channel) throw new Error(`channel of ${caseId} with ${peer} was just opened`);
    return channel;
  }
}
