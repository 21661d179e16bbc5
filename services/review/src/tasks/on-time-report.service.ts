import { Inject, Injectable } from '@nestjs/common';
import {
  ReportGrouping,
  type GetOnTimeReportResponse,
  type OnTimeRow,
} from '@tongban/contracts/tongban/review/v1/review';
import { findItem } from '@tongban/domain';
import { ServiceContext } from '@tongban/service-kit';
import { PrismaService } from '../prisma/prisma.service';
import { ReviewError } from './review-error';

interface GroupCounts {
  item_code: string;
  item_name: string;
  department: string;
  origin_region: string;
  decided: bigint;
  decided_on_time: bigint;
  open: bigint;
  open_overdue: bigint;
}

type Counts = Pick<OnTimeRow, 'decided' | 'decidedOnTime' | 'open' | 'openOverdue'>;

/**
 * 按期办结率: of the decisions in a period, how many came by the deadline as it stood at the
 * decision (pauses for supplements and surveys counted out); and of the tasks open now, how many
 * are past their deadline. Per item, department or origin region, and for the whole region.
 */
@Injectable()
export class OnTimeReportService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
  ) {}

  async report(request: {
    grouping: ReportGrouping;
    from: Date | undefined;
    to: Date | undefined;
  }): Promise<GetOnTimeReportResponse> {
    const { from, to } = request;
    if (from !== undefined && to !== undefined && from >= to) {
      throw new ReviewError(
        'REVIEW.INVALID_PERIOD',
        '统计期间无效：开始时间须早于结束时间（结束时间不含）。',
      );
    }
    const now = this.context.clock.now();
    const fromParam = from ?? null;
    const toParam = to ?? null;
    // A paused task's deadline waits with its clock: it is late only if it was so when paused.
    const groups = await this.prisma.$queryRaw<GroupCounts[]>`
      SELECT item_code, max(item_name) AS item_name, department, origin_region,
             count(*) FILTER (WHERE is_decided) AS decided,
             count(*) FILTER (WHERE is_decided AND decided_at <= due_at) AS decided_on_time,
             count(*) FILTER (WHERE is_open) AS open,
             count(*) FILTER (WHERE is_open AND due_at <= COALESCE(paused_since, ${now}::timestamptz))
               AS open_overdue
        FROM (SELECT *,
                     state IN ('APPROVED', 'REJECTED')
                       AND (${fromParam}::timestamptz IS NULL OR decided_at >= ${fromParam}::timestamptz)
                       AND (${toParam}::timestamptz IS NULL OR decided_at < ${toParam}::timestamptz)
                       AS is_decided,
                     state IN ('OPEN', 'PRE_REVIEWED', 'SUPPLEMENT_REQUESTED', 'SURVEY_REQUESTED')
                       AS is_open
                FROM review_task) AS task
       GROUP BY item_code, department, origin_region`;

    const { region } = this.context;
    const rows = new Map<string, OnTimeRow>();
    const total = row(region.code, region.name);
    for (const group of groups) {
      const counts: Counts = {
        decided: Number(group.decided),
        decidedOnTime: Number(group.decided_on_time),
        open: Number(group.open),
        openOverdue: Number(group.open_overdue),
      };
      add(total, counts);
      const key = this.groupKey(request.grouping, group);
      if (key === undefined) continue;
      let entry = rows.get(key.key);
      if (entry === undefined) {
        entry = row(key.key, key.label);
        rows.set(key.key, entry);
      }
      add(entry, counts);
    }
    return {
      total: withRate(total),
      rows: [...rows.values()]
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map(withRate),
    };
  }

  private groupKey(
    grouping: ReportGrouping,
    group: GroupCounts,
  ): { key: string; label: string } | undefined {
    const { region } = this.context;
    switch (grouping) {
      case ReportGrouping.REPORT_GROUPING_ITEM:
        return { key: group.item_code, label: group.item_name };
      case ReportGrouping.REPORT_GROUPING_DEPARTMENT: {
        // Tasks from before departments were stored: the region file's department of the item.
        const department =
          group.department === ''
            ? (findItem(region, group.item_code)?.department ?? '')
            : group.department;
        return { key: department, label: department };
      }
      case ReportGrouping.REPORT_GROUPING_ORIGIN_REGION: {
        const name =
          group.origin_region === region.code
            ? region.name
            : (region.partners.find((partner) => partner.code === group.origin_region)?.name ??
              group.origin_region);
        return { key: group.origin_region, label: name };
      }
      default:
        // No grouping asked for: the total only.
        return undefined;
    }
  }
}

function row(key: string, label: string): OnTimeRow {
  return { key, label, decided: 0, decidedOnTime: 0, open: 0, openOverdue: 0, onTimeRate: 1 };
}

function add(target: OnTimeRow, counts: Counts): void {
  target.decided += counts.decided;
  target.decidedOnTime += counts.decidedOnTime;
  target.open += counts.open;
  target.openOverdue += counts.openOverdue;
}

function withRate(entry: OnTimeRow): OnTimeRow {
  return { ...entry, onTimeRate: entry.decided === 0 ? 1 : entry.decidedOnTime / entry.decided };
}
