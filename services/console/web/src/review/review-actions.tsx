// What a reviewer or approver can do with a task at its current state and level. The buttons
// follow the task; who may press them at which level is the server's decision, and when it
// refuses (an approval by the reviewer who did the initial review, say) its message is shown.
import { useState } from 'react';
import type {
  RequestedMaterial,
  StaffRole,
  SurveyCheckpoint,
  TaskResponse,
  TaskView,
} from '../../../src/api/console-api';
import { asApiFailure } from '../shared/api-client';
import type { ApiFailure } from '../shared/api-client';
import { LEVEL_LABELS } from '../shared/labels';
import { ErrorMessage, FormField, Notice, Panel } from '../shared/ui';
import { reviewApi } from './review-api';

const EMPTY_MATERIAL: RequestedMaterial = { code: '', name: '', reason: '' };
const EMPTY_CHECKPOINT: SurveyCheckpoint = { code: '', description: '' };

export function ReviewActions({
  view,
  region,
  role,
  onUpdated,
}: {
  view: TaskView;
  region: string;
  role: StaffRole;
  onUpdated: (response: TaskResponse) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | string>();
  const [done, setDone] = useState<string>();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [materials, setMaterials] = useState<RequestedMaterial[]>([EMPTY_MATERIAL]);
  const [supplementNote, setSupplementNote] = useState('');
  const [checkpoints, setCheckpoints] = useState<SurveyCheckpoint[]>([EMPTY_CHECKPOINT]);
  const [surveyNote, setSurveyNote] = useState('');

  const decidable = view.state === 'OPEN' || view.state === 'PRE_REVIEWED';
  const canPreReview = role === 'REVIEWER' && view.level === 'INITIAL' && view.state === 'OPEN';
  const pendingSurvey = view.surveys.find(
    (round) => round.submittedAt !== undefined && round.acceptedAt === undefined,
  );
  const twoLevel = view.mode === 'TWO_LEVEL';

  const run = async (what: string, action: () => Promise<TaskResponse>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const response = await action();
      setDone(what);
      onUpdated(response);
      return true;
    } catch (failure: unknown) {
      setError(asApiFailure(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const decide = async (decision: 'APPROVE' | 'REJECT') => {
    if (decision === 'REJECT' && reason.trim() === '') {
      setError('不予批准须填写理由：理由将告知申请人，并写入决定书。');
      return;
    }
    const ok = await run(decision === 'APPROVE' ? '已作出准予决定。' : '已作出不予决定。', () =>
      reviewApi.decide(region, view.taskId, { decision, reason: reason.trim() }),
    );
    if (ok) setReason('');
  };

  const requestSupplement = async () => {
    const rows = materials.map((row) => ({
      code: row.code.trim(),
      name: row.name.trim(),
      reason: row.reason.trim(),
    }));
    if (rows.some((row) => row.code === '' || row.name === '')) {
      setError('请为每一项补正材料填写材料代码和名称（可从申请材料中选择）。');
      return;
    }
    const ok = await run('已要求补正，等待受理窗口提交材料。', () =>
      reviewApi.requestSupplement(region, view.taskId, {
        materials: rows,
        note: supplementNote.trim(),
      }),
    );
    if (ok) {
      setMaterials([EMPTY_MATERIAL]);
      setSupplementNote('');
    }
  };

  const requestSurvey = async () => {
    const rows = checkpoints.map((row) => ({
      code: row.code.trim(),
      description: row.description.trim(),
    }));
    if (rows.some((row) => row.code === '' || row.description === '')) {
      setError('请为每个踏勘点填写代码和拍摄要求。');
      return;
    }
    const ok = await run('已要求远程踏勘，等待申请人上传照片或视频。', () =>
      reviewApi.requestSurvey(region, view.taskId, {
        checkpoints: rows,
        note: surveyNote.trim(),
      }),
    );
    if (ok) {
      setCheckpoints([EMPTY_CHECKPOINT]);
      setSurveyNote('');
    }
  };

  const updateMaterial = (index: number, change: Partial<RequestedMaterial>) => {
    setMaterials((rows) =>
      rows.map((row, position) => {
        if (position !== index) return row;
        const next = { ...row, ...change };
        // Choosing a known material code fills in its name.
        const known = view.materials.find((material) => material.code === change.code);
        return known !== undefined && row.name === '' ? { ...next, name: known.name } : next;
      }),
    );
  };

  const nothingToDo = !decidable && pendingSurvey === undefined;

  return (
    <Panel title="审查操作" className="actions-panel">
      {decidable ? (
        <p className="muted">
          当前层级：{LEVEL_LABELS[view.level]}
          {twoLevel && view.level === 'APPROVAL'
            ? `（由${view.approvalDepartment}审批人员决定）`
            : ''}
        </p>
      ) : null}
      {nothingToDo ? (
        <Notice tone="muted">
          {view.state === 'SUPPLEMENT_REQUESTED'
            ? '等待受理窗口提交补正材料，期间办理时限暂停。'
            : view.state === 'SURVEY_REQUESTED'
              ? '等待申请人提交踏勘照片或视频，期间办理时限暂停。'
              : '该任务已办结，无需操作。'}
        </Notice>
      ) : null}

      {canPreReview ? (
        <section className="action-section">
          <h3 className="subheading">{twoLevel ? '初审' : '预审'}</h3>
          <FormField label="审查意见（选填）" wide>
            <input
              data-testid="pre-review-note"
              value={note}
              onChange={(event) => {
                setNote(event.target.value);
              }}
            />
          </FormField>
          <button
            type="button"
            className="button button-primary button-block"
            data-testid="action-pre-review"
            disabled={busy}
            onClick={() => {
              void run(twoLevel ? '初审通过，已提交审批。' : '预审通过。', () =>
                reviewApi.preReview(region, view.taskId, { note: note.trim() }),
              ).then((ok) => {
                if (ok) setNote('');
              });
            }}
          >
            {twoLevel ? '初审通过' : '预审通过'}
          </button>
        </section>
      ) : null}

      {pendingSurvey === undefined ? null : (
        <section className="action-section">
          <h3 className="subheading">踏勘验收</h3>
          <p className="muted">第 {pendingSurvey.request.round} 轮踏勘影像已提交，请查看后验收。</p>
          <button
            type="button"
            className="button button-primary button-block"
            data-testid="action-accept-survey"
            disabled={busy}
            onClick={() => {
              void run('踏勘通过。', () =>
                reviewApi.acceptSurvey(region, view.taskId, {
                  round: pendingSurvey.request.round,
                }),
              );
            }}
          >
            踏勘通过（第 {pendingSurvey.request.round} 轮）
          </button>
        </section>
      )}

      {decidable ? (
        <section className="action-section">
          <h3 className="subheading">审查决定</h3>
          <FormField label="理由（不予批准时必填）" wide>
            <textarea
              data-testid="decision-reason"
              rows={3}
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />
          </FormField>
          <div className="button-pair">
            <button
              type="button"
              className="button button-success"
              data-testid="action-approve"
              disabled={busy}
              onClick={() => {
                void decide('APPROVE');
              }}
            >
              准予
            </button>
            <button
              type="button"
              className="button button-danger"
              data-testid="action-reject"
              disabled={busy}
              onClick={() => {
                void decide('REJECT');
              }}
            >
              不予
            </button>
          </div>
        </section>
      ) : null}

      <ErrorMessage error={error} testId="action-error" />
      {done === undefined || error !== undefined ? null : (
        <div className="alert alert-success" role="status" data-testid="action-done">
          {done}
        </div>
      )}

      {decidable ? (
        <section className="action-section">
          <h3 className="subheading">要求补正（一次性告知）</h3>
          <datalist id="task-material-codes">
            {view.materials.map((material) => (
              <option key={material.code} value={material.code}>
                {material.name}
              </option>
            ))}
          </datalist>
          {materials.map((row, index) => (
            <div className="request-row" key={index}>
              <input
                data-testid={`supplement-code-${index}`}
                list="task-material-codes"
                placeholder="材料代码"
                aria-label="材料代码"
                value={row.code}
                onChange={(event) => {
                  updateMaterial(index, { code: event.target.value });
                }}
              />
              <input
                data-testid={`supplement-name-${index}`}
                placeholder="材料名称"
                aria-label="材料名称"
                value={row.name}
                onChange={(event) => {
                  updateMaterial(index, { name: event.target.value });
                }}
              />
              <input
                data-testid={`supplement-reason-${index}`}
                placeholder="补正原因，如：扫描件不清晰"
                aria-label="补正原因"
                className="request-row-wide"
                value={row.reason}
                onChange={(event) => {
                  updateMaterial(index, { reason: event.target.value });
                }}
              />
              {materials.length > 1 ? (
                <button
                  type="button"
                  className="button button-small button-quiet"
                  aria-label="删除此行"
                  onClick={() => {
                    setMaterials((rows) => rows.filter((_, position) => position !== index));
                  }}
                >
                  ×
                </button>
              ) : null}
            </div>
          ))}
          <button
            type="button"
            className="button button-small button-quiet"
            data-testid="supplement-add-row"
            onClick={() => {
              setMaterials((rows) => [...rows, EMPTY_MATERIAL]);
            }}
          >
            ＋ 增加一项材料
          </button>
          <FormField label="补正说明" wide>
            <input
              data-testid="supplement-request-note"
              value={supplementNote}
              onChange={(event) => {
                setSupplementNote(event.target.value);
              }}
            />
          </FormField>
          <button
            type="button"
            className="button button-block"
            data-testid="action-request-supplement"
            disabled={busy}
            onClick={() => {
              void requestSupplement();
            }}
          >
            要求补正
          </button>
        </section>
      ) : null}

      {decidable ? (
        <section className="action-section">
          <h3 className="subheading">要求远程踏勘</h3>
          {checkpoints.map((row, index) => (
            <div className="request-row" key={index}>
              <input
                data-testid={`survey-code-${index}`}
                placeholder="踏勘点代码"
                aria-label="踏勘点代码"
                value={row.code}
                onChange={(event) => {
                  const code = event.target.value;
                  setCheckpoints((rows) =>
                    rows.map((entry, position) =>
                      position === index ? { ...entry, code } : entry,
                    ),
                  );
                }}
              />
              <input
                data-testid={`survey-description-${index}`}
                placeholder="拍摄要求，如：后厨全景及排烟设施"
                aria-label="拍摄要求"
                className="request-row-wide"
                value={row.description}
                onChange={(event) => {
                  const description = event.target.value;
                  setCheckpoints((rows) =>
                    rows.map((entry, position) =>
                      position === index ? { ...entry, description } : entry,
                    ),
                  );
                }}
              />
              {checkpoints.length > 1 ? (
                <button
                  type="button"
                  className="button button-small button-quiet"
                  aria-label="删除此行"
                  onClick={() => {
                    setCheckpoints((rows) => rows.filter((_, position) => position !== index));
                  }}
                >
                  ×
                </button>
              ) : null}
            </div>
          ))}
          <button
            type="button"
            className="button button-small button-quiet"
            data-testid="survey-add-row"
            onClick={() => {
              setCheckpoints((rows) => [...rows, EMPTY_CHECKPOINT]);
            }}
          >
            ＋ 增加踏勘点
          </button>
          <FormField label="踏勘说明" wide>
            <input
              data-testid="survey-request-note"
              value={surveyNote}
              onChange={(event) => {
                setSurveyNote(event.target.value);
              }}
            />
          </FormField>
          <button
            type="button"
            className="button button-block"
            data-testid="action-request-survey"
            disabled={busy}
            onClick={() => {
              void requestSurvey();
            }}
          >
            要求远程踏勘
          </button>
        </section>
      ) : null}
    </Panel>
  );
}
