// 效能监测: how the region's cross-province service is doing — volumes, deadlines, the exchange
// with each partner, dead letters — refreshed every 5 s, with a trace link for any case.
import type { Dashboard, DashboardCase, OnTimeRow } from '../../../src/api/console-api';
import { BarChart, DonutChart, OnTimeChart } from '../shared/charts';
import { formatDateTime, formatDuration, formatPercent } from '../shared/format';
import { useResource } from '../shared/use-resource';
import { Badge, CaseProgressCells, Empty, Loaded, Notice, Panel, TableHead } from '../shared/ui';
import { useSession, useStaff } from '../session/session-context';
import { FailedDeliveriesPanel } from './failed-deliveries';
import { operationsApi } from './operations-api';

const REFRESH_MS = 5000;

export function DashboardPage() {
  const staff = useStaff();
  const { state } = useSession();
  const zipkinUrl = state.status === 'signed-in' ? state.session.zipkinUrl : undefined;
  const dashboard = useResource(
    `dashboard:${staff.region}`,
    () => operationsApi.dashboard(staff.region),
    REFRESH_MS,
  );
  const data = dashboard.data;
  return (
    <div className="page" data-testid="dashboard">
      <div className="page-header">
        <div>
          <h1>效能监测</h1>
          <p className="page-subtitle">
            {staff.regionName}（{staff.region}）· 每 5 秒刷新
            {data === undefined ? '' : ` · 数据时间 ${formatDateTime(data.generatedAt)}`}
          </p>
        </div>
        {zipkinUrl === undefined ? null : (
          <div className="page-actions">
            <a
              className="button"
              href={zipkinUrl}
              target="_blank"
              rel="noreferrer"
              data-testid="zipkin-link"
            >
              分布式追踪（Zipkin）
            </a>
          </div>
        )}
      </div>
      <Loaded resource={dashboard} what="监测数据">
        {(loaded) => (
          <DashboardBody data={loaded} region={staff.region} onChanged={dashboard.reload} />
        )}
      </Loaded>
    </div>
  );
}

/** Names of the sources the dashboard reads, for the "unavailable" warning. */
const SOURCE_LABELS: Record<string, string | undefined> = {
  intake: '受理服务',
  review: '审查服务',
  certificate: '证照服务',
  logistics: '物流服务',
  exchange: '交换服务',
  kafka: '消息队列',
};

function DashboardBody({
  data,
  region,
  onChanged,
}: {
  data: Dashboard;
  region: string;
  onChanged: () => void;
}) {
  const { origin, handling } = data;
  const failedTotal = data.exchange.reduce((sum, row) => sum + row.failed, 0);
  const counts: { testId: string; label: string; value: number; alert?: boolean }[] = [
    { testId: 'metric-total', label: '受理总数', value: origin.total },
    { testId: 'metric-open', label: '在办', value: origin.open },
    { testId: 'metric-completed', label: '办结', value: origin.completed },
    {
      testId: 'metric-overdue',
      label: '超期',
      value: origin.overdue,
      alert: origin.overdue > 0,
    },
  ];
  const tiles: TileProps[] = [
    ...counts.map((count) => ({ ...count, shown: `${count.value}`, unit: '件' })),
    {
      testId: 'metric-average-handling',
      label: '平均办理时长',
      value: origin.averageHandlingMs,
      shown: origin.averageHandlingMs === 0 ? '暂无办结' : formatDuration(origin.averageHandlingMs),
    },
    {
      testId: 'metric-on-time-rate',
      label: '按期办结率',
      value: handling.total.onTimeRate,
      shown: handling.total.decided === 0 ? '—' : formatPercent(handling.total.onTimeRate),
      hint: `本地办理 ${handling.total.decidedOnTime}/${handling.total.decided} 件按期`,
      alert: handling.total.decided > 0 && handling.total.onTimeRate < 0.9,
    },
  ];
  // DashboardCase carries only the region code; the origin counts carry its name.
  return (
    <>
      {data.unavailable.length === 0 ? null : (
        <div data-testid="dashboard-unavailable" data-sources={data.unavailable.join(',')}>
          <Notice tone="warning">
            以下数据源暂时无法访问，相关统计暂缺：
            {data.unavailable.map((source) => SOURCE_LABELS[source] ?? source).join('、')}
            。其余数据照常更新。
          </Notice>
        </div>
      )}
      <div className="tiles">
        {tiles.map((tile) => (
          <Tile key={tile.testId} {...tile} />
        ))}
      </div>

      <div className="dashboard-grid">
        <Panel title="按状态（本地受理）">
          <BarChart rows={origin.byStatus} group="status" title="按状态统计的办件数" />
        </Panel>
        <Panel title="受理渠道">
          <DonutChart rows={origin.byChannel} group="channel" title="按受理渠道统计的办件数" />
        </Panel>
        <Panel title="按办理地（本地受理，异地办理）">
          <BarChart
            rows={origin.byHandlingRegion}
            group="handling-region"
            title="按办理地统计的办件数"
            color="#2e9d8f"
          />
        </Panel>
        <Panel title="按事项（本地受理）">
          <BarChart rows={origin.byItem} group="item" title="按事项统计的办件数" color="#7c3aed" />
        </Panel>
        <Panel title="本地办理：按受理地的按期办结率">
          <OnTimeChart rows={handling.byOriginRegion} title="按受理地统计的按期办结率" />
        </Panel>
        <Panel title="本地办理：按事项">
          <OnTimeTable rows={handling.byItem} />
        </Panel>
      </div>

      <div className="dashboard-grid">
        <Panel title="跨地区交换（按合作地区）">
          {data.exchange.length === 0 ? (
            <Empty>暂无合作地区。</Empty>
          ) : (
            <table className="table table-compact">
              <TableHead
                columns={[
                  '合作地区',
                  { title: '待发送', number: true },
                  { title: '发送失败', number: true },
                  { title: '已送达', number: true },
                  { title: '已接收', number: true },
                  '最早待发',
                ]}
              />
              <tbody>
                {data.exchange.map((row) => (
                  <tr
                    key={row.partner}
                    data-testid="exchange-row"
                    data-partner={row.partner}
                    data-pending={row.pending}
                    data-failed={row.failed}
                    className={row.failed > 0 ? 'row-alert' : ''}
                  >
                    <td>
                      {row.partnerName}
                      <span className="code">{row.partner}</span>
                    </td>
                    <td className="number">{row.pending}</td>
                    <td className="number">
                      {row.failed > 0 ? <Badge tone="danger">{row.failed}</Badge> : 0}
                    </td>
                    <td className="number">{row.delivered}</td>
                    <td className="number">{row.received}</td>
                    <td>
                      {row.oldestPendingAt === undefined
                        ? '—'
                        : `${formatDuration(Date.parse(data.generatedAt) - Date.parse(row.oldestPendingAt))}前`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title="死信队列">
          {data.deadLetters.length === 0 ? (
            <Empty>无死信队列数据。</Empty>
          ) : (
            <table className="table table-compact">
              <TableHead columns={['服务', '主题', { title: '积压', number: true }]} />
              <tbody>
                {data.deadLetters.map((row) => (
                  <tr
                    key={`${row.service}-${row.topic}`}
                    data-testid="dead-letter-row"
                    data-service={row.service}
                    data-topic={row.topic}
                    data-depth={row.depth}
                    className={row.depth > 0 ? 'row-alert' : ''}
                  >
                    <td>{row.service}</td>
                    <td className="code-inline">{row.topic}</td>
                    <td className="number">
                      {row.depth > 0 ? <Badge tone="danger">{row.depth}</Badge> : 0}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
      </div>

      {failedTotal === 0 ? null : (
        <FailedDeliveriesPanel region={region} refreshMs={REFRESH_MS} onRetried={onChanged} />
      )}

      <div className="dashboard-stack">
        <Panel title="最近办件">
          <CaseTable cases={data.recentCases} testId="recent-case" />
        </Panel>
        <Panel title="超期办件">
          <CaseTable
            cases={data.overdueCases}
            testId="overdue-case"

            empty="当前没有超期办件。"
          />
        </Panel>
      </div>
    </>
  );
}

interface TileProps {
  testId: string;
  label: string;
  /** The raw number, for data-value. */
  value: number;
  shown: string;
  unit?: string;
  hint?: string;
  alert?: boolean;
}

function Tile({ testId, label, value, shown, unit, hint, alert }: TileProps) {
  return (
    <div
      className={`tile${alert === true ? ' tile-alert' : ''}`}
      data-testid={testId}
      data-value={value}
    >
      <span className="tile-label">{label}</span>
      <span className="tile-value">
        {shown}
        {unit === undefined ? null : <span className="tile-unit">{unit}</span>}
      </span>
      {hint === undefined ? null : <span className="tile-hint">{hint}</span>}
    </div>
  );
}

function OnTimeTable({ rows }: { rows: OnTimeRow[] }) {
  if (rows.length === 0) return <Empty>暂无办理数据。</Empty>;
  return (
    <table className="table table-compact">
      <TableHead
        columns={[
          '事项',
          { title: '办结', number: true },
          { title: '按期', number: true },
          { title: '在办', number: true },
          { title: '超期', number: true },
          { title: '按期率', number: true },
        ]}
      />
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.key}
            data-testid="handling-item-row"
            data-key={row.key}
            data-decided={row.decided}
            data-decided-on-time={row.decidedOnTime}
            data-open={row.open}
            data-open-overdue={row.openOverdue}
          >
            <td>{row.label}</td>
            <td className="number">{row.decided}</td>
            <td className="number">{row.decidedOnTime}</td>
            <td className="number">{row.open}</td>
            <td className={`number${row.openOverdue > 0 ? ' text-danger' : ''}`}>
              {row.openOverdue}
            </td>
            <td className="number">{row.decided === 0 ? '—' : formatPercent(row.onTimeRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CaseTable({
  cases,
  testId,
  empty = '暂无办件。',
}: {
  cases: DashboardCase[];
  testId: string;
  empty?: string;
}) {
  if (cases.length === 0) return <Empty>{empty}</Empty>;
  return (
    <table className="table table-compact">
      <TableHead columns={['办件编号', '事项', '办理地', '状态', '受理时间', '期限', '追踪']} />
      <tbody>
        {cases.map((item) => (
          <tr
            key={item.caseId}
            data-testid={testId}
            data-case-id={item.caseId}
            data-status={item.status}
            className={item.overdue ? 'row-overdue' : ''}
          >
            <td className="nowrap">{item.caseId}</td>
            <td>{item.itemName}</td>
            <td>{item.handlingRegionName}</td>
            <CaseProgressCells
              status={item.status}
              submittedAt={item.submittedAt}
              dueAt={item.dueAt}
              overdue={item.overdue}
            />
            <td>
              {item.traceUrl === undefined ? (
                '—'
              ) : (
                <a href={item.traceUrl} target="_blank" rel="noreferrer" data-testid="trace-link">
                  追踪
                </a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
