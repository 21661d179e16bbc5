// One review task: everything the applicant handed in at the partner's window (materials viewed
// in place), the supplement and survey rounds, how the instant rules decided, the deadline — and
// the reviewer's actions. The page keeps itself fresh while the task is open, so replies from
// the window appear without a reload.
import { useState } from 'react';
import type { TaskView } from '../../../src/api/console-api';
import { formatDateTime, maskIdentifier, maskPhone, orDash } from '../shared/format';
import {
  APPLICANT_KIND_LABELS,
  LEVEL_LABELS,
  MODE_LABELS,
  TASK_STATE_LABELS,
  taskStateTone,
} from '../shared/labels';
import { Link } from '../shared/router';
import { useResource } from '../shared/use-resource';
import { Badge, Empty, Facts, Loaded, Panel, TableHead } from '../shared/ui';
import { useStaff } from '../session/session-context';
import { Countdown, clockOffset } from './countdown';
import { MaterialLink, MaterialViewer } from './material-viewer';
import type { ViewableFile } from './material-viewer';
import { reviewApi } from './review-api';
import { ReviewActions } from './review-actions';

const REFRESH_MS = 3000;
const DECIDED = new Set(['APPROVED', 'REJECTED', 'CANCELLED']);

export function TaskDetailPage({ taskId }: { taskId: string }) {
  const staff = useStaff();
  const [decided, setDecided] = useState(false);
  const task = useResource(
    `task:${taskId}`,
    async () => {
      const response = await reviewApi.task(staff.region, taskId);
      return { ...response, offsetMs: clockOffset(response.now) };
    },
    decided ? undefined : REFRESH_MS,
  );
  const view = task.data?.task;
  const isDecided = view !== undefined && DECIDED.has(view.state);
  if (isDecided !== decided) setDecided(isDecided);

  return (
    <div
      className="page"
      data-testid="task-detail"
      data-task-id={taskId}
      data-state={view?.state ?? ''}
      data-level={view?.level ?? ''}
      data-case-id={view?.caseId ?? ''}
    >
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/review">审查工作台</Link> / 审查任务
          </p>
          <h1>
            {view?.caseId ?? taskId}
            {view === undefined ? null : (
              <Badge
                tone={taskStateTone(view.state)}
                testId="task-state"
                data={{ state: view.state }}
              >
                {TASK_STATE_LABELS[view.state]}
              </Badge>
            )}
            {view?.mode === 'TWO_LEVEL' ? (
              <Badge tone={view.level === 'APPROVAL' ? 'warning' : 'info'}>
                {LEVEL_LABELS[view.level]}
              </Badge>
            ) : null}
            {view?.overdue === true ? <Badge tone="danger">已超期</Badge> : null}
          </h1>
          {view === undefined ? null : (
            <p className="page-subtitle">
              {view.itemName} · {view.department} · {MODE_LABELS[view.mode]} · 受理地{' '}
              {view.originRegionName}（{view.originRegion}）
            </p>
          )}
        </div>
      </div>
      <Loaded resource={task} what="审查任务">
        {({ task: view, offsetMs }) => (
          <div className="detail-layout">
            <div className="detail-main">
              <ApplicationPanel view={view} />
              <MaterialsPanel view={view} region={staff.region} />
              <RoundsPanel view={view} />
              {view.ruleTrace.length === 0 ? null : <RuleTracePanel view={view} />}
            </div>
            <aside className="detail-side">
              <SlaPanel view={view} offsetMs={offsetMs} />
              <ReviewActions
                view={view}
                region={staff.region}
                role={staff.role}
                onUpdated={(response) => {
                  task.replace({ ...response, offsetMs: clockOffset(response.now) });
                }}
              />
            </aside>
          </div>
        )}
      </Loaded>
    </div>
  );
}

function ApplicationPanel({ view }: { view: TaskView }) {
  return (
    <Panel title="申请信息">
      <Facts
        items={[
          ['申请人', `${view.applicant.name}（${APPLICANT_KIND_LABELS[view.applicant.kind]}）`],
          [
            view.applicant.kind === 'PERSON' ? '身份证号码' : '统一社会信用代码',
            maskIdentifier(view.applicant.identifier),
          ],
          ['联系电话', maskPhone(view.applicant.phone)],
          ['接收时间', formatDateTime(view.receivedAt)],
        ]}
      />
      {view.agent === undefined ? null : (
        <>
          <h3 className="subheading">代办人（帮代办）</h3>
          <Facts
            items={[
              ['姓名', view.agent.name],
              ['身份证号码', maskIdentifier(view.agent.identifier)],
              ['电话', maskPhone(view.agent.phone)],
              ['与申请人关系', view.agent.relation],
              [
                '授权委托书',
                view.materials.find(
                  (material) => material.code === view.agent?.authorizationMaterial,
                )?.name ?? view.agent.authorizationMaterial,
              ],
            ]}
          />
        </>
      )}
      <h3 className="subheading">申报信息</h3>
      {view.fieldDisplay.length === 0 ? (
        <Empty>无</Empty>
      ) : (
        <Facts items={view.fieldDisplay.map((field) => [field.label, orDash(field.valueLabel)])} />
      )}
    </Panel>
  );
}

/** Every file of the task — materials, supplements, survey media — with one viewer. */
function MaterialsPanel({ view, region }: { view: TaskView; region: string }) {
  const [selected, setSelected] = useState<ViewableFile>();
  /** A stored file of the task under the title the reviewer sees. */
  const viewable = (
    file: { sha256: string; contentType: string; sizeBytes: number },
    title: string,
  ): ViewableFile => ({
    sha256: file.sha256,
    title,
    contentType: file.contentType,
    sizeBytes: file.sizeBytes,
    url: reviewApi.materialUrl(region, view.taskId, file.sha256),
  });
  const groups: { title: string; files: ViewableFile[] }[] = [
    {
      title: '申请材料',
      files: view.materials.map((material) => viewable(material, material.name)),
    },
    ...view.supplements
      .filter((round) => round.materials.length > 0)
      .map((round) => ({
        title: `补正材料（第 ${round.request.round} 轮）`,
        files: round.materials.map((material) => viewable(material, material.name)),
      })),
    ...view.surveys
      .filter((round) => round.media.length > 0)
      .map((round) => ({
        title: `踏勘影像（第 ${round.request.round} 轮）`,
        files: round.media.map((medium) => {
          const checkpoint = round.request.checkpoints.find(
            (candidate) => candidate.code === medium.checkpoint,
          );
          return viewable(
            medium,
            `${checkpoint?.description ?? medium.checkpoint}${medium.description === '' ? '' : ` · ${medium.description}`}（拍摄于 ${formatDateTime(medium.capturedAt)}）`,
          );
        }),
      })),
  ];
  return (
    <Panel title="材料审查">
      <div className="materials-review">
        <div className="material-groups">
          {groups.map((group) => (
            <div key={group.title} className="material-group">
              <h3 className="subheading">{group.title}</h3>
              {group.files.length === 0 ? (
                <Empty>无</Empty>
              ) : (
                group.files.map((file, index) => (
                  <MaterialLink
                    key={`${file.sha256}-${index}`}
                    file={file}
                    selected={selected?.sha256 === file.sha256}
                    onSelect={setSelected}
                  />
                ))
              )}
            </div>
          ))}
        </div>
        <MaterialViewer file={selected} />
      </div>
    </Panel>
  );
}

function RoundsPanel({ view }: { view: TaskView }) {
  if (view.supplements.length === 0 && view.surveys.length === 0) return null;
  return (
    <Panel title="补正与踏勘记录">
      {view.supplements.map((round) => (
        <div
          key={`supplement-${round.request.round}`}
          className="round"
          data-testid="supplement-round"
        >
          <div className="round-head">
            <strong>补正 · 第 {round.request.round} 轮</strong>
            <span className="secondary">
              {round.request.requestedBy} 于 {formatDateTime(round.request.requestedAt)} 要求
            </span>
            {round.submittedAt === undefined ? (
              <Badge tone="warning">等待申请人补正</Badge>
            ) : (
              <Badge tone="success">已于 {formatDateTime(round.submittedAt)} 补正</Badge>
            )}
          </div>
          <ul className="round-list">
            {round.request.materials.map((material) => (
              <li key={material.code}>
                {material.name}
                <span className="code">{material.code}</span>
                {material.reason === '' ? null : (
                  <span className="secondary">{material.reason}</span>
                )}
              </li>
            ))}
          </ul>
          {round.request.note === '' ? null : (
            <p className="muted">要求说明：{round.request.note}</p>
          )}
          {round.note === '' ? null : <p className="muted">补正说明：{round.note}</p>}
        </div>
      ))}
      {view.surveys.map((round) => (
        <div key={`survey-${round.request.round}`} className="round" data-testid="survey-round">
          <div className="round-head">
            <strong>远程踏勘 · 第 {round.request.round} 轮</strong>
            <span className="secondary">
              {round.request.requestedBy} 于 {formatDateTime(round.request.requestedAt)} 要求
            </span>
            {round.acceptedAt !== undefined ? (
              <Badge tone="success">
                {orDash(round.acceptedBy)} 于 {formatDateTime(round.acceptedAt)} 验收通过
              </Badge>
            ) : round.submittedAt !== undefined ? (
              <Badge tone="info">影像已于 {formatDateTime(round.submittedAt)} 提交，待验收</Badge>
            ) : (
              <Badge tone="warning">等待申请人拍摄</Badge>
            )}
          </div>
          <ul className="round-list">
            {round.request.checkpoints.map((checkpoint) => (
              <li key={checkpoint.code}>
                {checkpoint.description}
                <span className="code">{checkpoint.code}</span>
                <span className="secondary">
                  {round.media.filter((medium) => medium.checkpoint === checkpoint.code).length}{' '}
                  份影像
                </span>
              </li>
            ))}
          </ul>
          {round.request.note === '' ? null : (
            <p className="muted">要求说明：{round.request.note}</p>
          )}
        </div>
      ))}
    </Panel>
  );
}

function RuleTracePanel({ view }: { view: TaskView }) {
  return (
    <Panel title={`秒批规则判定${view.rule === '' ? '' : `（命中：${view.rule}）`}`}>
      <table className="table rule-trace">
        <TableHead columns={['规则', '结果', '条件']} />
        <tbody>
          {view.ruleTrace.map((trace) => (
            <tr
              key={trace.rule}
              data-testid="rule-trace"
              data-rule={trace.rule}
              data-matched={trace.matched}
            >
              <td>
                <strong>{trace.description}</strong>
                <span className="code">{trace.rule}</span>
              </td>
              <td>
                <Badge tone={trace.matched ? 'success' : 'muted'}>
                  {trace.matched ? '命中' : '未命中'}
                </Badge>
              </td>
              <td>
                <ul className="conditions">
                  {trace.conditions.map((condition, index) => (
                    <li
                      key={`${condition.condition}-${index}`}
                      className={condition.held ? 'held' : 'not-held'}
                    >
                      {condition.held ? '✓' : '✗'} {condition.condition}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

function SlaPanel({ view, offsetMs }: { view: TaskView; offsetMs: number }) {
  const decided = DECIDED.has(view.state);
  return (
    <Panel title="办理时限">
      {decided ? null : (
        <div className="sla-countdown">
          <Countdown dueAt={view.dueAt} paused={view.paused} offsetMs={offsetMs} />
        </div>
      )}
      <Facts
        items={[
          ['承诺时限', `${view.timeLimitWorkingDays} 个工作日`],
          ['办理期限', formatDateTime(view.dueAt)],
          ['预审期限', formatDateTime(view.preReviewDueAt)],
          [
            view.mode === 'TWO_LEVEL' ? '初审' : '预审',
            view.preReviewedAt === undefined
              ? '—'
              : `${view.preReviewedBy} · ${formatDateTime(view.preReviewedAt)}`,
          ],
          ...(view.mode === 'TWO_LEVEL'
            ? ([['审批部门', orDash(view.approvalDepartment)]] as [string, string][])
            : []),
          ['远程踏勘', view.surveyRequired ? '需要' : '不需要'],
          [
            '决定',
            view.decidedAt === undefined
              ? '—'
              : `${view.decidedBy} · ${formatDateTime(view.decidedAt)}`,
          ],
          ...(view.reason === '' ? [] : ([['理由', view.reason]] as [string, string][])),
        ]}
      />
    </Panel>
  );
}
