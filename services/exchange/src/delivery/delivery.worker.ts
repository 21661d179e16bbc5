import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { DeliveryFailed, RemoteStatusChanged } from '@tongban/contracts/tongban/exchange/v1/events';
import {
  Envelope,
  ReceiptStatus,
  type Receipt,
  type SignedEnvelope,
  type SignedReceipt,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { BlobStore } from '@tongban/blobs';
import { PgNotificationListener, prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { appendLogEntry, openReceipt, TrustError } from '@tongban/trust';
import type { OutboundMessage } from '../../prisma/generated/client';
import { BLOB_STORE } from '../blobs/blob-store.provider';
import { ExchangeSettings } from '../config/exchange-settings';
import { DirectoryService } from '../directory/directory.service';
import { fromColumn, toColumn } from '../messages/bytes';
import { CaseChannels } from '../messages/case-channels';
import { inEnvelopeTrace } from '../messages/envelope-trace';
import { ExchangeEvents, type EventCause } from '../messages/exchange-events';
import { InboundApplier } from '../messages/inbound-applier';
import { blobsToPush } from '../messages/referenced-blobs';
import { PartnerCallError } from '../partners/partner-call-error';
import { PartnerClients } from '../partners/partner-clients';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import { ExchangeTrust } from '../trust/exchange-trust';

/** The channel the outbound_message trigger notifies on commit (see the migration). */
const OUTBOUND_CHANNEL = 'tongban_exchange_outbound';
const CHUNK_BYTES = 64 * 1024;
/** Error code of a message whose retry budget ran out without any receipt. */
export const RETRY_BUDGET_SPENT = 'EXCHANGE.RETRY_BUDGET_SPENT';

interface Head {
  message_id: string;
  due: boolean;
  wait_ms: number;
}

/** Why an attempt produced no usable receipt; the message stays PENDING and is retried. */
class AttemptFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttemptFailed';
  }
}

/**
 * Store-and-forward, the forwarding half. Sends pending messages to partners over mutual TLS —
 * the blobs the envelope names first (PutBlob), then the envelope (Deliver) — and acts on the
 * signed receipt:
 *
 *   PENDING ──ACCEPTED receipt──▶ DELIVERED   (case transfer: RECEIVED here, held reports released)
 *   PENDING ──REJECTED receipt──▶ REJECTED    (DeliveryFailed alert with the receipt's code)
 *   PENDING ──no receipt─────────▶ PENDING    (attempts + 1, backoff 0.2 s doubling to 10 s)
 *   PENDING ──budget spent───────▶ FAILED     (DeliveryFailed alert)
 *   FAILED  ──operator's retry───▶ PENDING    (attempts from 0, fresh budget: DeliveryOperations)
 *
 * Order per case: a message is sent only when every earlier message of its case (same recipient)
 * has a receipt, so message n+1 never overtakes n. Several cases go in parallel. The row of the
 * message is locked (FOR UPDATE SKIP LOCKED) for the Deliver call and its outcome, so two
 * workers — two instances of the exchange — never send one message at the same time, and the
 * receipt, the log entry, the state change and any event commit together. If that commit is lost
 * after the partner accepted, the next attempt gets the original receipt back (duplicate).
 *
 * Woken by NOTIFY when new messages commit, by its own deliveries, and by a timer for the next
 * due retry (with a poll as safety net). Stopping lets the sends in flight finish.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();
  private listener: PgNotificationListener | undefined;
  private wakeRequested = false;
  private wake: (() => void) | undefined;

  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ExchangeSettings) private readonly settings: ExchangeSettings,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ExchangeTrust) private readonly trust: ExchangeTrust,
    @Inject(PartnerClients) private readonly clients: PartnerClients,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(ExchangeEvents) private readonly events: ExchangeEvents,
    @Inject(CaseChannels) private readonly channels: CaseChannels,
    @Inject(InboundApplier) private readonly applier: InboundApplier,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    this.listener = new PgNotificationListener({
      connection: this.context.pool.options,
      channel: OUTBOUND_CHANNEL,
      name: 'delivery listener',
      logger: this.context.logger,
      // Also called once listening (again): messages may have committed while nobody listened.
      onNotification: () => {
        this.notify();
      },
    });
    await this.listener.start();
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // No reconnecting while the sends in flight finish; the connection is closed at the end.
    const listener = this.listener;
    this.listener = undefined;
    const listenerStopped = listener?.stop();
    this.wake?.();
    await this.loop;
    const sending = this.inFlight.size;
    await Promise.all(this.inFlight.values());
    this.context.logger.info({ finishedSends: sending }, 'delivery worker stopped');
    await listenerStopped;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      let waitMs = this.settings.pollMs;
      try {
        const free = this.settings.deliveryConcurrency - this.inFlight.size;
        if (free > 0) {
          const heads = await this.heads(free);
          for (const head of heads) {
            if (head.due) this.start(head.message_id);
            else waitMs = Math.min(waitMs, Math.max(head.wait_ms, 10));
          }
        }
      } catch (error) {
        this.context.logger.error({ err: error }, 'delivery worker could not read its queue');
      }
      if (!this.notifiedDuringPass() && this.isRunning()) await this.sleep(waitMs);
    }
  }

  /**
   * The first undelivered message of each case (per recipient) that is not being sent now — by
   * this worker (in flight) or another instance (row locked) — due ones first. A message behind a
   * FAILED one is never sent: its predecessor never arrived (until an operator puts that one back
   * in the queue and it is delivered).
   */
  private async heads(limit: number): Promise<Head[]> {
    return this.prisma.$transaction((tx) =>
      tx.$queryRawUnsafe<Head[]>(
        `SELECT m.message_id::text AS message_id,
              m.next_attempt_at <= now() AS due,
              GREATEST(0, ceil(extract(epoch FROM (m.next_attempt_at - now())) * 1000))::int AS wait_ms
         FROM outbound_message m
        WHERE m.state = 'PENDING'
          AND NOT (m.message_id::text = ANY($1::text[]))
          AND NOT EXISTS (
                SELECT 1 FROM outbound_message p
                 WHERE p.case_id = m.case_id AND p.recipient_region = m.recipient_region
                   AND p.sequence < m.sequence AND p.state IN ('PENDING', 'FAILED'))
        ORDER BY m.next_attempt_at, m.created_at
        LIMIT $2
          FOR UPDATE OF m SKIP LOCKED`,
        [...this.inFlight.keys()],
        limit,
      ),
    );
  }

  private start(messageId: string): void {
    const task = this.deliver(messageId)
      .catch(async (error: unknown) => {
        this.context.logger.error({ err: error, messageId }, 'delivery attempt crashed');
        await this.backOffAfterCrash(messageId, error);
      })
      .finally(() => {
        this.inFlight.delete(messageId);
        this.notify();
      });
    this.inFlight.set(messageId, task);
  }

  private async deliver(messageId: string): Promise<void> {
    const message = await this.prisma.outboundMessage.findUnique({ where: { messageId } });
    if (message?.state !== 'PENDING') return;
    const envelope = Envelope.decode(message.envelope);
    await inEnvelopeTrace(
      'exchange.deliver',
      envelope,
      { caseId: message.caseId, messageId, peerRegion: message.recipientRegion },
      async (span) => {
        span.setAttribute('tongban.exchange.attempt', message.attempts + 1);
        span.setAttribute('tongban.exchange.sequence', message.sequence);
        let uploadError: unknown;
        try {
          await this.uploadBlobs(message, envelope);
        } catch (error) {
          uploadError = error;
        }
        await this.prisma.$transaction(
          async (tx) => {
            const current = await this.lock(tx, messageId);
            if (!current) return; // another worker has it, or it is finished
            let outcome: { signed: SignedReceipt; receipt: Receipt } | { error: unknown };
            if (uploadError !== undefined) {
              outcome = { error: uploadError };
            } else {
              try {
                const signed = await this.clients.deliver(
                  current.recipientRegion,
                  signedEnvelopeOf(current),
                  this.settings.deliverTimeoutMs,
                );
                outcome = { signed, receipt: await this.verifyReceipt(current, signed) };
              } catch (error) {
                outcome = { error };
              }
            }
            // Lock order of every writer: case channel, then the message log's head (appending).
            // Taken only now, so the case is not held up while the partner answers.
            await this.channels.lock(tx, current.caseId, current.recipientRegion);
            if ('error' in outcome) {
              await this.retryOrFail(tx, current, outcome.error);
              return;
            }
            const { signed: signedReceipt, receipt } = outcome;
            if (receipt.status === ReceiptStatus.RECEIPT_STATUS_ACCEPTED) {
              await this.accepted(tx, current, signedReceipt, receipt);
            } else {
              await this.rejected(tx, current, signedReceipt, receipt);
            }
          },
          { timeout: this.settings.deliverTimeoutMs + 15_000, maxWait: 10_000 },
        );
      },
    );
  }

  /**
   * An attempt that failed outside the partner call (a database error while recording, say) still
   * counts and waits its backoff: a persistent fault must not resend the envelope in a tight loop.
   */
  private async backOffAfterCrash(messageId: string, error: unknown): Promise<void> {
    try {
      const message = await this.prisma.outboundMessage.findUnique({ where: { messageId } });
      if (message?.state !== 'PENDING') return;
      await this.prisma.outboundMessage.updateMany({
        where: { messageId, state: 'PENDING', attempts: message.attempts },
        data: {
          attempts: message.attempts + 1,
          lastError: describe(error),
          nextAttemptAt: new Date(Date.now() + this.settings.backoffMs(message.attempts + 1)),
        },
      });
    } catch (recordError) {
      this.context.logger.error({ err: recordError, messageId }, 'could not record the crash');
    }
  }

  private async lock(tx: PrismaTx, messageId: string): Promise<OutboundMessage | undefined> {
    const rows = await tx.$queryRawUnsafe<{ message_id: string }[]>(
      `SELECT message_id::text AS message_id FROM outbound_message
        WHERE message_id = $1::uuid AND state = 'PENDING' FOR UPDATE SKIP LOCKED`,
      messageId,
    );
    if (rows.length === 0) return undefined;
    return (await tx.outboundMessage.findUnique({ where: { messageId } })) ?? undefined;
  }

  /**
   * The blobs the envelope names (a case's or a supplement's materials, survey media), streamed
   * before it: the partner accepts an envelope only when it holds every blob it references.
   */
  private async uploadBlobs(message: OutboundMessage, envelope: Envelope): Promise<void> {
    for (const blob of blobsToPush(envelope)) {
      const response = await this.clients.putBlob(
        message.recipientRegion,
        {
          sha256: blob.sha256,
          sizeBytes: blob.sizeBytes,
          contentType: blob.contentType,
          caseId: message.caseId,
        },
        this.blobs.stream(blob.sha256, { chunkBytes: CHUNK_BYTES }),
        // A generous deadline that grows with the size (at least 1 MB/s).
        30_000 + Math.ceil(blob.sizeBytes / 1_000),
      );
      if (response.sha256 !== blob.sha256) {
        throw new AttemptFailed(
          `${message.recipientRegion} acknowledged blob ${response.sha256} for ${blob.sha256}`,
        );
      }
    }
  }

  /** A receipt counts only when the recipient signed it for exactly these bytes. */
  private async verifyReceipt(message: OutboundMessage, signed: SignedReceipt): Promise<Receipt> {
    const open = () =>
      openReceipt(signed, this.trust.ring, { addressedTo: this.context.regionCode }).receipt;
    let receipt: Receipt;
    try {
      try {
        receipt = open();
      } catch (error) {
        // The partner may have rotated its key: fetch its published keys once, then decide.
        if (!(error instanceof TrustError) || error.code !== 'EXCHANGE.UNKNOWN_KEY') throw error;
        if (!(await this.directory.refreshKeys(message.recipientRegion))) throw error;
        receipt = open();
      }
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      throw new AttemptFailed(`receipt refused: ${error.code} ${error.message}`, { cause: error });
    }
    const problems = [
      receipt.receiverRegion !== message.recipientRegion &&
        `signed by ${receipt.receiverRegion}, not ${message.recipientRegion}`,
      receipt.messageId !== message.messageId && `for message ${receipt.messageId}`,
      receipt.envelopeSha256 !== message.envelopeSha256 &&
        `for envelope bytes ${receipt.envelopeSha256}, not ${message.envelopeSha256}`,
      receipt.status !== ReceiptStatus.RECEIPT_STATUS_ACCEPTED &&
        receipt.status !== ReceiptStatus.RECEIPT_STATUS_REJECTED &&
        `with status ${String(receipt.status)}`,
    ].filter((problem): problem is string => typeof problem === 'string');
    if (problems.length > 0) {
      throw new AttemptFailed(`receipt does not acknowledge this message: ${problems.join('; ')}`);
    }
    return receipt;
  }

  private async accepted(
    tx: PrismaTx,
    message: OutboundMessage,
    signedReceipt: SignedReceipt,
    receipt: Receipt,
  ): Promise<void> {
    await this.finish(tx, message, 'DELIVERED', signedReceipt, {});
    await this.log(tx, message, 'ACCEPTED', undefined, signedReceipt);
    if (message.kind === 'CASE_TRANSFER') {
      const channel = await this.channels.lock(tx, message.caseId, message.recipientRegion);
      if (channel) {
        const acceptedAt = receipt.receivedAt ?? new Date();
        await tx.caseChannel.update({
          where: {
            caseId_peerRegion: { caseId: message.caseId, peerRegion: message.recipientRegion },
          },
          data: { transferAcceptedAt: acceptedAt },
        });
        await this.events.publish(
          tx,
          message.caseId,
          { correlationId: channel.correlationId, causationId: message.messageId },
          RemoteStatusChanged,
          RemoteStatusChanged.fromPartial({
            caseId: message.caseId,
            handlingRegion: message.recipientRegion,
            status: CaseStatus.CASE_STATUS_RECEIVED,
            at: acceptedAt,
          }),
        );
        // Reports of the handler that overtook this receipt wait for it; they go now.
        await this.applier.applyReady(tx, message.recipientRegion, message.caseId);
      }
    }
    this.context.logger.info(
      {
        caseId: message.caseId,
        messageId: message.messageId,
        recipient: message.recipientRegion,
        sequence: message.sequence,
        attempts: message.attempts + 1,
        logIndex: receipt.logIndex,
      },
      'message delivered',
    );
  }

  private async rejected(
    tx: PrismaTx,
    message: OutboundMessage,
    signedReceipt: SignedReceipt,
    receipt: Receipt,
  ): Promise<void> {
    await this.finish(tx, message, 'REJECTED', signedReceipt, {
      errorCode: receipt.errorCode,
      lastError: receipt.errorMessage,
    });
    await this.log(tx, message, 'REJECTED', receipt.errorCode, signedReceipt);
    await this.alert(
      tx,
      message,
      message.attempts + 1,
      `${receipt.errorCode} ${receipt.errorMessage}`,
    );
    this.context.logger.error(
      {
        caseId: message.caseId,
        messageId: message.messageId,
        recipient: message.recipientRegion,
        code: receipt.errorCode,
      },
      'message refused by the partner',
    );
  }

  private async retryOrFail(tx: PrismaTx, message: OutboundMessage, error: unknown): Promise<void> {
    const attempts = message.attempts + 1;
    const lastError = describe(error);
    const spent =
      Date.now() - message.retryBudgetFrom.getTime() >= this.settings.retryBudgetMs ||
      (this.settings.maxAttempts > 0 && attempts >= this.settings.maxAttempts);
    if (!spent) {
      const retryInMs = this.settings.backoffMs(attempts);
      await tx.outboundMessage.update({
        where: { messageId: message.messageId },
        data: { attempts, lastError, nextAttemptAt: new Date(Date.now() + retryInMs) },
      });
      // The first failure and then every doubling of the count: an outage of hours stays readable.
      const level = Number.isInteger(Math.log2(attempts)) ? 'warn' : 'debug';
      this.context.logger[level](
        {
          caseId: message.caseId,
          messageId: message.messageId,
          recipient: message.recipientRegion,
          attempts,
          retryInMs,
          error: lastError,
        },
        'delivery attempt failed; retrying',
      );
      return;
    }
    await tx.outboundMessage.update({
      where: { messageId: message.messageId },
      data: {
        state: 'FAILED',
        attempts,
        lastError,
        errorCode: RETRY_BUDGET_SPENT,
        finishedAt: new Date(),
      },
    });
    await this.log(tx, message, 'FAILED', RETRY_BUDGET_SPENT);
    await this.alert(tx, message, attempts, lastError);
    this.context.logger.error(
      {
        caseId: message.caseId,
        messageId: message.messageId,
        recipient: message.recipientRegion,
        attempts,
        error: lastError,
      },
      'message failed: retry budget spent; the case waits for an operator',
    );
  }

  private async finish(
    tx: PrismaTx,
    message: OutboundMessage,
    state: 'DELIVERED' | 'REJECTED',
    receipt: SignedReceipt,
    details: { errorCode?: string; lastError?: string },
  ): Promise<void> {
    await tx.outboundMessage.update({
      where: { messageId: message.messageId },
      data: {
        state,
        attempts: message.attempts + 1,
        finishedAt: new Date(),
        receipt: toColumn(receipt.receipt),
        receiptSignature: toColumn(receipt.signature),
        receiptKeyId: receipt.keyId,
        errorCode: details.errorCode ?? null,
        lastError: details.lastError ?? null,
      },
    });
  }

  private async log(
    tx: PrismaTx,
    message: OutboundMessage,
    status: 'ACCEPTED' | 'REJECTED' | 'FAILED',
    errorCode?: string,
    receipt?: SignedReceipt,
  ): Promise<void> {
    await appendLogEntry(prismaExecutor(tx), {
      direction: 'OUT',
      peerRegion: message.recipientRegion,
      messageId: message.messageId,
      caseId: message.caseId,
      sequence: message.sequence,
      status,
      errorCode,
      envelope: signedEnvelopeOf(message),
      receipt,
    });
  }

  /** DeliveryFailed: operators must act (the case does not move until they do). */
  private async alert(
    tx: PrismaTx,
    message: OutboundMessage,
    attempts: number,
    lastError: string,
  ): Promise<void> {
    const channel = await tx.caseChannel.findUnique({
      where: {
        caseId_peerRegion: { caseId: message.caseId, peerRegion: message.recipientRegion },
      },
    });
    const cause: EventCause = {
      correlationId: channel?.correlationId ?? message.messageId,
      causationId: message.messageId,
    };
    await this.events.publish(tx, message.caseId, cause, DeliveryFailed, {
      caseId: message.caseId,
      messageId: message.messageId,
      recipientRegion: message.recipientRegion,
      attempts,
      lastError: lastError.slice(0, 2_000),
    });
  }

  private isRunning(): boolean {
    return this.running;
  }

  /** Whether new work was signalled while the last pass ran (then there is no pause). */
  private notifiedDuringPass(): boolean {
    return this.wakeRequested;
  }

  private notify(): void {
    this.wakeRequested = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }
}

function signedEnvelopeOf(message: OutboundMessage): SignedEnvelope {
  return {
    envelope: fromColumn(message.envelope),
    signature: fromColumn(message.signature),
    keyId: message.keyId,
  };
}

function describe(error: unknown): string {
  if (error instanceof PartnerCallError) {
    return `${error.errorCode ?? `gRPC ${String(error.grpcCode)}`}: ${error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
