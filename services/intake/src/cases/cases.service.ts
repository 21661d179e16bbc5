import { Inject, Injectable } from '@nestjs/common';
import type { BlobStore } from '@tongban/blobs';
import {
  CaseStatus as ProtoCaseStatus,
  type MaterialRef,
} from '@tongban/contracts/tongban/case/v1/case';
import type { CatalogItem } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { CaseSubmitted, CaseWithdrawn } from '@tongban/contracts/tongban/intake/v1/events';
import type {
  ListCasesRequest,
  SubmitCaseRequest,
  WithdrawCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import {
  assertTransition,
  chinaDay,
  DomainError,
  formatCaseNumber,
  parseCaseNumber,
} from '@tongban/domain';
import { enqueueEvents, newEventMetadata, type OutgoingEvent } from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import { Prisma } from '../../prisma/generated/client';
import { PartnerCatalogService } from '../catalog/partner-catalog.service';
import { IntakeSettings } from '../intake-settings';
import { BLOB_STORE } from '../materials/blob-store.provider';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import { statusFromProto, statusToProto } from './case-status';
import { WITH_HISTORY, type CaseWithHistory } from './case-view';
import { lockCase } from './lock-case';
import { IntakeError } from './intake-error';
import {
  checkAgainstCatalog,
  checkSubmission,
  idempotencyKeyOf,
  requestDigest,
  sha256Of,
  type CheckedMaterial,
  type CheckedSubmission,
} from './submission-checks';

const MAX_SEQUENCE = 999_999;

/**
 * The origin's front door: accepts a case only after every check passed (形式审查), numbers it,
 * keeps its materials as blobs and announces it to the exchange through the outbox; withdraws
 * open cases; answers the window's reads.
 */
@Injectable()
export class CasesService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(IntakeSettings) private readonly settings: IntakeSettings,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(PartnerCatalogService) private readonly catalog: PartnerCatalogService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async submit(request: SubmitCaseRequest): Promise<CaseWithHistory> {
    const key = idempotencyKeyOf(request);
    const hashes = request.materials.map((material) => sha256Of(material.content));
    const digest = requestDigest(request, hashes);
    // A retry returns what the first attempt created, even if the partner's catalog changed or
    // the exchange went down in between: the case was accepted then.
    const earlier = key === '' ? null : await this.findByKey(key);
    if (earlier) return this.replay(earlier, digest);

    const submission = checkSubmission(request, this.context.region, this.settings.limits, hashes);
    const item = await this.catalog.item(
      submission.handlingRegion,
      submission.partnerName,
      submission.itemCode,
    );
    const materials = checkAgainstCatalog(item, submission);
    try {
      return await this.accept(submission, item, materials, key, digest);
    } catch (error) {
      // Two attempts with one key raced: the other committed first, so this one is its retry.
      if (key !== '' && isUniqueViolation(error)) {
        const winner = await this.findByKey(key);
        if (winner) return this.replay(winner, digest);
      }
      throw error;
    }
  }

  async get(caseId: string): Promise<CaseWithHistory> {
    const row = await this.prisma.intakeCase.findUnique({
      where: { id: caseId },
      include: WITH_HISTORY,
    });
    if (!row) throw notFound(caseId);
    return row;
  }

  /** Newest first; the page token is the last case number of the previous page. */
  async list(
    request: ListCasesRequest,
  ): Promise<{ cases: CaseWithHistory[]; nextPageToken: string }> {
    const pageSize = Math.min(Math.max(request.pageSize || 50, 1), 200);
    if (request.pageToken !== '' && !parseCaseNumber(request.pageToken).ok) {
      throw new IntakeError('INTAKE.INVALID_PAGE_TOKEN', '分页标记无效，请从第一页重新查询。');
    }
    const statuses = request.statuses.flatMap((status) => {
      const stored = statusFromProto(status);
      return stored ? [stored] : [];
    });
    const handlingRegion = request.handlingRegion.trim();
    const rows = await this.prisma.intakeCase.findMany({
      where: {
        ...(statuses.length > 0 ? { status: { in: statuses } } : {}),
        ...(handlingRegion !== '' ? { handlingRegion } : {}),
        ...(request.pageToken !== '' ? { id: { lt: request.pageToken } } : {}),
      },
      include: WITH_HISTORY,
      // Case numbers are fixed width and all of this region: their order is submission order.
      orderBy: { id: 'desc' },
      take: pageSize + 1,
    });
    const page = rows.slice(0, pageSize);
    return {
      cases: page,
      nextPageToken: rows.length > pageSize ? (page.at(-1)?.id ?? '') : '',
    };
  }

  /** Withdraws an open case at the applicant's request and tells the handling region. */
  async withdraw(request: WithdrawCaseRequest): Promise<CaseWithHistory> {
    const reason = request.reason.trim();
    const withdrawnBy = request.withdrawnBy.trim();
    if (reason === '') {
      throw new IntakeError('INTAKE.REASON_REQUIRED', '请填写撤回原因，原因将告知办理地。');
    }
    if (withdrawnBy === '') {
      throw new IntakeError(
        'INTAKE.CLERK_REQUIRED',
        '缺少经办人账号，请重新登录窗口系统后再撤回。',
      );
    }
    return withSpan(
      'intake.withdraw',
      { attributes: { [CASE_ID_ATTRIBUTE]: request.caseId } },
      () =>
        this.prisma.$transaction(async (tx) => {
          const row = await lockCase(tx, request.caseId);
          if (!row) throw notFound(request.caseId);
          try {
            assertTransition(statusToProto(row.status), ProtoCaseStatus.CASE_STATUS_WITHDRAWN);
          } catch (error) {
            if (error instanceof DomainError) {
              throw new IntakeError('CASE.ILLEGAL_TRANSITION', error.message);
            }
            throw error;
          }
          const now = new Date();
          await tx.intakeCase.update({
            where: { id: row.id },
            data: { status: 'WITHDRAWN', updatedAt: now },
          });
          await tx.timelineEntry.create({
            data: {
              caseId: row.id,
              status: 'WITHDRAWN',
              at: now,
              region: this.context.regionCode,
              note: `申请人撤回：${reason}`,
              actor: withdrawnBy,
            },
          });
          await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [
            this.event(row.id, row.correlationId, CaseWithdrawn, {
              caseId: row.id,
              handlingRegion: row.handlingRegion,
              reason,
            }),
          ]);
          return tx.intakeCase.findUniqueOrThrow({ where: { id: row.id }, include: WITH_HISTORY });
        }),
    );
  }

  /** Stores the materials, then numbers the case and records it with its event, atomically. */
  private async accept(
    submission: CheckedSubmission,
    item: CatalogItem,
    materials: CheckedMaterial[],
    idempotencyKey: string,
    digest: string,
  ): Promise<CaseWithHistory> {
    return withSpan('intake.accept', {}, async (span) => {
      // Blobs first: content-addressed, so a transaction that fails afterwards leaves at most an
      // unreferenced blob that the next identical upload reuses, never a case without content.
      const refs: MaterialRef[] = [];
      for (const material of materials) {
        const stored = await this.blobs.put(material.content, {
          sha256: material.sha256,
          sizeBytes: material.content.length,
        });
        refs.push({
          code: material.code,
          name: material.name,
          sha256: stored.sha256,
          sizeBytes: stored.sizeBytes,
          contentType: material.contentType,
        });
      }
      const submittedAt = new Date();
      return this.prisma.$transaction(async (tx) => {
        const caseId = await this.nextCaseNumber(tx, submittedAt);
        span.setAttribute(CASE_ID_ATTRIBUTE, caseId);
        const payload: CaseSubmitted = {
          caseId,
          originRegion: this.context.regionCode,
          handlingRegion: submission.handlingRegion,
          itemCode: item.code,
          applicant: submission.applicant,
          materials: refs,
          delivery: submission.delivery,
          channel: submission.channel,
          fields: { ...submission.fields },
        };
        const event = this.event(caseId, undefined, CaseSubmitted, payload);
        await tx.intakeCase.create({
          data: {
            id: caseId,
            handlingRegion: submission.handlingRegion,
            itemCode: item.code,
            itemName: item.name,
            status: 'SUBMITTED',
            submission: Buffer.from(CaseSubmitted.encode(payload).finish()),
            submittedAt,
            submittedBy: submission.submittedBy,
            idempotencyKey: idempotencyKey === '' ? null : idempotencyKey,
            requestSha256: digest,
            correlationId: event.metadata.correlationId,
            updatedAt: submittedAt,
            materials: {
              create: refs.map((ref, position) => ({
                position,
                code: ref.code,
                name: ref.name,
                sha256: ref.sha256,
                sizeBytes: BigInt(ref.sizeBytes),
                contentType: ref.contentType,
              })),
            },
            timeline: {
              create: {
                status: 'SUBMITTED',
                at: submittedAt,
                region: this.context.regionCode,
                note: `${this.context.region.name}跨省通办窗口受理，转${submission.partnerName}办理`,
                actor: submission.submittedBy,
              },
            },
          },
        });
        await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [event]);
        this.context.logger.info(
          { caseId, handlingRegion: submission.handlingRegion, itemCode: item.code },
          'case accepted',
        );
        return tx.intakeCase.findUniqueOrThrow({ where: { id: caseId }, include: WITH_HISTORY });
      });
    });
  }

  /**
   * The day's next running number, from a counter row in the submit transaction: the row lock
   * orders concurrent submits, and a rolled-back submit gives its number back (no gaps).
   */
  private async nextCaseNumber(tx: PrismaTx, submittedAt: Date): Promise<string> {
    const day = chinaDay(submittedAt).date.replaceAll('-', '');
    const [counter] = await tx.$queryRawUnsafe<{ last_sequence: number }[]>(
      `INSERT INTO case_counter (day, last_sequence) VALUES ($1, 1)
       ON CONFLICT (day) DO UPDATE SET last_sequence = case_counter.last_sequence + 1
       RETURNING last_sequence`,
      day,
    );
    const sequence = counter?.last_sequence ?? 0;
    if (sequence > MAX_SEQUENCE) {
      throw new IntakeError(
        'INTAKE.DAILY_LIMIT_REACHED',
        `本地区今日受理量已达编号上限（${String(MAX_SEQUENCE)} 件），请明日再提交或联系运维人员。`,
      );
    }
    return formatCaseNumber(this.context.regionCode, submittedAt, sequence);
  }

  private findByKey(idempotencyKey: string): Promise<CaseWithHistory | null> {
    return this.prisma.intakeCase.findUnique({ where: { idempotencyKey }, include: WITH_HISTORY });
  }

  private replay(earlier: CaseWithHistory, digest: string): CaseWithHistory {
    if (earlier.requestSha256 !== digest) {
      throw new IntakeError(
        'INTAKE.IDEMPOTENCY_KEY_REUSED',
        `该重复提交标识已用于办件 ${earlier.id}，而本次内容不同；新办件请重新发起提交。`,
      );
    }
    return earlier;
  }

  private event<T>(
    caseId: string,
    correlationId: string | undefined,
    type: OutgoingEvent<T>['type'],
    payload: T,
  ): OutgoingEvent {
    return {
      metadata: newEventMetadata({
        caseId,
        region: this.context.regionCode,
        service: this.context.service,
        correlationId,
      }),
      type,
      payload,
    };
  }
}

function notFound(caseId: string): IntakeError {
  return new IntakeError(
    'INTAKE.CASE_NOT_FOUND',
    `办件 ${caseId.slice(0, 40)} 不存在，请核对办件编号。`,
  );
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
