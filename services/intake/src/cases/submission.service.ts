import { Inject, Injectable } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { BlobStore } from '@tongban/blobs';
import type { MaterialRef } from '@tongban/contracts/tongban/case/v1/case';
import type { CatalogItem } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import type { SubmitCaseRequest } from '@tongban/contracts/tongban/intake/v1/intake';
import { chinaDay, formatCaseNumber } from '@tongban/domain';
import { enqueueEvents } from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { CASE_ID_ATTRIBUTE, withSpan } from '@tongban/telemetry';
import { Prisma } from '../../prisma/generated/client';
import { PartnerCatalogService } from '../catalog/partner-catalog.service';
import { IntakeSettings } from '../intake-settings';
import { BLOB_STORE } from '../materials/blob-store.provider';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service';
import { channelFromProto } from './case-channel';
import { caseEvent } from './case-event';
import { WITH_HISTORY, type CaseWithHistory } from './case-view';
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

/** A case that passed every check (形式审查) and may be recorded as it is. */
export interface PreparedCase {
  readonly submission: CheckedSubmission;
  readonly item: CatalogItem;
  readonly materials: readonly CheckedMaterial[];
  /** SHA-256 of the canonical request (see requestDigest). */
  readonly digest: string;
}

/** What ties a case to others: the bundle it is part of, the certificate it renews. */
export interface CaseLinks {
  readonly bundleId?: string;
  readonly renewsCertificateId?: string;
}

export interface SubmitOptions extends CaseLinks {
  /**
   * A retry under the same key returns the earlier case even when its content differs: for keys
   * intake makes itself (one per renewal offer), where the first acceptance is the one that counts.
   */
  readonly replayWhateverTheContent?: boolean;
  /** Runs in the transaction that records the case, e.g. to link it to what it came from. */
  readonly onRecorded?: (tx: PrismaTx, caseId: string) => Promise<void>;
}

/**
 * The one way a case comes in, whether the window submits it alone, as part of a one-thing
 * bundle or as the renewal of a certificate: every check before anything is written, then the
 * materials as blobs, then the case number, rows and CaseSubmitted (outbox) in one transaction.
 */
@Injectable()
export class SubmissionService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(IntakeSettings) private readonly settings: IntakeSettings,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(PartnerCatalogService) private readonly catalog: PartnerCatalogService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async submit(request: SubmitCaseRequest, options: SubmitOptions = {}): Promise<CaseWithHistory> {
    const key = idempotencyKeyOf(request);
    const hashes = request.materials.map((material) => sha256Of(material.content));
    const digest = requestDigest(request, hashes);
    // A retry returns what the first attempt created, even if the partner's catalog changed or
    // the exchange went down in between: the case was accepted then.
    const earlier = key === '' ? null : await this.findByKey(key);
    if (earlier) return this.replay(earlier, digest, options);

    const prepared = await this.prepare(request, { hashes, digest });
    try {
      return await withSpan('intake.accept', {}, async (span) => {
        const refs = await this.storeMaterials(prepared.materials);
        const submittedAt = this.context.clock.now();
        return this.prisma.$transaction(async (tx) => {
          const caseId = await this.nextCaseNumber(tx, submittedAt);
          span.setAttribute(CASE_ID_ATTRIBUTE, caseId);
          await this.record(tx, prepared, refs, {
            caseId,
            submittedAt,
            idempotencyKey: key,
            bundleId: options.bundleId,
            renewsCertificateId: options.renewsCertificateId,
          });
          await options.onRecorded?.(tx, caseId);
          return tx.intakeCase.findUniqueOrThrow({ where: { id: caseId }, include: WITH_HISTORY });
        });
      });
    } catch (error) {
      // Two attempts with one key raced: the other committed first, so this one is its retry.
      if (key !== '' && isUniqueViolation(error)) {
        const winner = await this.findByKey(key);
        if (winner) return this.replay(winner, digest, options);
      }
      throw error;
    }
  }

  /**
   * Every check of a submit, nothing written: this region's own checks first (so a mistyped ID
   * is refused even while the exchange is down), then the partner's catalog.
   */
  async prepare(
    request: SubmitCaseRequest,
    options: {
      hashes?: readonly string[];
      digest?: string;
      /** Drop the pickup address for an item without originals instead of refusing (bundles). */
      pickupWhereNeeded?: boolean;
    } = {},
  ): Promise<PreparedCase> {
    const hashes = options.hashes ?? request.materials.map((m) => sha256Of(m.content));
    const digest = options.digest ?? requestDigest(request, hashes);
    let submission = checkSubmission(request, this.context.region, this.settings.limits, hashes);
    const item = await this.catalog.item(
      submission.handlingRegion,
      submission.partnerName,
      submission.itemCode,
    );
    if (options.pickupWhereNeeded && !item.originalsRequired && submission.materialsPickup) {
      const { materialsPickup: _dropped, ...withoutPickup } = submission;
      submission = withoutPickup;
    }
    const materials = checkAgainstCatalog(item, submission);
    return { submission, item, materials, digest };
  }

  /**
   * Blobs first: content-addressed, so a transaction that fails afterwards leaves at most an
   * unreferenced blob that the next identical upload reuses, never a case without content.
   */
  async storeMaterials(materials: readonly CheckedMaterial[]): Promise<MaterialRef[]> {
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
    return refs;
  }

  /** Records an accepted case, its materials and first timeline entry, and CaseSubmitted. */
  async record(
    tx: PrismaTx,
    prepared: PreparedCase,
    refs: readonly MaterialRef[],
    options: CaseLinks & { caseId: string; submittedAt: Date; idempotencyKey: string },
  ): Promise<void> {
    const { submission, item } = prepared;
    const { caseId, submittedAt } = options;
    const payload: CaseSubmitted = {
      caseId,
      originRegion: this.context.regionCode,
      handlingRegion: submission.handlingRegion,
      itemCode: item.code,
      applicant: submission.applicant,
      materials: [...refs],
      delivery: submission.delivery,
      channel: submission.channel,
      fields: { ...submission.fields },
      agent: submission.agent,
      materialsPickup: submission.materialsPickup,
      bundleId: options.bundleId ?? '',
      renewsCertificateId: options.renewsCertificateId ?? '',
    };
    const event = caseEvent(this.context, caseId, undefined, CaseSubmitted, payload);
    const channel = channelFromProto(submission.channel);
    if (!channel) throw new Error(`Case ${caseId} passed the checks without a channel`);
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
        // Read where enqueueEvents below reads the context it stores with the outbox row: the
        // case names the very trace its CaseSubmitted travels in.
        traceId: activeTraceId(),
        channel,
        applicantIdentifier: submission.applicant.identifier,
        applicantName: submission.applicant.name,
        idempotencyKey: options.idempotencyKey === '' ? null : options.idempotencyKey,
        requestSha256: prepared.digest,
        correlationId: event.metadata.correlationId,
        updatedAt: new Date(),
        bundleId: options.bundleId ?? null,
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
            note: this.submittedNote(submission),
            actor: submission.submittedBy,
          },
        },
      },
    });
    await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, [event]);
    // Never the applicant's or agent's identifiers: the log names the case, not the people.
    this.context.logger.info(
      {
        caseId,
        handlingRegion: submission.handlingRegion,
        itemCode: item.code,
        byAgent: submission.agent !== undefined,
        ...(options.bundleId ? { bundleId: options.bundleId } : {}),
      },
      'case accepted',
    );
  }

  /**
   * The day's next running number, from a counter row in the submit transaction: the row lock
   * orders concurrent submits, and a rolled-back submit gives its number back (no gaps).
   */
  async nextCaseNumber(tx: PrismaTx, submittedAt: Date): Promise<string> {
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

  private submittedNote(submission: CheckedSubmission): string {
    const accepted = `${this.context.region.name}跨省通办窗口受理，转${submission.partnerName}办理`;
    // The relation only: the agent's name and number are on the case, not in the timeline.
    return submission.agent ? `${accepted}（${submission.agent.relation}代办）` : accepted;
  }

  private findByKey(idempotencyKey: string): Promise<CaseWithHistory | null> {
    return this.prisma.intakeCase.findUnique({ where: { idempotencyKey }, include: WITH_HISTORY });
  }

  private replay(earlier: CaseWithHistory, digest: string, options: SubmitOptions) {
    if (earlier.requestSha256 !== digest && !options.replayWhateverTheContent) {
      throw new IntakeError(
        'INTAKE.IDEMPOTENCY_KEY_REUSED',
        `该重复提交标识已用于办件 ${earlier.id}，而本次内容不同；新办件请重新发起提交。`,
      );
    }
    return earlier;
  }
}

/** The W3C trace id of the active span; empty when nothing is traced. */
function activeTraceId(): string {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? span.traceId : '';
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
