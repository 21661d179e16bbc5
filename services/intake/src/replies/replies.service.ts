import { Inject, Injectable } from '@nestjs/common';
import type { BlobStore } from '@tongban/blobs';
import {
  SupplementRequest,
  SurveyRequest,
  type MaterialRef,
  type SurveyMedium,
} from '@tongban/contracts/tongban/case/v1/case';
import {
  SupplementSubmitted,
  SurveyMediaSubmitted,
} from '@tongban/contracts/tongban/intake/v1/events';
import type {
  SubmitSupplementRequest,
  SubmitSurveyMediaRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { enqueueEvents } from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import type { IntakeCase, ReplyKind } from '../../prisma/generated/client';
import { caseEvent } from '../cases/case-event';
import { WITH_HISTORY, type CaseWithHistory } from '../cases/case-view';
import { caseNotFound } from '../cases/intake-error';
import { lockCase } from '../cases/lock-case';
import { checkMaterialUploads, sha256Of } from '../cases/submission-checks';
import { SubmissionService } from '../cases/submission.service';
import { IntakeSettings } from '../intake-settings';
import { BLOB_STORE } from '../materials/blob-store.provider';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import {
  checkClerk,
  checkNote,
  checkSupplementMaterials,
  checkSurveyAgainstRequest,
  checkSurveyUploads,
  openSupplementOf,
  openSurveyOf,
  type CheckedMedium,
} from './reply-checks';

/**
 * The window's answers to what the handling region's reviewer asked for: supplementary materials
 * (补正) and the photos and videos of a remote survey (远程踏勘). Every check runs before any blob
 * is stored, and again under the case's lock in the transaction that records the answer and its
 * event; one answer per round.
 */
@Injectable()
export class RepliesService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(IntakeSettings) private readonly settings: IntakeSettings,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(SubmissionService) private readonly submission: SubmissionService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async submitSupplement(request: SubmitSupplementRequest): Promise<CaseWithHistory> {
    const submittedBy = checkClerk(request.submittedBy);
    const note = checkNote(request.note);
    const hashes = request.materials.map((material) => sha256Of(material.content));
    const uploads = checkMaterialUploads(request.materials, this.settings.limits, hashes);
    const check = async (tx: PrismaTx | PrismaService, row: IntakeCase) => {
      const answered = await this.answered(tx, row.id, 'SUPPLEMENT', request.round);
      const open = openSupplementOf(row, request.round, answered, (bytes) =>
        SupplementRequest.decode(bytes),
      );
      return checkSupplementMaterials(open, uploads);
    };
    // Refused before anything is stored: a refusal leaves no blob behind.
    await check(this.prisma, await this.caseRow(request.caseId));
    return withSpan(
      'intake.submit-supplement',
      { attributes: { [CASE_ID_ATTRIBUTE]: request.caseId } },
      async () => {
        const refs = await this.submission.storeMaterials(uploads);
        return this.prisma.$transaction(async (tx) => {
          const row = await lockCase(tx, request.caseId);
          if (!row) throw caseNotFound(request.caseId);
          // Checked again under the lock: a report or another clerk may have come in between.
          const materials = await check(tx, row);
          const named: MaterialRef[] = refs.map((ref, index) => ({
            ...ref,
            name: materials[index]?.name ?? ref.name,
          }));
          const last = await tx.caseMaterial.aggregate({
            where: { caseId: row.id },
            _max: { position: true },
          });
          const first = (last._max.position ?? -1) + 1;
          await tx.caseMaterial.createMany({
            data: named.map((ref, index) => ({
              caseId: row.id,
              position: first + index,
              round: request.round,
              code: ref.code,
              name: ref.name,
              sha256: ref.sha256,
              sizeBytes: BigInt(ref.sizeBytes),
              contentType: ref.contentType,
            })),
          });
          await this.recordReply(tx, row.id, 'SUPPLEMENT', request.round, submittedBy, note);
          await this.noteReply(
            tx,
            row.id,
            submittedBy,
            `已提交第 ${String(request.round)} 轮补正材料（${named.map((ref) => ref.name).join('、')}），待办理地接收`,
          );
          await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [
            caseEvent(this.context, row.id, row.correlationId, SupplementSubmitted, {
              caseId: row.id,
              handlingRegion: row.handlingRegion,
              round: request.round,
              materials: named,
              note,
              submittedBy,
            }),
          ]);
          this.context.logger.info(
            { caseId: row.id, round: request.round, materials: named.length },
            'supplement handed in',
          );
          return tx.intakeCase.findUniqueOrThrow({ where: { id: row.id }, include: WITH_HISTORY });
        });
      },
    );
  }

  async submitSurveyMedia(request: SubmitSurveyMediaRequest): Promise<CaseWithHistory> {
    const submittedBy = checkClerk(request.submittedBy);
    const media = checkSurveyUploads(request.media, this.settings.survey, this.context.clock.now());
    const check = async (tx: PrismaTx | PrismaService, row: IntakeCase) => {
      const answered = await this.answered(tx, row.id, 'SURVEY', request.round);
      const open = openSurveyOf(row, request.round, answered, (bytes) =>
        SurveyRequest.decode(bytes),
      );
      checkSurveyAgainstRequest(open, media);
    };
    await check(this.prisma, await this.caseRow(request.caseId));
    return withSpan(
      'intake.submit-survey-media',
      { attributes: { [CASE_ID_ATTRIBUTE]: request.caseId } },
      async () => {
        const stored = await this.storeMedia(media);
        return this.prisma.$transaction(async (tx) => {
          const row = await lockCase(tx, request.caseId);
          if (!row) throw caseNotFound(request.caseId);
          await check(tx, row);
          await tx.surveyMedium.createMany({
            data: stored.map((medium, position) => ({
              caseId: row.id,
              round: request.round,
              position,
              checkpoint: medium.checkpoint,
              sha256: medium.sha256,
              sizeBytes: BigInt(medium.sizeBytes),
              contentType: medium.contentType,
              capturedAt: medium.capturedAt,
              description: medium.description,
            })),
          });
          await this.recordReply(tx, row.id, 'SURVEY', request.round, submittedBy, '');
          await this.noteReply(
            tx,
            row.id,
            submittedBy,
            `已提交第 ${String(request.round)} 轮远程踏勘照片和视频（${String(stored.length)} 个），待办理地接收`,
          );
          await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [
            caseEvent(this.context, row.id, row.correlationId, SurveyMediaSubmitted, {
              caseId: row.id,
              handlingRegion: row.handlingRegion,
              round: request.round,
              media: stored.map((medium): SurveyMedium => ({
                checkpoint: medium.checkpoint,
                sha256: medium.sha256,
                sizeBytes: medium.sizeBytes,
                contentType: medium.contentType,
                capturedAt: medium.capturedAt,
                description: medium.description,
              })),
              submittedBy,
            }),
          ]);
          this.context.logger.info(
            { caseId: row.id, round: request.round, media: stored.length },
            'survey media handed in',
          );
          return tx.intakeCase.findUniqueOrThrow({ where: { id: row.id }, include: WITH_HISTORY });
        });
      },
    );
  }

  private async caseRow(caseId: string): Promise<IntakeCase> {
    const row = await this.prisma.intakeCase.findUnique({ where: { id: caseId } });
    if (!row) throw caseNotFound(caseId);
    return row;
  }

  private async answered(
    db: PrismaTx | PrismaService,
    caseId: string,
    kind: ReplyKind,
    round: number,
  ): Promise<boolean> {
    return (await db.caseReply.count({ where: { caseId, kind, round } })) > 0;
  }

  private async recordReply(
    tx: PrismaTx,
    caseId: string,
    kind: ReplyKind,
    round: number,
    submittedBy: string,
    note: string,
  ): Promise<void> {
    await tx.caseReply.create({
      data: { caseId, kind, round, submittedAt: this.context.clock.now(), submittedBy, note },
    });
  }

  /** The clerk's own line on the timeline: the answer left the window (not a status change). */
  private async noteReply(
    tx: PrismaTx,
    caseId: string,
    submittedBy: string,
    note: string,
  ): Promise<void> {
    await tx.timelineEntry.create({
      data: {
        caseId,
        kind: 'REPLY_SUBMITTED',
        at: this.context.clock.now(),
        region: this.context.regionCode,
        note,
        actor: submittedBy,
      },
    });
  }

  /** Content-addressed like materials: stored before the transaction, for the same reason. */
  private async storeMedia(
    media: readonly CheckedMedium[],
  ): Promise<(CheckedMedium & { sizeBytes: number })[]> {
    const stored: (CheckedMedium & { sizeBytes: number })[] = [];
    for (const medium of media) {
      const blob = await this.blobs.put(medium.content, {
        sha256: medium.sha256,
        sizeBytes: medium.content.length,
      });
      stored.push({ ...medium, sha256: blob.sha256, sizeBytes: blob.sizeBytes });
    }
    return stored;
  }
}
