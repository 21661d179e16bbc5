import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  CertificateBody,
  type ListExpiringResponse,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { CertificateExpiring } from '@tongban/contracts/tongban/certificate/v1/events';
import { enqueueEvents, newEventMetadata, type OutgoingEvent } from '@tongban/kafka';
import { prismaExecutor } from '@tongban/persistence';
import { ServiceContext } from '@tongban/service-kit';
import { withSpan } from '@tongban/telemetry';
import type { CertificateConfig } from '../certificate-config';
import { CertificateError } from '../certificates/certificate-error';
import { Clock } from '../clock';
import { PrismaService } from '../prisma/prisma.service';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
/** Certificates reminded per transaction; a sweep takes batches until none is due. */
const REMINDER_BATCH = 100;
/** ListExpiring looks at most a year ahead… */
const MAX_WITHIN_DAYS = 366;
/** …and answers the soonest ones only: the contract has no paging. */
const MAX_LISTED = 1_000;

interface DueCertificate {
  id: string;
  case_id: string;
  origin_region: string;
  item_code: string;
  valid_until: Date;
}

/**
 * Renewal reminders (无感智办, seed 001): a certificate of an item with `renewal` in our catalog
 * is due `remindDaysBefore` days before its `valid_until`, in the service's business time (the
 * context clock, so CLOCK_OFFSET_DAYS moves it). A due certificate that is neither revoked nor
 * reminded yet gets one CertificateExpiring, enqueued in the transaction that sets its
 * `reminded_at`: exactly once, however many replicas sweep, since rows are claimed with
 * FOR UPDATE SKIP LOCKED. A certificate whose reminder day passed unnoticed (the service was
 * down, or the catalog gained `renewal` later) is still reminded, even after expiry: the origin
 * can still offer the holder the renewal.
 *
 * The catalog is read as it is now, not as it was at issue: adding `renewal` to an item reminds
 * the holders of its certificates already issued.
 */
@Injectable()
export class ExpiryReminders implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = true;

  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext<CertificateConfig>,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    // Reminders that fell due while the service was down go out at start-up.
    this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A sweep in flight commits or rolls back as a whole; nothing is half-sent.
    await this.round;
  }

  /**
   * Reminds every certificate due now; the number reminded by this call. Safe to run at the same
   * time in several replicas (or twice in one): each certificate is reminded by exactly one.
   */
  async sweep(): Promise<number> {
    const renewals = this.context.region.items.flatMap((item) =>
      item.renewal ? [{ item: item.code, renewal: item.renewal }] : [],
    );
    if (renewals.length === 0) return 0;
    return withSpan('certificate.remind_expiring', {}, async (span) => {
      let reminded = 0;
      let batch: { claimed: number; reminded: number };
      do {
        batch = await this.remindBatch(renewals);
        reminded += batch.reminded;
      } while (batch.claimed === REMINDER_BATCH && !this.stopped);
      span.setAttribute('certificate.reminded', reminded);
      return reminded;
    });
  }

  /** ListExpiring: our certificates in force that expire within `withinDays`, soonest first. */
  async listExpiring(withinDays: number): Promise<ListExpiringResponse> {
    if (!Number.isInteger(withinDays) || withinDays < 1 || withinDays > MAX_WITHIN_DAYS) {
      throw new CertificateError(
        'CERTIFICATE.INVALID_WITHIN_DAYS',
        `请填写要查看的天数（1–${MAX_WITHIN_DAYS} 天），例如 30 表示今后 30 天内到期的证照。`,
      );
    }
    const now = this.clock.now();
    const rows = await this.prisma.certificate.findMany({
      where: {
        validUntil: { gt: now, lte: new Date(now.getTime() + withinDays * MS_PER_DAY) },
        // A revoked certificate no longer expires: it has ended already.
        revocation: { is: null },
      },
      orderBy: [{ validUntil: 'asc' }, { id: 'asc' }],
      take: MAX_LISTED,
      select: { body: true, remindedAt: true },
    });
    return {
      certificates: rows.map((row) => ({
        decoded: CertificateBody.decode(row.body),
        remindedAt: row.remindedAt ?? undefined,
      })),
    };
  }

  private run(): void {
    this.round = this.sweep()
      .then(
        (reminded) => {
          if (reminded > 0) this.context.logger.info({ reminded }, 'renewal reminders sent');
        },
        (error: unknown) => {
          this.context.logger.warn(
            { err: error },
            'renewal reminder sweep failed; retrying at the next sweep',
          );
        },
      )
      .finally(() => {
        this.round = undefined;
        this.schedule();
      });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.run();
    }, this.context.config.CERTIFICATE_SWEEP_INTERVAL_MS);
  }

  /** Claims up to one batch of due certificates and reminds them, in one transaction. */
  private async remindBatch(
    renewals: { item: string; renewal: { item: string; remindDaysBefore: number } }[],
  ): Promise<{ claimed: number; reminded: number }> {
    const now = this.clock.now();
    const items = renewals.map((entry) => entry.item);
    const days = renewals.map((entry) => entry.renewal.remindDaysBefore);
    const renewalItem = new Map(renewals.map((entry) => [entry.item, entry.renewal.item]));
    return this.prisma.$transaction(async (tx) => {
      // SKIP LOCKED: what another replica (or a clerk revoking) holds is left to it. A row another
      // sweep reminded and committed meanwhile is re-checked on its new version and drops out.
      const claimed = await tx.$queryRaw<{ id: string }[]>`
        SELECT c.id
          FROM certificate c
          JOIN unnest(${items}::text[], ${days}::int[]) AS r(item_code, remind_days)
            ON r.item_code = c.item_code
         WHERE c.reminded_at IS NULL
           AND c.valid_until IS NOT NULL
           AND c.valid_until - r.remind_days * interval '1 day' <= ${now}::timestamptz
           AND NOT EXISTS (SELECT 1 FROM certificate_revocation v WHERE v.certificate_id = c.id)
         ORDER BY c.valid_until, c.id
         LIMIT ${REMINDER_BATCH}::int
         FOR UPDATE OF c SKIP LOCKED`;
      if (claimed.length === 0) return { claimed: 0, reminded: 0 };
      // Now that the rows are ours, a fresh statement sees revocations committed after the claim
      // began; a revocation cannot start any more (it locks the certificate first).
      const due = await tx.$queryRaw<DueCertificate[]>`
        UPDATE certificate c
           SET reminded_at = ${now}::timestamptz
         WHERE c.id = ANY(${claimed.map((row) => row.id)}::text[])
           AND c.reminded_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM certificate_revocation v WHERE v.certificate_id = c.id)
        RETURNING c.id, c.case_id, c.origin_region, c.item_code, c.valid_until`;
      const events: OutgoingEvent<CertificateExpiring>[] = due.map((certificate) => ({
        metadata: newEventMetadata({
          caseId: certificate.case_id,
          region: this.context.regionCode,
          service: this.context.service,
        }),
        type: CertificateExpiring,
        payload: {
          caseId: certificate.case_id,
          originRegion: certificate.origin_region,
          certificateId: certificate.id,
          itemCode: certificate.item_code,
          validUntil: certificate.valid_until,
          renewalItemCode: renewalItem.get(certificate.item_code) ?? '',
        },
      }));
      await enqueueEvents(prismaExecutor(tx), this.context.eventsTopic, events);
      for (const certificate of due) {
        this.context.logger.info(
          { caseId: certificate.case_id, certificateId: certificate.id },
          'certificate expires soon; renewal reminder enqueued',
        );
      }
      // The claimed count decides whether another batch may be due, not the reminded one.
      return { claimed: claimed.length, reminded: due.length };
    });
  }
}
