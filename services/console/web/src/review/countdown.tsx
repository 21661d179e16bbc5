// Time left until a review deadline, on the server's clock: the list answer carries the server's
// `now`, and the offset to the browser's clock is applied to every tick.
import { formatClock } from '../shared/format';
import { useNow } from '../shared/use-resource';

/** Server time minus browser time, measured when an answer arrived. */
export function clockOffset(serverNow: string): number {
  const server = Date.parse(serverNow);
  return Number.isNaN(server) ? 0 : server - Date.now();
}

export function Countdown({
  dueAt,
  paused,
  offsetMs,
  testId = 'task-countdown',
}: {
  dueAt: string | undefined;
  paused: boolean;
  offsetMs: number;
  testId?: string;
}) {
  const now = useNow(1000) + offsetMs;
  if (paused) {
    return (
      <span className="countdown countdown-paused" data-testid={testId} data-state="paused">
        已暂停
        <span className="countdown-hint">（等待补正/踏勘，不计时）</span>
      </span>
    );
  }
  if (dueAt === undefined || Number.isNaN(Date.parse(dueAt))) {
    return (
      <span className="countdown" data-testid={testId} data-state="none">
        —
      </span>
    );
  }
  const left = Date.parse(dueAt) - now;
  if (left < 0) {
    return (
      <span
        className="countdown countdown-overdue"
        data-testid={testId}
        data-state="overdue"
        data-remaining-ms={Math.round(left)}
      >
        已超期 {formatClock(-left)}
      </span>
    );
  }
  const soon = left < 24 * 60 * 60 * 1000;
  return (
    <span
      className={`countdown${soon ? ' countdown-soon' : ''}`}
      data-testid={testId}
      data-state="running"
      data-remaining-ms={Math.round(left)}
    >
      剩余 {formatClock(left)}
    </span>
  );
}
