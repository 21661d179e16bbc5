import { Inject, Injectable } from '@nestjs/common';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import type {
  RemoteStatusChanged,
  SupplementArrived,
  SurveyMediaArrived,
} from '@tongban/contracts/tongban/exchange/v1/events';
import {
  SupplementReceived,
  SurveyEvidenceReceived,
} from '@tongban/contracts/tongban/review/v1/events';
import { HolidayCalendar } from '@tongban/domain';
import { PoisonMessageError, type ConsumedEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import { ReviewEvents } from './review-events';
import { isOpen, resumedState } from './task-actions';
import { deadlines, pausesOf, stoppedClock } from './task-clock';
import { lockTaskOfCase, type Tx } from './task-store';
import type { TaskWithRounds } from './task-view';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * What the origin sends back through the exchange: supplementary materials and survey media
 * (each ends a pause of the clock), and withdrawals (the task ends).
 */
@Injectable()
export class ArrivalsService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(HolidayCalendar) private readonly calendar: HolidayCalendar,
    @Inject(ReviewEvents) private readonly events: ReviewEvents,
  ) {}

  /** The supplement of the open round arrived: stored, the task goes back to its reviewer. */
  async supplementArrived(event: ConsumedEvent<SupplementArrived>, tx: Tx): Promise<void> {
    const { caseId, supplement } = event.payload;
    if (!supplement) {
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        'SupplementArrived without its supplement',
      );
    }
    for (const material of supplement.materials) {
      if (!SHA256.test(material.sha256)) {
        throw new PoisonMessageError(
          'EVENT.INVALID_PAYLOAD',
          `SupplementArrived for ${caseId}: material ${material.code} has no SHA-256 address`,
        );
      }
    }
    const task = await this.waitingTask(tx, caseId, 'SUPPLEMENT_REQUESTED', 'supplement');
    if (!task) return;
    const round = this.openRound(task.supplements, supplement.round, caseId, 'supplement');
    if (!round) return;
    const now = this.context.clock.now();
    await tx.supplementRound.update({
      where: { id: round.id },
      data: {
        submittedAt: now,
        submittedNote: supplement.note.trim() === '' ? null : supplement.note.trim(),
        messageId: event.payload.messageId === '' ? null : event.payload.messageId,
        materials: {
          create: supplement.materials.map((material, position) => ({
            position,
            code: material.code,
            name: material.name,
            sha256: material.sha256,
            sizeBytes: BigInt(material.sizeBytes),
            contentType: material.contentType,
          })),
        },
      },
    });
    const dueAt = await this.resumeClock(tx, task, [
      ...task.supplements.map((candidate) =>
        candidate.id === round.id ? { ...candidate, submittedAt: now } : candidate,
      ),
      ...task.surveys,
    ]);
    await this.events.enqueue(tx, [
      this.events.event(event.metadata, caseId, SupplementReceived, {
        caseId,
        originRegion: task.originRegion,
        round: round.round,
        dueAt,
      }),
    ]);
  }

  /** The survey media of the open round arrived: stored, the task goes back to its reviewer. */
  async surveyMediaArrived(event: ConsumedEvent<SurveyMediaArrived>, tx: Tx): Promise<void> {
    const { caseId, evidence } = event.payload;
    if (!evidence) {
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        'SurveyMediaArrived without its evidence',
      );
    }
    for (const medium of evidence.media) {
      if (!SHA256.test(medium.sha256) || medium.capturedAt === undefined) {
        throw new PoisonMessageError(
          'EVENT.INVALID_PAYLOAD',
          `SurveyMediaArrived for ${caseId}: a medium of checkpoint ${medium.checkpoint} lacks its SHA-256 or capture time`,
        );
      }
    }
    const task = await this.waitingTask(tx, caseId, 'SURVEY_REQUESTED', 'survey media');
    if (!task) return;
    const round = this.openRound(task.surveys, evidence.round, caseId, 'survey media');
    if (!round) return;
    const now = this.context.clock.now();
    await tx.surveyRound.update({
      where: { id: round.id },
      data: {
        submittedAt: now,
        messageId: event.payload.messageId === '' ? null : event.payload.messageId,
        media: {
          create: evidence.media.map((medium, position) => ({
            position,
            checkpoint: medium.checkpoint,
            sha256: medium.sha256,
            sizeBytes: BigInt(medium.sizeBytes),
            contentType: medium.contentType,
            // Checked above; the compiler does not carry the check into the callback.
            capturedAt: medium.capturedAt ?? now,
            description: medium.description,
          })),
        },
      },
    });
    const dueAt = await this.resumeClock(tx, task, [
      ...task.supplements,
      ...task.surveys.map((candidate) =>
        candidate.id === round.id ? { ...candidate, submittedAt: now } : candidate,
      ),
    ]);
    await this.events.enqueue(tx, [
      this.events.event(event.metadata, caseId, SurveyEvidenceReceived, {
        caseId,
        originRegion: task.originRegion,
        round: round.round,
        media: evidence.media.length,
        dueAt,
      }),
    ]);
  }

  /** Whether a status change is this region's withdrawal of a case it handles. */
  isOwnWithdrawal(event: ConsumedEvent<RemoteStatusChanged>): boolean {
    return (
      event.payload.status === CaseStatus.CASE_STATUS_WITHDRAWN &&
      event.payload.handlingRegion === this.context.regionCode
    );
  }

  /** The applicant withdrew the case at the origin: the open task ends, its clock stops. */
  async withdrawn(event: ConsumedEvent<RemoteStatusChanged>, tx: Tx): Promise<void> {
    const { caseId } = event.payload;
    const task = await lockTaskOfCase(tx, caseId);
    if (!task || !isOpen(task.state)) {
      // Decided before the withdrawal reached us (the origin learns the decision), or never here.
      this.context.logger.info(
        { caseId, state: task?.state },
        'withdrawal for a case without an open review task; nothing to cancel',
      );
      return;
    }
    const now = this.context.clock.now();
    await tx.reviewTask.update({
      where: { id: task.id },
      data: { state: 'CANCELLED', cancelledAt: now, ...stoppedClock(task, now, this.calendar) },
    });
  }

  private async waitingTask(
    tx: Tx,
    caseId: string,
    state: 'SUPPLEMENT_REQUESTED' | 'SURVEY_REQUESTED',
    what: string,
  ): Promise<TaskWithRounds | undefined> {
    const task = await lockTaskOfCase(tx, caseId);
    if (!task) {
      // The case reached review before anything could be asked of its applicant.
      throw new PoisonMessageError(
        'EVENT.REJECTED',
        `${what} for ${caseId}, which has no review task`,
      );
    }
    if (task.state !== state) {
      // Decided or withdrawn while the applicant was answering, or a late copy: kept out.
      this.context.logger.warn(
        { caseId, state: task.state },
        `${what} arrived for a task that no longer waits for it; not applied`,
      );
      return undefined;
    }
    return task;
  }

  private openRound<Round extends { round: number; submittedAt: Date | null }>(
    rounds: readonly Round[],
    number: number,
    caseId: string,
    what: string,
  ): Round | undefined {
    const round = rounds.find((candidate) => candidate.round === number);
    if (round?.submittedAt === null) return round;
    if (round) {
      this.context.logger.warn(
        { caseId, round: number },
        `${what} of a round already answered; not applied`,
      );
      return undefined;
    }
    throw new PoisonMessageError(
      'EVENT.REJECTED',
      `${what} for ${caseId} names round ${number}, which review never asked for`,
    );
  }

  /** The wait ended: the task goes back to its level and the deadline moves by the pause. */
  private async resumeClock(
    tx: Tx,
    task: TaskWithRounds,
    rounds: readonly { requestedAt: Date; submittedAt: Date | null }[],
  ): Promise<Date> {
    const moved = deadlines(task, pausesOf(rounds), this.calendar);
    await tx.reviewTask.update({
      where: { id: task.id },
      data: { state: resumedState(task), pausedSince: null, ...moved },
    });
    return moved.dueAt;
  }
}
