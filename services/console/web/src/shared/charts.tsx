// Hand-drawn SVG charts for the operator dashboard: horizontal bars (counts or rates) and a
// donut. Each datum also carries data-* attributes so tests and screen readers get exact numbers.
import type { CountRow, OnTimeRow } from '../../../src/api/console-api';
import { formatPercent } from './format';
import { Empty } from './ui';

const PALETTE = [
  '#1f5fbf',
  '#2e9d8f',
  '#e0a100',
  '#c2410c',
  '#7c3aed',
  '#0e7490',
  '#64748b',
] as const;
const LABEL_WIDTH = 176;
const VALUE_WIDTH = 92;
const WIDTH = 560;
const ROW_HEIGHT = 28;
const BAR_HEIGHT = 16;

function shorten(label: string, characters = 12): string {
  return label.length > characters ? `${label.slice(0, characters - 1)}…` : label;
}

/** One horizontal bar: its label on the left, the track with the bar, the value on the right. */
interface Bar {
  key: string;
  label: string;
  /** Tooltip with the exact numbers. */
  title: string;
  /** Length of the bar in the chart's units. */
  length: number;
  fill: string;
  value: string | number;
  /** The row's data-* attributes (test id and exact numbers). */
  attributes: Record<`data-${string}`, string | number>;
}

function Bars({
  bars,
  barSpace,
  title,
  testId,
}: {
  bars: Bar[];
  /** Width of the track; the value is written after it. */
  barSpace: number;
  title: string;
  testId?: string;
}) {
  const height = bars.length * ROW_HEIGHT + 8;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={title}
      data-testid={testId}
    >
      {bars.map((bar, index) => {
        const y = index * ROW_HEIGHT + 4;
        return (
          <g key={bar.key} {...bar.attributes}>
            <title>{bar.title}</title>
            <text
              x={LABEL_WIDTH - 8}
              y={y + BAR_HEIGHT - 3}
              textAnchor="end"
              className="chart-label"
            >
              {shorten(bar.label)}
            </text>
            <rect
              x={LABEL_WIDTH}
              y={y}
              width={barSpace}
              height={BAR_HEIGHT}
              className="chart-track"
            />
            <rect
              x={LABEL_WIDTH}
              y={y}
              width={bar.length}
              height={BAR_HEIGHT}
              fill={bar.fill}
              rx={2}
            />
            <text x={LABEL_WIDTH + barSpace + 8} y={y + BAR_HEIGHT - 3} className="chart-value">
              {bar.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function BarChart({
  rows,
  group,
  title,
  color = PALETTE[0],
}: {
  rows: CountRow[];
  /** Goes into data-group of each row: handling-region | item | status | channel. */
  group: string;
  title: string;
  color?: string;
}) {
  if (rows.length === 0) return <Empty>暂无数据</Empty>;
  const max = Math.max(1, ...rows.map((row) => row.count));
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  return (
    <Bars
      barSpace={barSpace}
      title={title}
      testId={`chart-${group}`}
      bars={rows.map((row) => ({
        key: row.key,
        label: row.label,
        title: `${row.label}：${row.count}`,
        length: row.count === 0 ? 0 : Math.max(2, (row.count / max) * barSpace),
        fill: color,
        value: row.count,
        attributes: {
          'data-testid': 'count-row',
          'data-group': group,
          'data-key': row.key,
          'data-count': row.count,
        },
      }))}
    />
  );
}

/** One bar per row: its on-time rate, with how many were decided and how many are late. */
export function OnTimeChart({ rows, title }: { rows: OnTimeRow[]; title: string }) {
  if (rows.length === 0) return <Empty>暂无办理数据</Empty>;
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 40;
  return (
    <Bars
      barSpace={barSpace}
      title={title}
      bars={rows.map((row) => {
        const rate = Math.min(1, Math.max(0, row.onTimeRate));
        return {
          key: row.key,
          label: row.label,
          title: `${row.label}：按期办结 ${row.decidedOnTime}/${row.decided}，在办 ${row.open}（超期 ${row.openOverdue}）`,
          length: row.decided === 0 ? 0 : Math.max(2, rate * barSpace),
          fill: rate >= 0.95 ? '#2e9d8f' : rate >= 0.8 ? '#e0a100' : '#c2410c',
          value:
            row.decided === 0
              ? '暂无办结'
              : `${formatPercent(row.onTimeRate)}（${row.decidedOnTime}/${row.decided}）`,
          attributes: {
            'data-testid': 'on-time-row',
            'data-key': row.key,
            'data-rate': row.onTimeRate,
            'data-decided': row.decided,
          },
        };
      })}
    />
  );
}

export function DonutChart({
  rows,
  group,
  title,
}: {
  rows: CountRow[];
  group: string;
  title: string;
}) {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  if (rows.length === 0) return <Empty>暂无数据</Empty>;
  const radius = 52;
  const circumference = 2 * Math.PI * radius;
  let offset = 0;
  return (
    <div className="donut">
      <svg viewBox="0 0 140 140" role="img" aria-label={title} className="donut-svg">
        <circle cx={70} cy={70} r={radius} className="chart-track-ring" />
        {total === 0
          ? null
          : rows.map((row, index) => {
              const length = (row.count / total) * circumference;
              const arc = (
                <circle
                  key={row.key}
                  cx={70}
                  cy={70}
                  r={radius}
                  fill="none"
                  stroke={PALETTE[index % PALETTE.length]}
                  strokeWidth={22}
                  strokeDasharray={`${length} ${circumference - length}`}
                  strokeDashoffset={-offset}
                  transform="rotate(-90 70 70)"
                >
                  <title>{`${row.label}：${row.count}`}</title>
                </circle>
              );
              offset += length;
              return arc;
            })}
        <text x={70} y={68} textAnchor="middle" className="donut-total">
          {total}
        </text>
        <text x={70} y={86} textAnchor="middle" className="donut-caption">
          件
        </text>
      </svg>
      <ul className="legend">
        {rows.map((row, index) => (
          <li
            key={row.key}
            data-testid="count-row"
            data-group={group}
            data-key={row.key}
            data-count={row.count}
          >
            <span className="swatch" style={{ background: PALETTE[index % PALETTE.length] }} />
            <span className="legend-label">{row.label}</span>
            <span className="legend-value">
              {row.count}
              {total === 0 ? null : (
                <span className="legend-share">{formatPercent(row.count / total)}</span>
              )}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
