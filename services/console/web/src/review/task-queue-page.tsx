// 审查工作台: the region's review tasks, most urgent first (the server's order), each with a live
// countdown to its deadline. Refreshed every 3 s so a case received from a partner shows up at
// once.
import type { TaskSummary } from '../../../src/api/console-api';
import { formatDateTime } from '../shared/format';
import { LEVEL_LABELS, MODE_LABELS, TASK_STATE_LABELS, taskStateTone } from '../shared/labels';
import { Link, navigate, useLocation } from '../shared/router';
import { useResource } from '../shared/use-resource';
import { Badge, Empty, ErrorMessage, Loading, Panel } from '../shared/ui';
import { useStaff } from '../session/session-context';
import { Countdown, clockOffset } from './countdown';
import { reviewApi } from './review-api';
import type { TaskScope } from './review-api';

const REFRESH_MS = 3000;

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
        <Link
          to="/review"
          role="tab"
          aria-selected={scope === 'open'}
          className={scope === 'open' ? 'tab tab-active' : 'tab'}
          data-testid="tab-open"
        >
          待办
        </Link>
        <Link
          to="/review?scope=decided"
          role="tab"
          aria-selected={scope === 'decided'}
          className={scope === 'decided' ? 'tab tab-active' : 'tab'}
          data-testid="tab-decided"
        >
          已办
        </Link>
      </div>
      <Panel>
        <ErrorMessage error={tasks.error} />
        {tasks.data === undefined ? (
          tasks.error === undefined ? (
            <Loading what="审查任务" />
          ) : null
        ) : list.length === 0 ? (
          <Empty>{scope === 'open' ? '暂无待审查的办件。' : '暂无已办结的审查任务。'}</Empty>
        ) : (
          <TaskTable tasks={list} offsetMs={tasks.data.offsetMs} scope={scope} />
        )}
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
      <thead>
        <tr>
          <th>办件编号</th>
          <th>受理地</th>
          <th>事项</th>
          <th>申请人</th>
          <th>状态</th>
          <th>层级</th>
          <th>{scope === 'open' ? '办理期限' : '接收时间'}</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => {
          const path = `/review/tasks/${encodeURIComponent(task.taskId)}`;
          return (
            <tr
              key={task.taskId}
              data-testid="task-row"
              data-case-id={task.caseId}
              data-task-id={task.taskId}
              data-state={task.state}
              className={`row-clickable${task.overdue ? ' row-overdue' : ''}`}
              onClick={() => {
                navigate(path);
              }}
            >
              <td className="nowrap">
                <Link to={path} className="case-link">
                  {task.caseId}
                </Link>
              </td>
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
                  formatDateTime(task.receivedAt)
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
