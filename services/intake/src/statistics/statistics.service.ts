import { Inject, Injectable } from '@nestjs/common';
import type {
  CountRow,
  GetCaseStatisticsRequest,
  GetCaseStatisticsResponse,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { statusLabel } from '@tongban/domain';
import { ServiceContext } from '@tongban/service-kit';
import { Prisma, type CaseChannel, type CaseStatus } from '../../prisma/generated/client';
import { channelLabel } from '../cases/case-channel';
import { ENDED_STATUSES, statusToProto } from '../cases/case-status';
import { IntakeError } from '../cases/intake-error';
import { PrismaService } from '../prisma/prisma.service';

/**
 * One row of the statistics query: the totals (every column grouped away) or the count of one
 * handling region, item, status or channel. `grouping` is PostgreSQL's GROUPING() bit mask over
 * (handling_region, item_code, status, channel): a bit is set for each column grouped away.
 */
interface GroupRow {
  grouping: number;
  handling_region: string | null;
  item_code: string | null;
  status: CaseStatus | null;
  channel: CaseChannel | null;
  item_name: string | null;
  count: number;
  open: number;
  completed: number;
  overdue_open: number;
  average_handling_ms: number | null;
}

const TOTALS = 0b1111;
const BY_HANDLING_REGION = 0b0111;
const BY_ITEM = 0b1011;
const BY_STATUS = 0b1101;
const BY_CHANNEL = 0b1110;

/**
 * How the cases accepted in this region stand, for the operator dashboard (seed 002: efficiency
 * monitoring). One aggregate statement over intake_case with grouping sets, so the totals and
 * every breakdown come from the same snapshot and each breakdown adds up to the total.
 */
@Injectable()
export class StatisticsService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
  ) {}

  async caseStatistics(request: GetCaseStatisticsRequest): Promise<GetCaseStatisticsResponse> {
    const { from, to } = request;
    if (from && to && to.getTime() <= from.getTime()) {
      throw new IntakeError(
        'INTAKE.INVALID_PERIOD',
        '统计时段的结束时间须晚于开始时间，请重新选择时段。',
      );
    }
    const ended = Prisma.join([...ENDED_STATUSES]);
    const period = [
      ...(from ? [Prisma.sql`submitted_at >= ${from}`] : []),
      ...(to ? [Prisma.sql`submitted_at < ${to}`] : []),
    ];
    const rows = await this.prisma.$queryRaw<GroupRow[]>`
      SELECT GROUPING(handling_region, item_code, status, channel)::int AS grouping,
             handling_region, item_code, status, channel,
             -- An item is named by the partner's catalog; were it renamed, one of its names.
             max(item_name) AS item_name,
             count(*)::int AS count,
             (count(*) FILTER (WHERE status::text NOT IN (${ended})))::int AS open,
             (count(*) FILTER (WHERE status = 'COMPLETED'))::int AS completed,
             (count(*) FILTER (WHERE overdue AND status::text NOT IN (${ended})))::int
               AS overdue_open,
             round(avg(extract(EPOCH FROM completed_at - submitted_at) * 1000)
                   FILTER (WHERE status = 'COMPLETED' AND completed_at IS NOT NULL))::float8
               AS average_handling_ms
        FROM intake_case
       WHERE ${period.length > 0 ? Prisma.join(period, ' AND ') : Prisma.sql`TRUE`}
       GROUP BY GROUPING SETS ((), (handling_region), (item_code), (status), (channel))`;

    const totals = rows.find((row) => row.grouping === TOTALS);
    const breakdown = (grouping: number, row: (found: GroupRow) => Omit<CountRow, 'count'>) =>
      rows
        .filter((found) => found.grouping === grouping)
        .map((found) => ({ ...row(found), count: found.count }))
        .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return {
      total: totals?.count ?? 0,
      open: totals?.open ?? 0,
      completed: totals?.completed ?? 0,
      overdueOpen: totals?.overdue_open ?? 0,
      averageHandlingMs: totals?.average_handling_ms ?? 0,
      byHandlingRegion: breakdown(BY_HANDLING_REGION, (found) => {
        const code = found.handling_region ?? '';
        return { key: code, label: this.regionName(code) };
      }),
      byItem: breakdown(BY_ITEM, (found) => ({
        key: found.item_code ?? '',
        label: found.item_name ?? found.item_code ?? '',
      })),
      byStatus: breakdown(BY_STATUS, (found) => ({
        key: found.status ?? '',
        label: found.status ? statusLabel(statusToProto(found.status)) : '',
      })),
      byChannel: breakdown(BY_CHANNEL, (found) => ({
        key: found.channel ?? '',
        label: found.channel ? channelLabel(found.channel) : '',
      })),
    };
  }

  /** A partner's name from the region file; a region no longer a partner keeps its code. */
  private regionName(code: string): string {
    const { region } = this.context;
    if (code === region.code) return region.name;
    return region.partners.find((partner) => partner.code === code)?.name ?? code;
  }
}
