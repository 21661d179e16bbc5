import { Inject, Injectable } from '@nestjs/common';
import { CaseStatus, TimelineKind } from '@tongban/contracts/tongban/case/v1/case';
import {
  Envelope,
  ReceiptStatus,
  SignedEnvelope,
  type SignedReceipt,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { isBlobAddress, type BlobStore } from '@tongban/blobs';
import { partnerMayRequest, statusLabel } from '@tongban/domain';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import {
  appendLogEntry,
  openEnvelope,
  sealReceipt,
  sha256Hex,
  TrustError,
  type LogStatus,
} from '@tongban/trust';
import { BLOB_STORE } from '../blobs/blob-store.provider';
import { DirectoryService } from '../directory/directory.service';
import { ExchangeError, type ExchangeErrorCode } from '../exchange-error';
import type { CaseChannel } from '../../prisma/generated/client';
import { fromColumn, toColumn } from '../messages/bytes';
import { statusFromName, statusName } from '../messages/case-status-names';
import { CaseChannels } from '../messages/case-channels';
import { InboundApplier } from '../messages/inbound-applier';
import { envelopeKind, KIND_NAMES } from '../messages/message-kind';
import { referencedBlobs } from '../messages/referenced-blobs';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import { ExchangeTrust, type PartnerTrust } from '../trust/exchange-trust';

interface Refusal {
  code: ExchangeErrorCode;
  /** For the partner's operators, in the signed receipt. */
  message: string;
}

/** What the origin may report about a case it forwarded to us; everything else is the handler's. */
const ORIGIN_STATUSES: ReadonlySet<CaseStatus> = new Set([CaseStatus.CASE_STATUS_WITHDRAWN]);
/** Statuses a handler never reports: they happen at the origin. */
const ORIGIN_ONLY: ReadonlySet<CaseStatus> = new Set([
  CaseStatus.CASE_STATUS_SUBMITTED,
  CaseStatus.CASE_STATUS_FORWARDED,
  CaseStatus.CASE_STATUS_WITHDRAWN,
]);
/** What survey evidence may be: photos and videos (远程踏勘). */
const SURVEY_MEDIA_TYPE = /^(image|video)\//;

/**
 * Deliver, the receiving half of store-and-forward. Every envelope is logged in the hash-chained
 * IN log and answered with a receipt signed by this region — also a refusal, with a stable code.
 * The checks, in this order:
 *
 * 1. the bytes decode to an envelope with a message id (otherwise there is nothing to sign a
 *    receipt for: the call is refused with EXCHANGE.MALFORMED, and still logged);
 * 2. the sender is a partner (UNKNOWN_SENDER), and the certificate of the call is that
 *    partner's (PEER_MISMATCH) — a partner cannot speak for another;
 * 3. the signature verifies over the exact bytes (UNKNOWN_KEY, BAD_SIGNATURE), and the envelope
 *    is addressed to us (WRONG_RECIPIENT);
 * 4. a message id seen before is answered with the original receipt, byte for byte;
 * 5. a sequence number used once (SEQUENCE_REUSED), then the body:
 *    - its shape (MALFORMED): a case transfer for an item of our agreement with the sender
 *      (ITEM_NOT_IN_AGREEMENT), from its origin (ORIGIN_MISMATCH);
 *    - who may send it (CASE_UNKNOWN, WRONG_DIRECTION, STATUS_NOT_ALLOWED): a case transfer,
 *      supplement or survey evidence only comes from the case's origin to us as its handler; a
 *      status report or notice only from the handler to us as the origin — except WITHDRAWN,
 *      which the origin reports to us as the handler;
 *    - a supplement or survey evidence answers the round we asked for last and that is still
 *      open (SUPPLEMENT_NOT_REQUESTED, SURVEY_NOT_REQUESTED);
 *    - every blob it names is here with the announced hash and size (MISSING_BLOB): materials of
 *      a case or a supplement, survey media. The store admits a blob only under the SHA-256 of
 *      its content, so holding the address is holding that content.
 *
 * Until the signature verified, nothing about the message is stored but the log entry: a forger
 * must not be able to occupy a message id that the real sender will use later.
 */
@Injectable()
export class InboundService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ExchangeTrust) private readonly trust: ExchangeTrust,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(InboundApplier) private readonly applier: InboundApplier,
    @Inject(CaseChannels) private readonly channels: CaseChannels,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async deliver(
    received: SignedEnvelope | undefined,
    peer: PartnerTrust | undefined,
  ): Promise<SignedReceipt> {
    const signed = received ?? SignedEnvelope.fromPartial({});
    let envelope: Envelope | undefined;
    try {
      envelope = signed.envelope.length > 0 ? Envelope.decode(signed.envelope) : undefined;
    } catch {
      envelope = undefined;
    }
    const sender = [envelope?.senderRegion, peer?.region].find(Boolean) ?? '';
    if (!envelope || envelope.messageId === '' || sender === '') {
      await this.prisma.$transaction((tx) =>
        this.log(tx, signed, envelope, sender || 'unknown', 'REJECTED', 'EXCHANGE.MALFORMED'),
      );
      this.context.logger.warn({ peer: peer?.region }, 'undecodable envelope refused');
      throw new ExchangeError(
        'EXCHANGE.MALFORMED',
        '报文无法解析（不是有效的 Envelope 或缺少报文编号），已拒收；请检查发送方的报文编码。',
      );
    }
    return withSpan(
      'exchange.receive',
      {
        attributes: {
          [CASE_ID_ATTRIBUTE]: envelope.caseId,
          'tongban.exchange.message_id': envelope.messageId,
        },
      },
      () => this.receive(signed, envelope, peer),
    );
  }

  private async receive(
    signed: SignedEnvelope,
    envelope: Envelope,
    peer: PartnerTrust | undefined,
  ): Promise<SignedReceipt> {
    const sender = envelope.senderRegion;
    if (!this.trust.partner(sender)) {
      return this.refuse(signed, envelope, {
        code: 'EXCHANGE.UNKNOWN_SENDER',
        message: `发送方 ${sender || '（空）'} 不是 ${this.context.regionCode} 的合作地区，报文已拒收。`,
      });
    }
    if (peer?.region !== sender) {
      return this.refuse(signed, envelope, {
        code: 'EXCHANGE.PEER_MISMATCH',
        message: `报文声称来自 ${sender}，但本次连接的证书${peer ? `属于 ${peer.region}` : '不属于任何合作地区'}，报文已拒收。`,
      });
    }
    try {
      await this.open(signed);
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      return this.refuse(signed, envelope, this.trustRefusal(error, envelope, signed.keyId));
    }
    // Authenticated from here on. The checks that need no lock are made before the transaction.
    const bodyProblem = this.bodyProblem(envelope);
    const blobProblem = bodyProblem ? undefined : await this.blobProblem(envelope);
    return this.prisma.$transaction(
      async (tx) => {
        // One case of one sender at a time: duplicates, sequence checks and applying in order.
        await tx.$queryRawUnsafe(
          'SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS lock',
          `exchange.inbound/${sender}/${envelope.caseId}`,
        );
        // Lock order of every writer: case channel, then the message log's head (appending).
        await this.channels.lock(tx, envelope.caseId, sender);
        const original = await tx.inboundMessage.findUnique({
          where: {
            senderRegion_messageId: { senderRegion: sender, messageId: envelope.messageId },
          },
        });
        if (original) {
          const receipt: SignedReceipt = {
            receipt: fromColumn(original.receipt),
            signature: fromColumn(original.receiptSignature),
            keyId: original.receiptKeyId,
          };
          await this.log(tx, signed, envelope, sender, 'DUPLICATE', undefined, receipt);
          this.context.logger.info(
            { caseId: envelope.caseId, messageId: envelope.messageId, sender },
            'duplicate envelope answered with its original receipt',
          );
          return receipt;
        }
        const clash = await tx.inboundMessage.findUnique({
          where: {
            senderRegion_caseId_sequence: {
              senderRegion: sender,
              caseId: envelope.caseId,
              sequence: envelope.sequence,
            },
          },
        });
        if (clash) {
          return this.sealRefusal(tx, signed, envelope, {
            code: 'EXCHANGE.SEQUENCE_REUSED',
            message: `案件 ${envelope.caseId} 的序号 ${envelope.sequence} 已由报文 ${clash.messageId} 使用，报文已拒收。`,
          });
        }
        const refusal = bodyProblem ?? (await this.channelProblem(tx, envelope)) ?? blobProblem;
        const { receipt, receivedAt } = await this.acknowledge(tx, signed, envelope, refusal);
        await tx.inboundMessage.create({
          data: {
            senderRegion: sender,
            messageId: envelope.messageId,
            caseId: envelope.caseId,
            sequence: envelope.sequence,
            // A body-less envelope was refused above (MALFORMED); it is kept as what it claims.
            kind: envelopeKind(envelope) ?? 'STATUS_REPORT',
            state: refusal ? 'REJECTED' : 'HELD',
            errorCode: refusal?.code ?? null,
            envelope: toColumn(signed.envelope),
            signature: toColumn(signed.signature),
            keyId: signed.keyId,
            envelopeSha256: sha256Hex(signed.envelope),
            receipt: toColumn(receipt.receipt),
            receiptSignature: toColumn(receipt.signature),
            receiptKeyId: receipt.keyId,
            receivedAt,
          },
        });
        const applied = await this.applier.applyReady(tx, sender, envelope.caseId);
        this.context.logger.info(
          {
            caseId: envelope.caseId,
            messageId: envelope.messageId,
            sender,
            sequence: envelope.sequence,
            refused: refusal?.code,
            applied,
          },
          refusal ? 'envelope refused' : 'envelope accepted',
        );
        return receipt;
      },
      { timeout: 15_000, maxWait: 10_000 },
    );
  }

  /** Verifies the signature; a key id we do not know yet makes us fetch the sender's keys once. */
  private async open(signed: SignedEnvelope): Promise<void> {
    const options = { addressedTo: this.context.regionCode };
    try {
      openEnvelope(signed, this.trust.ring, options);
    } catch (error) {
      if (!(error instanceof TrustError) || error.code !== 'EXCHANGE.UNKNOWN_KEY') throw error;
      const sender = Envelope.decode(signed.envelope).senderRegion;
      if (!(await this.directory.refreshKeys(sender))) throw error;
      openEnvelope(signed, this.trust.ring, options);
    }
  }

  /** Checks of the body's shape that need nothing stored (the sender is authenticated already). */
  private bodyProblem(envelope: Envelope): Refusal | undefined {
    const own = this.context.regionCode;
    const sender = envelope.senderRegion;
    if (envelope.caseTransfer) {
      const submitted = envelope.caseTransfer.case;
      if (!submitted) return malformed('案件转递报文缺少案件内容');
      if (envelope.sequence !== 1) return malformed('案件转递必须是该案件的第 1 号报文');
      if (submitted.caseId !== envelope.caseId || submitted.handlingRegion !== own) {
        return malformed(`报文中的案件编号或办理地与报文头不一致（办理地应为 ${own}）`);
      }
      if (submitted.originRegion !== sender) {
        return {
          code: 'EXCHANGE.ORIGIN_MISMATCH',
          message: `案件 ${submitted.caseId} 的受理地是 ${submitted.originRegion}，不是发送方 ${sender}，报文已拒收。`,
        };
      }
      if (!partnerMayRequest(this.context.region, sender, submitted.itemCode)) {
        return {
          code: 'EXCHANGE.ITEM_NOT_IN_AGREEMENT',
          message: `事项 ${submitted.itemCode} 不在 ${own} 与 ${sender} 的通办协议中，${own} 不能受理该案件。`,
        };
      }
      return undefined;
    }
    if (envelope.statusReport) {
      const { status } = envelope.statusReport;
      if (status === CaseStatus.CASE_STATUS_UNSPECIFIED || status === CaseStatus.UNRECOGNIZED) {
        return malformed('状态报告缺少有效的案件状态');
      }
      return undefined;
    }
    if (envelope.supplement) {
      if (envelope.supplement.round < 1) return malformed('补正材料报文缺少补正轮次');
      if (envelope.supplement.materials.length === 0) {
        return malformed('补正材料报文中没有任何材料');
      }
      return undefined;
    }
    if (envelope.surveyEvidence) {
      const { round, media } = envelope.surveyEvidence;
      if (round < 1) return malformed('踏勘材料报文缺少踏勘轮次');
      if (media.length === 0) return malformed('踏勘材料报文中没有任何照片或视频');
      const other = media.find((medium) => !SURVEY_MEDIA_TYPE.test(medium.contentType));
      if (other) {
        return malformed(
          `踏勘点 ${other.checkpoint} 的文件类型 ${other.contentType || '（空）'} 不是照片或视频`,
        );
      }
      return undefined;
    }
    if (envelope.notice) {
      const { kind } = envelope.notice;
      if (kind === TimelineKind.TIMELINE_KIND_UNSPECIFIED || kind === TimelineKind.UNRECOGNIZED) {
        return malformed('办件通知缺少有效的类型');
      }
      return undefined;
    }
    return malformed('报文没有可识别的内容（案件转递、状态报告、补正材料、踏勘材料或办件通知）');
  }

  /** Every blob the envelope names must be here, with the announced size, before we accept it. */
  private async blobProblem(envelope: Envelope): Promise<Refusal | undefined> {
    const kind = envelopeKind(envelope);
    const what = kind ? KIND_NAMES[kind] : '报文';
    for (const blob of referencedBlobs(envelope)) {
      const present =
        isBlobAddress(blob.sha256) &&
        (await this.blobs.has(blob.sha256)) &&
        (await this.blobs.size(blob.sha256)) === blob.sizeBytes;
      if (!present) {
        return {
          code: 'EXCHANGE.MISSING_BLOB',
          message: `${blob.label}（SHA-256 ${blob.sha256.slice(0, 12)}…）未收到或大小不符，${what}已拒收：发送方须先用 PutBlob 上传，再发送${what}。`,
        };
      }
    }
    return undefined;
  }

  /**
   * Who may send what about a case: a case transfer about a case not exchanged yet; everything
   * else about a case exchanged with its sender, in the direction of the body (see the class
   * comment).
   */
  private async channelProblem(tx: PrismaTx, envelope: Envelope): Promise<Refusal | undefined> {
    const sender = envelope.senderRegion;
    const own = this.context.regionCode;
    const kind = envelopeKind(envelope);
    const what = kind ? KIND_NAMES[kind] : '报文';
    const channel = await tx.caseChannel.findUnique({
      where: { caseId_peerRegion: { caseId: envelope.caseId, peerRegion: sender } },
    });
    if (envelope.caseTransfer) {
      if (!channel) return undefined;
      return channel.role === 'ORIGIN'
        ? wrongDirection(envelope, what, `案件由 ${own} 受理、由 ${sender} 办理`)
        : malformed(`案件 ${envelope.caseId} 已在 ${sender} 与本地区之间往来，不能再次转递`);
    }
    if (!channel) {
      return {
        code: 'EXCHANGE.CASE_UNKNOWN',
        message: `案件 ${envelope.caseId} 不是 ${own} 与 ${sender} 之间往来的案件，${what}已拒收。`,
      };
    }
    const report = envelope.statusReport;
    if (report) {
      const allowed =
        channel.role === 'ORIGIN'
          ? !ORIGIN_ONLY.has(report.status)
          : ORIGIN_STATUSES.has(report.status);
      if (!allowed) {
        return {
          code: 'EXCHANGE.STATUS_NOT_ALLOWED',
          message: `${sender} 不能报告案件 ${envelope.caseId} 的状态 ${statusName(report.status)}，状态报告已拒收。`,
        };
      }
      return undefined;
    }
    const roles =
      channel.role === 'ORIGIN'
        ? `案件由 ${own} 受理、由 ${sender} 办理`
        : `案件由 ${sender} 受理、由 ${own} 办理`;
    if (envelope.notice) {
      return channel.role === 'ORIGIN' ? undefined : wrongDirection(envelope, what, roles);
    }
    if (channel.role !== 'HANDLER') return wrongDirection(envelope, what, roles);
    if (envelope.supplement) {
      return this.roundProblem(tx, channel, envelope.supplement.round, {
        code: 'EXCHANGE.SUPPLEMENT_NOT_REQUESTED',
        requested: 'SUPPLEMENT_REQUESTED',
        what: '补正',
      });
    }
    if (envelope.surveyEvidence) {
      return this.roundProblem(tx, channel, envelope.surveyEvidence.round, {
        code: 'EXCHANGE.SURVEY_NOT_REQUESTED',
        requested: 'SURVEY_REQUIRED',
        what: '远程踏勘',
      });
    }
    return undefined;
  }

  /**
   * A supplement or survey evidence answers the last round we asked the origin for, while the
   * case still waits for it: a late answer (the case was decided or the round was replaced)
   * would otherwise reach review with nothing to attach it to.
   */
  private async roundProblem(
    tx: PrismaTx,
    channel: CaseChannel,
    round: number,
    request: {
      code: 'EXCHANGE.SUPPLEMENT_NOT_REQUESTED' | 'EXCHANGE.SURVEY_NOT_REQUESTED';
      requested: 'SUPPLEMENT_REQUESTED' | 'SURVEY_REQUIRED';
      what: string;
    },
  ): Promise<Refusal | undefined> {
    const last = await tx.outboundMessage.findFirst({
      where: {
        caseId: channel.caseId,
        recipientRegion: channel.peerRegion,
        kind: 'STATUS_REPORT',
        status: request.requested,
      },
      orderBy: { sequence: 'desc' },
    });
    if (channel.reportedStatus === request.requested && last?.round === round) return undefined;
    const current = statusLabel(statusFromName(channel.reportedStatus ?? 'RECEIVED'));
    const open =
      channel.reportedStatus === request.requested && last
        ? `待办的是第 ${String(last.round)} 轮${request.what}`
        : `当前没有待办的${request.what}要求（办理地状态：${current}）`;
    return {
      code: request.code,
      message: `案件 ${channel.caseId} 的第 ${String(round)} 轮${request.what}材料已拒收：${open}。`,
    };
  }

  private trustRefusal(error: TrustError, envelope: Envelope, keyId: string): Refusal {
    switch (error.code) {
      case 'EXCHANGE.UNKNOWN_KEY':
        return {
          code: 'EXCHANGE.UNKNOWN_KEY',
          message: `${envelope.senderRegion} 的签名密钥 ${keyId || '（空）'} 未在 ${this.context.regionCode} 登记，也不在其公布的密钥中，报文已拒收；如已更换密钥，请确认新密钥已公布。`,
        };
      case 'EXCHANGE.BAD_SIGNATURE':
        return {
          code: 'EXCHANGE.BAD_SIGNATURE',
          message: `报文签名与 ${envelope.senderRegion} 的公钥不符（报文可能被篡改或伪造），已拒收。`,
        };
      case 'EXCHANGE.WRONG_RECIPIENT':
        return {
          code: 'EXCHANGE.WRONG_RECIPIENT',
          message: `报文的接收方是 ${envelope.recipientRegion}，不是 ${this.context.regionCode}，已拒收。`,
        };
      case 'EXCHANGE.UNKNOWN_SENDER':
        return {
          code: 'EXCHANGE.UNKNOWN_SENDER',
          message: `发送方 ${envelope.senderRegion} 不是合作地区，报文已拒收。`,
        };
      default:
        return malformed(error.message);
    }
  }

  /** A refusal before anything about the message may be stored: logged and signed, not kept. */
  private refuse(
    signed: SignedEnvelope,
    envelope: Envelope,
    refusal: Refusal,
  ): Promise<SignedReceipt> {
    this.context.logger.warn(
      { caseId: envelope.caseId, sender: envelope.senderRegion, code: refusal.code },
      'envelope refused',
    );
    return this.prisma.$transaction((tx) => this.sealRefusal(tx, signed, envelope, refusal));
  }

  private async sealRefusal(
    tx: PrismaTx,
    signed: SignedEnvelope,
    envelope: Envelope,
    refusal: Refusal,
  ): Promise<SignedReceipt> {
    return (await this.acknowledge(tx, signed, envelope, refusal)).receipt;
  }

  /** Logs the envelope and signs the receipt that names the log entry. */
  private async acknowledge(
    tx: PrismaTx,
    signed: SignedEnvelope,
    envelope: Envelope,
    refusal: Refusal | undefined,
  ): Promise<{ receipt: SignedReceipt; receivedAt: Date }> {
    const logged = await this.log(
      tx,
      signed,
      envelope,
      envelope.senderRegion,
      refusal ? 'REJECTED' : 'ACCEPTED',
      refusal?.code,
    );
    const receipt = sealReceipt(
      {
        messageId: envelope.messageId,
        senderRegion: envelope.senderRegion,
        receiverRegion: this.context.regionCode,
        status: refusal
          ? ReceiptStatus.RECEIPT_STATUS_REJECTED
          : ReceiptStatus.RECEIPT_STATUS_ACCEPTED,
        errorCode: refusal?.code ?? '',
        errorMessage: refusal?.message ?? '',
        envelopeSha256: sha256Hex(signed.envelope),
        receivedAt: logged.loggedAt,
        logIndex: logged.logIndex,
        logHash: logged.entryHash,
      },
      this.trust.signer,
    );
    return { receipt, receivedAt: logged.loggedAt };
  }

  private log(
    tx: PrismaTx,
    signed: SignedEnvelope,
    envelope: Envelope | undefined,
    peerRegion: string,
    status: LogStatus,
    errorCode?: string,
    receipt?: SignedReceipt,
  ) {
    const sequence = envelope?.sequence ?? 0;
    return appendLogEntry(prismaExecutor(tx), {
      direction: 'IN',
      peerRegion,
      messageId: envelope?.messageId ?? '',
      caseId: envelope?.caseId ?? '',
      sequence: Number.isSafeInteger(sequence) && sequence >= 0 ? sequence : 0,
      status,
      errorCode,
      envelope: signed,
      receipt,
    });
  }
}

function wrongDirection(envelope: Envelope, what: string, roles: string): Refusal {
  return {
    code: 'EXCHANGE.WRONG_DIRECTION',
    message: `${envelope.senderRegion} 不能向 ${envelope.recipientRegion} 发送案件 ${envelope.caseId} 的${what}（${roles}），报文已拒收。`,
  };
}

function malformed(detail: string): Refusal {
  return { code: 'EXCHANGE.MALFORMED', message: `报文格式不符：${detail}，已拒收。` };
}
