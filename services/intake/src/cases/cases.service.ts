import { Inject, Injectable } from '@nestjs/common';
import {
  CaseStatus as ProtoCaseStatus,
  DeliveryMethod,
} from '@tongban/contracts/tongban/case/v1/case';
import { CaseSubmitted, CaseWithdrawn } from '@tongban/contracts/tongban/intake/v1/events';
import type {
  HandOverResultRequest,
  ListCasesRequest,
  SubmitCaseRequest,
  WithdrawCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { assertTransition, DomainError, parseCaseNumber, statusLabel } from '@tongban/domain';
import { enqueueEvents } from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import type { CaseStatus } from '../../prisma/generated/client';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import { caseEvent } from './case-event';
import { ENDED_STATUSES, statusFromProto, statusToProto } from './case-status';
import { WITH_HISTORY, type CaseWithHistory } from './case-view';
import { lockCase } from './lock-case';
import { caseNotFound, IntakeError } from './intake-error';
import { SubmissionService } from './submission.service';

/** Longest search the console sends: a case number is 22 characters, a name rarely 30. */
const MAX_QUERY = 64;

/**
 * The origin's front door: accepts cases (through the submission path), withdraws open ones,
 * hands results mailed to the window over to the applicant, and answers the window's reads.
 */
@Injectable()
export class CasesService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(SubmissionService) private readonly submission: SubmissionService,
  ) {}

  submit(request: SubmitCaseRequest): Promise<CaseWithHistory> {
    return this.submission.submit(request);
  }

  async get(caseId: string): Promise<CaseWithHistory> {
    const row = await this.prisma.intakeCase.findUnique({
      where: { id: caseId },
      include: WITH_HISTORY,
    });
    if (!row) throw caseNotFound(caseId);
    return row;
  }

  /**
   * Newest first; the page token is the last case number of the previous page. The query finds a
   * case by its number, its applicant's ID number or credit code, or part of the applicant's name.
   */
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
    const query = request.query.trim();
    if (query.length > MAX_QUERY) {
      throw new IntakeError(
        'INTAKE.QUERY_TOO_LONG',
        `查询内容过长（最多 ${String(MAX_QUERY)} 个字符），请输入办件编号、证件号码或申请人姓名中的一部分。`,
      );
    }
    const rows = await this.prisma.intakeCase.findMany({
      where: {
        ...(statuses.length > 0 || request.overdueOnly
          ? {
              status: {
                ...(statuses.length > 0 ? { in: statuses } : {}),
                // Overdue matters while the case is open: an ended case keeps its flag.
                ...(request.overdueOnly ? { notIn: [...ENDED_STATUSES] } : {}),
              },
            }
          : {}),
        ...(request.overdueOnly ? { overdue: true } : {}),
        ...(handlingRegion !== '' ? { handlingRegion } : {}),
        ...(request.pageToken !== '' ? { id: { lt: request.pageToken } } : {}),
        ...(query !== ''
          ? {
              OR: [
                { id: query },
                // Stored as the checks normalised it; a typed check character may be lower-case.
                { applicantIdentifier: query.toUpperCase() },
                { applicantName: { contains: likeLiteral(query), mode: 'insensitive' as const } },
              ],
            }
          : {}),
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
          if (!row) throw caseNotFound(request.caseId);
          try {
            assertTransition(statusToProto(row.status), ProtoCaseStatus.CASE_STATUS_WITHDRAWN);
          } catch (error) {
            if (error instanceof DomainError) {
              throw new IntakeError('CASE.ILLEGAL_TRANSITION', error.message);
            }
            throw error;
          }
          await this.changeStatus(tx, row.id, 'WITHDRAWN', {
            note: `申请人撤回：${reason}`,
            actor: withdrawnBy,
          });
          await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [
            caseEvent(this.context, row.id, row.correlationId, CaseWithdrawn, {
              caseId: row.id,
              handlingRegion: row.handlingRegion,
              reason,
            }),
          ]);
          return tx.intakeCase.findUniqueOrThrow({ where: { id: row.id }, include: WITH_HISTORY });
        }),
    );
  }

  /**
   * The clerk handed the result, mailed by the handling region to this window, over to the
   * applicant: the case is complete here. Only for window pickup, once the parcel arrived.
   */
  async handOver(request: HandOverResultRequest): Promise<CaseWithHistory> {
    const handedOverBy = request.handedOverBy.trim();
    if (handedOverBy === '') {
      throw new IntakeError(
        'INTAKE.CLERK_REQUIRED',
        '缺少经办人账号，请重新登录窗口系统后再办理交付。',
      );
    }
    return withSpan(
      'intake.hand-over',
      { attributes: { [CASE_ID_ATTRIBUTE]: request.caseId } },
      () =>
        this.prisma.$transaction(async (tx) => {
          const row = await lockCase(tx, request.caseId);
          if (!row) throw caseNotFound(request.caseId);
          const method = CaseSubmitted.decode(row.submission).delivery?.method;
          if (method !== DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP) {
            throw new IntakeError(
              'INTAKE.NOT_WINDOW_PICKUP',
              `办件 ${row.id} 的结果领取方式不是窗口领取，办理结果不经本窗口交付，无需办理交付。`,
            );
          }
          if (row.status !== 'DELIVERED') {
            throw new IntakeError(
              'INTAKE.RESULT_NOT_DELIVERED',
              row.status === 'COMPLETED'
                ? `办件 ${row.id} 已办结，办理结果已交付，无需重复交付。`
                : `办件 ${row.id} 的办理结果尚未送达本窗口（当前状态：${statusLabelOf(row.status)}），请在结果送达后再交付申请人。`,
            );
          }
          await this.changeStatus(tx, row.id, 'COMPLETED', {
            note: '窗口已将办理结果交付申请人',
            actor: handedOverBy,
          });
          this.context.logger.info({ caseId: row.id }, 'result handed over at the window');
          return tx.intakeCase.findUniqueOrThrow({ where: { id: row.id }, include: WITH_HISTORY });
        }),
    );
  }

  /** A status change made here at the window, with its timeline entry. */
  private async changeStatus(
    tx: PrismaTx,
    caseId: string,
    status: CaseStatus,
    entry: { note: string; actor: string },
  ): Promise<void> {
    const now = this.context.clock.now();
    await tx.intakeCase.update({
      where: { id: caseId },
      // A case that ended here waits for no answer from the applicant any more.
      data: {
        status,
        updatedAt: new Date(),
        openSupplement: null,
        openSurvey: null,
        ...(status === 'COMPLETED' ? { completedAt: now } : {}),
      },
    });
    await tx.timelineEntry.create({
      data: {
        caseId,
        status,
        at: now,
        region: this.context.regionCode,
        note: entry.note,
        actor: entry.actor,
      },
    });
  }
}

/**
 * The text as a literal inside a LIKE pattern: Prisma's `contains` puts it between % as it is, so
 * a % or _ the clerk typed would match anything. Backslash is PostgreSQL's default LIKE escape.
 */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function statusLabelOf(status: CaseStatus): string {
  return statusLabel(statusToProto(status));
}
