import { Inject, Injectable } from '@nestjs/common';
import type {
  FailedDelivery,
  ListFailedDeliveriesRequest,
  ListFailedDeliveriesResponse,
  PartnerDeliveryRow,
  RetryDeliveryRequest,
  RetryDeliveryResponse,
} from '@tongban/contracts/tongban/exchange/v1/operations';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { appendLogEntry } from '@tongban/trust';
import type { MessageKind, OutboundState } from '../../prisma/generated/client';
import { ExchangeError } from '../exchange-error';
import { fromColumn } from '../messages/bytes';
import { CaseChannels } from '../messages/case-channels';
import { BODY_CASES } from '../messages/message-kind';
import { PartnerClients } from '../partners/partner-clients';
import { PrismaService } from '../prisma/prisma.service';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How a state is called to the operator who tried to retry a message in it. */
const STATE_NAMES: Readonly<Record<OutboundState, string>> = {
  PENDING: '正在投递（等待或重试中）',
  DELIVERED: '已送达',
  REJECTED: '已被对方拒收',
  FAILED: '投递失败',
};

interface TrafficRow {
  partner: string;
  pending: number;
  failed: number;
  delivered: number;
  received: number;
  oldest_pending_at: Date | null;
}

interface FailedRow {
  message_id: string;
  case_id: string;
  partner: string;
  kind: MessageKind;
  attempts: number;
  last_error: string | null;
  finished_at: Date | null;
  sequence: number;
  held_behind: number;
}

/**
 * What this region's operators see of the exchange and may do to it (ExchangeOperationsService):
 * the backlog per partner, the messages given up after the retry budget, and putting one of those
 * back in the queue.
 *
 * Order per case holds through a retry: the delivery worker sends a message only when every
 * earlier message of its case to that partner is DELIVERED or REJECTED, so the later messages
 * held behind a FAILED one stay untried (PENDING, no attempt) until the requeued one is delivered,
 * then follow it in sequence order. The retry restarts their retry budget too: it was spent
 * waiting, not trying. Nothing is re-sealed: the same envelope bytes go out again, and a partner
 * that had accepted them after all answers with its original receipt.
 */
@Injectable()
export class DeliveryOperations {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CaseChannels) private readonly channels: CaseChannels,
    @Inject(PartnerClients) private readonly clients: PartnerClients,
  ) {}

  /** One row per partner of the region file, in its order, also without any traffic. */
  async statistics(): Promise<PartnerDeliveryRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<TrafficRow[]>(
      `WITH outbound AS (
         SELECT recipient_region::text AS partner,
                count(*) FILTER (WHERE state = 'PENDING')::int AS pending,
                count(*) FILTER (WHERE state = 'FAILED')::int AS failed,
                count(*) FILTER (WHERE state = 'DELIVERED')::int AS delivered,
                min(created_at) FILTER (WHERE state = 'PENDING') AS oldest_pending_at
           FROM outbound_message
          GROUP BY recipient_region),
       inbound AS (
         -- Accepted: answered with an ACCEPTED receipt, applied or held for its predecessor.
         SELECT sender_region::text AS partner, count(*)::int AS received
           FROM inbound_message
          WHERE state IN ('HELD', 'APPLIED')
          GROUP BY sender_region)
       SELECT partner,
              COALESCE(o.pending, 0) AS pending,
              COALESCE(o.failed, 0) AS failed,
              COALESCE(o.delivered, 0) AS delivered,
              COALESCE(i.received, 0) AS received,
              o.oldest_pending_at
         FROM outbound o FULL JOIN inbound i USING (partner)`,
    );
    const traffic = new Map(rows.map((row) => [row.partner, row]));
    return this.context.region.partners.map((partner) => {
      const row = traffic.get(partner.code);
      return {
        partner: partner.code,
        partnerName: partner.name,
        pending: row?.pending ?? 0,
        failed: row?.failed ?? 0,
        delivered: row?.delivered ?? 0,
        received: row?.received ?? 0,
        oldestPendingAt: row?.oldest_pending_at ?? undefined,
      };
    });
  }

  /** FAILED messages, oldest failure first; the page token is the offset of the next page. */
  async failed(request: ListFailedDeliveriesRequest): Promise<ListFailedDeliveriesResponse> {
    const partner = request.partner.trim();
    if (partner !== '') this.partnerOf(partner);
    const pageSize = Math.min(Math.max(request.pageSize || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    if (request.pageToken !== '' && !/^\d{1,9}$/.test(request.pageToken)) {
      throw new ExchangeError('EXCHANGE.INVALID_PAGE_TOKEN', '分页标记无效，请从第一页重新查询。');
    }
    const offset = request.pageToken === '' ? 0 : Number(request.pageToken);
    const rows = await this.prisma.$queryRawUnsafe<FailedRow[]>(
      `SELECT m.message_id::text AS message_id, m.case_id, m.recipient_region::text AS partner,
              m.kind::text AS kind, m.attempts, m.last_error, m.finished_at, m.sequence,
              (SELECT count(*)::int FROM outbound_message f
                WHERE f.case_id = m.case_id AND f.recipient_region = m.recipient_region
                  AND f.sequence > m.sequence AND f.state = 'PENDING') AS held_behind
         FROM outbound_message m
        WHERE m.state = 'FAILED' AND ($1::text = '' OR m.recipient_region = $1::text)
        ORDER BY m.finished_at, m.message_id
       OFFSET $2 LIMIT $3`,
      partner,
      offset,
      pageSize + 1,
    );
    const page = rows.slice(0, pageSize);
    return {
      deliveries: page.map(failedDelivery),
      nextPageToken: rows.length > pageSize ? String(offset + pageSize) : '',
    };
  }

  /**
   * Puts a FAILED message back in the queue: PENDING, attempts from 0, due now, its retry budget
   * (and that of the messages held behind it) counted from now. The requeue is an OUT entry of the
   * message log (PENDING again after FAILED); who asked is kept with the message and logged. The
   * commit wakes the delivery workers of every instance (trigger of the migration).
   */
  async retry(request: RetryDeliveryRequest): Promise<RetryDeliveryResponse> {
    const requestedBy = request.requestedBy.trim();
    if (requestedBy === '') {
      throw new ExchangeError(
        'EXCHANGE.REQUESTER_REQUIRED',
        '操作人账号缺失，请重新登录后再重新投递。',
      );
    }
    const messageId = request.messageId.trim();
    const found = UUID.test(messageId)
      ? await this.prisma.outboundMessage.findUnique({
          where: { messageId },
          select: { caseId: true, recipientRegion: true },
        })
      : null;
    if (!found) throw messageNotFound(messageId);
    const partner = this.partnerOf(found.recipientRegion);
    return this.prisma.$transaction(async (tx) => {
      // Lock order of every writer: case channel, then the message log's head. The delivery
      // worker changes a message's state only under this lock, so what is read below holds until
      // commit; and it never locks a FAILED row, so there is nothing to wait for here.
      await this.channels.lock(tx, found.caseId, found.recipientRegion);
      const message = await tx.outboundMessage.findUnique({ where: { messageId } });
      if (!message) throw messageNotFound(messageId);
      if (message.state !== 'FAILED') {
        throw new ExchangeError(
          'EXCHANGE.NOT_FAILED',
          `消息 ${messageId}（案件 ${message.caseId}）当前${STATE_NAMES[message.state]}，只有投递失败的消息可以重新投递。`,
        );
      }
      const requeuedAt = new Date();
      await tx.outboundMessage.update({
        where: { messageId },
        data: {
          state: 'PENDING',
          attempts: 0,
          nextAttemptAt: requeuedAt,
          retryBudgetFrom: requeuedAt,
          errorCode: null,
          finishedAt: null,
          requeuedAt,
          requeuedBy: requestedBy,
        },
      });
      const behind = await tx.outboundMessage.updateMany({
        where: {
          caseId: message.caseId,
          recipientRegion: message.recipientRegion,
          sequence: { gt: message.sequence },
          state: 'PENDING',
        },
        data: { retryBudgetFrom: requeuedAt },
      });
      await appendLogEntry(prismaExecutor(tx), {
        direction: 'OUT',
        peerRegion: message.recipientRegion,
        messageId,
        caseId: message.caseId,
        sequence: message.sequence,
        status: 'PENDING',
        envelope: {
          envelope: fromColumn(message.envelope),
          signature: fromColumn(message.signature),
          keyId: message.keyId,
        },
      });
      // Before the commit wakes the delivery worker: its first attempt must not fail at once on
      // a channel still backing off from the outage that failed the message.
      const reconnected = this.clients.reconnect(message.recipientRegion);
      this.context.logger.info(
        {
          caseId: message.caseId,
          messageId,
          recipient: message.recipientRegion,
          sequence: message.sequence,
          requestedBy,
          failedAttempts: message.attempts,
          lastError: message.lastError,
          heldBehind: behind.count,
          reconnected,
        },
        `failed message put back in the queue for ${partner.name} by an operator`,
      );
      return {
        messageId,
        caseId: message.caseId,
        partner: message.recipientRegion,
        requeuedAt,
        heldBehind: behind.count,
      };
    });
  }

  private partnerOf(code: string): { code: string; name: string } {
    const partner = this.context.region.partners.find((candidate) => candidate.code === code);
    if (!partner) {
      throw new ExchangeError(
        'EXCHANGE.UNKNOWN_PARTNER',
        `${code} 不是 ${this.context.regionCode} 的合作地区。`,
      );
    }
    return partner;
  }
}

function failedDelivery(row: FailedRow): FailedDelivery {
  return {
    messageId: row.message_id,
    caseId: row.case_id,
    partner: row.partner,
    bodyKind: BODY_CASES[row.kind],
    attempts: row.attempts,
    lastError: row.last_error ?? '',
    failedAt: row.finished_at ?? undefined,
    sequence: row.sequence,
    heldBehind: row.held_behind,
  };
}

function messageNotFound(messageId: string): ExchangeError {
  return new ExchangeError(
    'EXCHANGE.MESSAGE_NOT_FOUND',
    `没有编号为 ${messageId || '（空）'} 的发往合作地区的消息，请从投递失败列表中选择。`,
  );
}
