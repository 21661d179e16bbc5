// 审查工作台: the region's review tasks, most urgent first (the server's order), each with a live
// countdown to its deadline. Refreshed every 3 s so a case received from a partner shows up at
// once.
import type { TaskSummary } from '../../../src/api/console-api';
import { formatDateTime } from '../shared/format';
import { LEVEL_LABELS, MODE_LABELS, TASK_STATE_LABELS, taskStateTone } from '../shared/labels';
import { Link, LinkedRow, useLocation } from '../shared/router';
import { useResource } from '../shared/use-resource';
import { Badge, Empty, Loaded, Panel, TableHead } from '../shared/ui';
import { useStaff } from '../session/session-context';
import { Countdown, clockOffset } from './countdown';
import { reviewApi } from './review-api';
import type { TaskScope } from './review-api';

const REFRESH_MS = 3000;

const TABS: { scope: TaskScope; to: string; label: string; testId: string }[] = [
  { scope: 'open', to: '/review', label: '待办', testId: 'tab-open' },
  { scope: 'decided', to: '/review?scope=decided', label: '已办', testId: 'tab-decided' },
];

export function TaskQueuePage() {
  const staff = useStaff();
  const { search } = useLocation();
  const scope: TaskScope = search.get('scope') === 'decided' ? 'decided' : 'open';
  const tasks = useResource(
    `tasks:${scope}`,
    async () => {
      const response = await reviewApi.tasks(staff.region, scope);
      return { ...response, offsetMs: clockOffset(response.now) };
    },
    REFRESH_MS,
  );
  const list = tasks.data?.tasks ?? [];
  const overdue = list.filter((task) => task.overdue).length;

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>审查工作台</h1>
          <p className="page-subtitle">
            {staff.regionName} · 收到的跨省通办办件按办理期限排序，每 3 秒自动刷新
          </p>
        </div>
        {scope === 'open' && tasks.data !== undefined ? (
          <div className="queue-summary">
            <span>
              待办 <strong>{list.length}</strong> 件
            </span>
            <span className={overdue > 0 ? 'text-danger' : ''}>
              超期 <strong>{overdue}</strong> 件
            </span>
          </div>
        ) : null}
      </div>
      <div className="tabs" role="tablist">
        {TABS.map((tab) => (
          <Link
            key={tab.scope}
            to={tab.to}
            role="tab"
            aria-selected={scope === tab.scope}
            className={scope === tab.scope ? 'tab tab-active' : 'tab'}
            data-testid={tab.testId}
          >
            {tab.label}
          </Link>
        ))}
      </div>
      <Panel>
        <Loaded resource={tasks} what="审查任务">
          {(loaded) =>
            loaded.tasks.length === 0 ? (
              <Empty>{scope === 'open' ? '暂无待审查的办件。' : '暂无已办结的审查任务。'}</Empty>
            ) : (
              <TaskTable tasks={loaded.tasks} offsetMs={loaded.offsetMs} scope={scope} />
            )
          }
        </Loaded>
      </Panel>
    </div>
  );
}

function TaskTable({
  tasks,
  offsetMs,
  scope,
}: {
  tasks: TaskSummary[];
  offsetMs: number;
  scope: TaskScope;
}) {
  return (
    <table className="table">
      <TableHead
        columns={[
          '办件编号',
          '受理地',
          '事项',
          '申请人',
          '状态',
          '层级',
          scope === 'open' ? '办理期限' : '办结时间',
        ]}
      />
      <tbody>
        {tasks.map((task) => {
          const path = `/review/tasks/${encodeURIComponent(task.taskId)}`;
          return (
            <LinkedRow
              key={task.taskId}
              to={path}
              caseId={task.caseId}
              className={task.overdue ? 'row-overdue' : undefined}
              data-testid="task-row"
              data-case-id={task.caseId}
              data-task-id={task.taskId}
              data-state={task.state}
            >
              <td>{task.originRegionName}</td>
              <td>
                {task.itemName}
                <span className="secondary">
                  {task.department} · {MODE_LABELS[task.mode]}
                </span>
              </td>
              <td>{task.applicantName}</td>
              <td>
                <Badge tone={taskStateTone(task.state)}>{TASK_STATE_LABELS[task.state]}</Badge>
              </td>
              <td>
                {task.mode === 'TWO_LEVEL' ? (
                  <Badge tone={task.level === 'APPROVAL' ? 'warning' : 'info'}>
                    {LEVEL_LABELS[task.level]}
                  </Badge>
                ) : (
                  LEVEL_LABELS[task.level]
                )}
              </td>
              <td className="nowrap">
                {scope === 'open' ? (
                  <>
                    <Countdown dueAt={task.dueAt} paused={task.paused} offsetMs={offsetMs} />
                    <span className="secondary">截止 {formatDateTime(task.dueAt)}</span>
                  </>
                ) : (
                  formatDateTime(task.decidedAt ?? task.receivedAt)
                )}
              </td>
            </LinkedRow>
          );
        })}
      </tbody>
    </table>
  );
}
