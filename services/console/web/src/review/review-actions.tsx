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
import { ActionButton, TextField, useAction } from '../shared/forms';
import { LEVEL_LABELS } from '../shared/labels';
import { ErrorMessage, Notice, Panel } from '../shared/ui';
import { RowsRequestSection, useDraft } from './editable-rows';
import type { Draft, RowsRequest } from './editable-rows';
import { reviewApi } from './review-api';

const SUPPLEMENT_REQUEST: RowsRequest<keyof RequestedMaterial, RequestedMaterial> = {
  title: '要求补正（一次性告知）',
  empty: { code: '', name: '', reason: '' },
  inputs: [
    {
      field: 'code',
      testId: (index) => `supplement-code-${index}`,
      list: 'task-material-codes',
      placeholder: '材料代码',
      label: '材料代码',
      required: true,
    },
    {
      field: 'name',
      testId: (index) => `supplement-name-${index}`,
      placeholder: '材料名称',
      label: '材料名称',
      required: true,
    },
    {
      field: 'reason',
      testId: (index) => `supplement-reason-${index}`,
      placeholder: '补正原因，如：扫描件不清晰',
      label: '补正原因',
      wide: true,
    },
  ],
  addTestId: 'supplement-add-row',
  addLabel: '＋ 增加一项材料',
  noteLabel: '补正说明',
  noteTestId: 'supplement-request-note',
  sendTestId: 'action-request-supplement',
  sendLabel: '要求补正',
  incomplete: '请为每一项补正材料填写材料代码和名称（可从申请材料中选择）。',
  done: '已要求补正，等待受理窗口提交材料。',
};

const SURVEY_REQUEST: RowsRequest<keyof SurveyCheckpoint, SurveyCheckpoint> = {
  title: '要求远程踏勘',
  empty: { code: '', description: '' },
  inputs: [
    {
      field: 'code',
      testId: (index) => `survey-code-${index}`,
      placeholder: '踏勘点代码',
      label: '踏勘点代码',
      required: true,
    },
    {
      field: 'description',
      testId: (index) => `survey-description-${index}`,
      placeholder: '拍摄要求，如：后厨全景及排烟设施',
      label: '拍摄要求',
      wide: true,
      required: true,
    },
  ],
  addTestId: 'survey-add-row',
  addLabel: '＋ 增加踏勘点',
  noteLabel: '踏勘说明',
  noteTestId: 'survey-request-note',
  sendTestId: 'action-request-survey',
  sendLabel: '要求远程踏勘',
  incomplete: '请为每个踏勘点填写代码和拍摄要求。',
  done: '已要求远程踏勘，等待申请人上传照片或视频。',
};

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
  const { busy, error, setError, perform } = useAction();
  const [done, setDone] = useState<string>();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const supplement = useDraft(SUPPLEMENT_REQUEST.empty);
  const survey = useDraft(SURVEY_REQUEST.empty);

  const decidable = view.state === 'OPEN' || view.state === 'PRE_REVIEWED';
  const canPreReview = role === 'REVIEWER' && view.level === 'INITIAL' && view.state === 'OPEN';
  const pendingSurvey = view.surveys.find(
    (round) => round.submittedAt !== undefined && round.acceptedAt === undefined,
  );
  const twoLevel = view.mode === 'TWO_LEVEL';

  const run = (what: string, action: () => Promise<TaskResponse>) => {
    setDone(undefined);
    return perform(async () => {
      const response = await action();
      setDone(what);
      onUpdated(response);
    });
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

  /** Sends a request once every row has its required parts (trimmed); then the draft starts over. */
  const sendRequest = async <Field extends string, Row extends Record<Field, string>>(
    request: RowsRequest<Field, Row>,
    draft: Draft<Row>,
    send: (rows: Row[], note: string) => Promise<TaskResponse>,
  ) => {
    const rows = draft.rows.map((row) =>
      request.inputs.reduce(
        (trimmed, input) => ({ ...trimmed, [input.field]: row[input.field].trim() }),
        row,
      ),
    );
    const incomplete = rows.some((row) =>
      request.inputs.some((input) => input.required === true && row[input.field] === ''),
    );
    if (incomplete) {
      setError(request.incomplete);
      return;
    }
    if (await run(request.done, () => send(rows, draft.note.trim()))) draft.clear();
  };

  const editMaterial = (row: RequestedMaterial, field: keyof RequestedMaterial, value: string) => {
    const next = { ...row, [field]: value };
    // Choosing a known material code fills in its name.
    const known =
      field === 'code' ? view.materials.find((material) => material.code === value) : undefined;
    return known !== undefined && row.name === '' ? { ...next, name: known.name } : next;
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
          <TextField
            label="审查意见（选填）"
            wide
            testId="pre-review-note"
            value={note}
            onChange={setNote}
          />
          <ActionButton
            testId="action-pre-review"
            className="button button-primary button-block"
            busy={busy}
            onClick={async () => {
              const ok = await run(twoLevel ? '初审通过，已提交审批。' : '预审通过。', () =>
                reviewApi.preReview(region, view.taskId, { note: note.trim() }),
              );
              if (ok) setNote('');
            }}
          >
            {twoLevel ? '初审通过' : '预审通过'}
          </ActionButton>
        </section>
      ) : null}

      {pendingSurvey === undefined ? null : (
        <section className="action-section">
          <h3 className="subheading">踏勘验收</h3>
          <p className="muted">第 {pendingSurvey.request.round} 轮踏勘影像已提交，请查看后验收。</p>
          <ActionButton
            testId="action-accept-survey"
            className="button button-primary button-block"
            busy={busy}
            onClick={() =>
              run('踏勘通过。', () =>
                reviewApi.acceptSurvey(region, view.taskId, { round: pendingSurvey.request.round }),
              )
            }
          >
            踏勘通过（第 {pendingSurvey.request.round} 轮）
          </ActionButton>
        </section>
      )}

      {decidable ? (
        <section className="action-section">
          <h3 className="subheading">审查决定</h3>
          <TextField
            label="理由（不予批准时必填）"
            wide
            testId="decision-reason"
            rows={3}
            value={reason}
            onChange={setReason}
          />
          <div className="button-pair">
            <ActionButton
              testId="action-approve"
              className="button button-success"
              busy={busy}
              onClick={() => decide('APPROVE')}
            >
              准予
            </ActionButton>
            <ActionButton
              testId="action-reject"
              className="button button-danger"
              busy={busy}
              onClick={() => decide('REJECT')}
            >
              不予
            </ActionButton>
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
        <RowsRequestSection
          request={SUPPLEMENT_REQUEST}
          draft={supplement}
          edit={editMaterial}
          busy={busy}
          onSend={() =>
            sendRequest(SUPPLEMENT_REQUEST, supplement, (materials, note) =>
              reviewApi.requestSupplement(region, view.taskId, { materials, note }),
            )
          }
        >
          <datalist id="task-material-codes">
            {view.materials.map((material) => (
              <option key={material.code} value={material.code}>
                {material.name}
              </option>
            ))}
          </datalist>
        </RowsRequestSection>
      ) : null}

      {decidable ? (
        <RowsRequestSection
          request={SURVEY_REQUEST}
          draft={survey}
          busy={busy}
          onSend={() =>
            sendRequest(SURVEY_REQUEST, survey, (checkpoints, note) =>
              reviewApi.requestSurvey(region, view.taskId, { checkpoints, note }),
            )
          }
        />
      ) : null}
    </Panel>
  );
}
