import { Inject, Injectable } from '@nestjs/common';
import type { CountRow } from '@tongban/contracts/tongban/intake/v1/intake';
import type { Case } from '@tongban/contracts/tongban/intake/v1/intake';
import {
  ReportGrouping,
  type GetOnTimeReportResponse,
  type OnTimeRow,
} from '@tongban/contracts/tongban/review/v1/review';
import { topicDepths } from '@tongban/kafka';
import type * as Api from '../api/console-api';
import { ConsoleContext } from '../console-context';
import { caseStatusName } from '../desk/case-view';

// The services whose consumers park poison messages in a dead-letter topic of their own.
const CONSUMING_SERVICES = ['intake', 'review', 'certificate', 'logistics', 'exchange'] as const;

/**
 * Seed 002's real-time efficiency monitoring for one region, read live from its services:
 * cases accepted here, cases handled here and their on-time rate, the exchange with each partner,
 * and the dead-letter topics.
 */
@Injectable()
export class DashboardService {
  constructor(@Inject(ConsoleContext) private readonly context: ConsoleContext) {}

  async dashboard(region: string): Promise<Api.Dashboard> {
    const clients = this.context.upstreams.of(region);
    const naming = this.context.naming(region);
    const dlqTopics = CONSUMING_SERVICES.map((service) => naming.deadLetters(service));
    const [statistics, byItem, byOrigin, exchange, depths, recent, overdue] =
      await Promise.allSettled([
        clients.intake.getCaseStatistics({ from: undefined, to: undefined }),
        clients.review.getOnTimeReport({
          grouping: ReportGrouping.REPORT_GROUPING_ITEM,
          from: undefined,
          to: undefined,
        }),
        clients.review.getOnTimeReport({
          grouping: ReportGrouping.REPORT_GROUPING_ORIGIN_REGION,
          from: undefined,
          to: undefined,
        }),
        clients.exchangeOperations.getDeliveryStatistics({}),
        topicDepths(this.context.kafka, dlqTopics),
        clients.intake.listCases(listRequest(false, 10)),
        clients.intake.listCases(listRequest(true, 50)),
      ]);
    const unavailable = new Set<string>();
    const value = <T>(result: PromiseSettledResult<T>, source: string): T | undefined => {
      if (result.status === 'fulfilled') return result.value;
      this.context.logger.warn({ err: result.reason, source }, 'dashboard source did not answer');
      unavailable.add(source);
      return undefined;
    };
    const stats = value(statistics, 'intake');
    const itemReport = value(byItem, 'review');
    const originReport = value(byOrigin, 'review');
    const partners = value(exchange, 'exchange');
    const dlq = value(depths, 'kafka');
    const recentCases = value(recent, 'intake');
    const overdueCases = value(overdue, 'intake');
    const regions = this.context.regions;

    return {
      region,
      regionName: regions.name(region),
      generatedAt: new Date().toISOString(),
      origin: {
        total: stats?.total ?? 0,
        open: stats?.open ?? 0,
        completed: stats?.completed ?? 0,
        overdue: stats?.overdueOpen ?? 0,
        averageHandlingMs: stats?.averageHandlingMs ?? 0,
        byHandlingRegion: (stats?.byHandlingRegion ?? []).map(countRow),
        byItem: (stats?.byItem ?? []).map(countRow),
        byStatus: (stats?.byStatus ?? []).map(countRow),
        byChannel: (stats?.byChannel ?? []).map(countRow),
      },
      handling: {
        total: onTimeRow(itemReport?.total, region, regions.name(region)),
        byItem: reportRows(itemReport),
        byOriginRegion: reportRows(originReport).map((row) => ({
          ...row,
          label: row.label === '' || row.label === row.key ? regions.name(row.key) : row.label,
        })),
      },
      exchange: (partners?.partners ?? []).map((row) => {
        const oldest = row.oldestPendingAt?.toISOString();
        return {
          partner: row.partner,
          partnerName: row.partnerName !== '' ? row.partnerName : regions.name(row.partner),
          pending: row.pending,
          failed: row.failed,
          delivered: row.delivered,
          received: row.received,
          ...(oldest ? { oldestPendingAt: oldest } : {}),
        };
      }),
      deadLetters: dlq
        ? CONSUMING_SERVICES.map((service, index) => {
            const topic = dlqTopics[index] ?? '';
            return { service, topic, depth: dlq.get(topic) ?? 0 };
          })
        : [],
      recentCases: (recentCases?.cases ?? []).map((item) => this.dashboardCase(item)),
      overdueCases: (overdueCases?.cases ?? []).map((item) => this.dashboardCase(item)),
      unavailable: [...unavailable],
    };
  }

  async failedDeliveries(
    region: string,
    partner: string | undefined,
  ): Promise<Api.FailedDeliveriesResponse> {
    const response = await this.context.upstreams
      .of(region)
      .exchangeOperations.listFailedDeliveries({
        partner: partner ?? '',
        pageSize: 200,
        pageToken: '',
      });
    return {
      deliveries: response.deliveries.map((delivery) => ({
        messageId: delivery.messageId,
        caseId: delivery.caseId,
        partner: delivery.partner,
        partnerName: this.context.regions.name(delivery.partner),
        bodyKind: delivery.bodyKind,
        attempts: delivery.attempts,
        lastError: delivery.lastError,
        failedAt: delivery.failedAt?.toISOString() ?? '',
        heldBehind: delivery.heldBehind,
      })),
    };
  }

  async retryDelivery(
    region: string,
    staff: Api.Staff,
    messageId: string,
  ): Promise<Api.RetryDeliveryResult> {
    const response = await this.context.upstreams
      .of(region)
      .exchangeOperations.retryDelivery({ messageId, requestedBy: staff.username });
    this.context.logger.info(
      { staff: staff.username, messageId, caseId: response.caseId },
      'operator put a failed delivery back in the queue',
    );
    return {
      messageId: response.messageId,
      caseId: response.caseId,
      partner: response.partner,
      requeuedAt: response.requeuedAt?.toISOString() ?? '',
      heldBehind: response.heldBehind,
    };
  }

  private dashboardCase(item: Case): Api.DashboardCase {
    const due = item.dueAt?.toISOString();
    const trace = this.context.traceUrl(item.traceId);
    return {
      caseId: item.caseId,
      itemName: item.itemName,
      handlingRegion: item.handlingRegion,
      handlingRegionName: this.context.regions.name(item.handlingRegion),
      status: caseStatusName(item.status),
      submittedAt: item.submittedAt?.toISOString() ?? '',
      ...(due ? { dueAt: due } : {}),
      overdue: item.overdue,
      ...(trace ? { traceUrl: trace } : {}),
    };
  }
}

function listRequest(overdueOnly: boolean, pageSize: number) {
  return { statuses: [], handlingRegion: '', pageSize, pageToken: '', query: '', overdueOnly };
}

function countRow(row: CountRow): Api.CountRow {
  return { key: row.key, label: row.label, count: row.count };
}

function onTimeRow(row: OnTimeRow | undefined, key: string, label: string): Api.OnTimeRow {
  return {
    key: row?.key ?? key,
    label: row !== undefined && row.label !== '' ? row.label : label,
    decided: row?.decided ?? 0,
    decidedOnTime: row?.decidedOnTime ?? 0,
    open: row?.open ?? 0,
    openOverdue: row?.openOverdue ?? 0,
    onTimeRate: row?.onTimeRate ?? 1,
  };
}

function reportRows(report: GetOnTimeReportResponse | undefined): Api.OnTimeRow[] {
  return (report?.rows ?? []).map((row) => onTimeRow(row, row.key, row.label));
}
