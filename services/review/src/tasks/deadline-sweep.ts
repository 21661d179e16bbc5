import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DeadlineApproaching, DeadlineOverdue } from '@tongban/contracts/tongban/review/v1/events';
import type { OutgoingEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import { withSpan } from '@tongban/telemetry';
import { PrismaService } from '../prisma/prisma.service';
import type { ReviewConfig } from '../review-config';
import { ReviewEvents } from './review-events';

// Tasks claimed per transaction; the sweep goes on until a batch comes back short.
const BATCH = 100;

/**
 * Warns when 80% of a task's time limit is used (DeadlineApproaching) and when it passed
 * (DeadlineOverdue), each once per task. Runs at start — a restart with a shifted clock catches up
 * at once — and then every REVIEW_SWEEP_INTERVAL_MS. Due tasks are claimed with SKIP LOCKED and
 * marked in the transaction that enqueues their events, so replicas never warn twice, and a task
 * a reviewer is acting on is simply taken at the next sweep. Paused tasks are left alone: their
 * clock does not run.
 */
@Injectable()
export class DeadlineSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext<ReviewConfig>,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ReviewEvents) private readonly events: ReviewEvents,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => {
      void this.sweep();
    }, this.context.config.REVIEW_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
  }

  /**
   * One sweep after any already running one (so that a sweep asked for after the clock moved
   * sees the new time); resolves with the number of events enqueued. Never rejects: a failed
   * sweep is logged and the next one tries again.
   */
  sweep(): Promise<number> {
    const run = this.chain.then(() => this.sweepAll());
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run.catch((error: unknown) => {
      this.context.logger.warn(
        { err: error },
        'deadline sweep failed; trying again at the next one',
      );
      return 0;
    });
  }

  private async sweepAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, emitted } = await withSpan('review.deadline_sweep', {}, () =>
        this.sweepBatch(),
      );
      total += emitted;
      if (claimed < BATCH) return total;
    }
  }

  private sweepBatch(): Promise<{ claimed: number; emitted: number }> {
    return this.prisma.$transaction(async (tx) => {
      const now = this.context.clock.now();
      const due = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM review_task
         WHERE state IN ('OPEN', 'PRE_REVIEWED')
           AND ((warned_at IS NULL AND warn_at <= ${now}::timestamptz)
             OR (overdue_at IS NULL AND due_at <= ${now}::timestamptz))
         ORDER BY due_at
         LIMIT ${BATCH}::int
           FOR UPDATE SKIP LOCKED`;
      if (due.length === 0) return { claimed: 0, emitted: 0 };
      const tasks = await tx.reviewTask.findMany({
        where: { id: { in: due.map((row) => row.id) } },
      });
      const events: OutgoingEvent[] = [];
      for (const task of tasks) {
        const notice = {
          caseId: task.caseId,
          originRegion: task.originRegion,
          itemCode: task.itemCode,
          dueAt: task.dueAt,
        };
        const warn = task.warnedAt === null && task.warnAt <= now;
        const overdue = task.overdueAt === null && task.dueAt <= now;
        // A task found already past its deadline (the service was down) gets both, in order.
        if (warn)
          events.push(this.events.event(undefined, task.caseId, DeadlineApproaching, notice));
        if (overdue)
          events.push(this.events.event(undefined, task.caseId, DeadlineOverdue, notice));
        await tx.reviewTask.update({
          where: { id: task.id },
          data: {
            ...(warn ? { warnedAt: now } : {}),
            ...(overdue ? { overdueAt: now } : {}),
          },
        });
      }
      await this.events.enqueue(tx, events);
      if (events.length > 0) {
        this.context.logger.info({ events: events.length }, 'deadline warnings enqueued');
      }
      return { claimed: due.length, emitted: events.length };
    });
  }
}
