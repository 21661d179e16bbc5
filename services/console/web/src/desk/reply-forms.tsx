// The window's answers to the handling region: the materials a reviewer asked for (补正) and the
// photos or videos of a remote site survey (远程踏勘), each sent for one open round.
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { CaseView, SupplementRequest, SurveyRequest } from '../../../src/api/console-api';
import type { ApiFailure } from '../shared/api-client';
import {
  FileInput,
  Form,
  ScanInput,
  SubmitButton,
  TextField,
  useAction,
  useFileChoices,
} from '../shared/forms';
import { formatDateTime, toDateTimeLocal } from '../shared/format';
import { ErrorMessage, Panel, TableHead } from '../shared/ui';
import { deskApi } from './desk-api';

/** The frame both answers share: what was asked for, the form, its error and its send button. */
function ReplyPanel({
  title,
  request,
  asked,
  onSubmit,
  error,
  errorTestId,
  busy,
  submitTestId,
  submitLabel,
  busyLabel,
  children,
}: {
  title: string;
  request: SupplementRequest | SurveyRequest;
  /** What the reviewer asked for, as in 要求补正. */
  asked: string;
  onSubmit: () => Promise<void>;
  error: ApiFailure | string | undefined;
  errorTestId: string;
  busy: boolean;
  submitTestId: string;
  submitLabel: string;
  busyLabel: string;
  children: ReactNode;
}) {
  return (
    <Panel title={title} className="panel-attention">
      <p className="request-meta">
        {request.requestedBy} 于 {formatDateTime(request.requestedAt)} {asked}
        {request.note === '' ? '' : `：${request.note}`}
      </p>
      <Form onSubmit={onSubmit}>
        {children}
        <ErrorMessage error={error} testId={errorTestId} />
        <div className="form-actions">
          <SubmitButton testId={submitTestId} busy={busy} busyLabel={busyLabel}>
            {submitLabel}
          </SubmitButton>
        </div>
      </Form>
    </Panel>
  );
}

export function SupplementForm({
  region,
  caseId,
  request,
  onReplied,
}: {
  region: string;
  caseId: string;
  request: SupplementRequest;
  onReplied: (updated: CaseView) => void;
}) {
  const scans = useFileChoices();
  const [note, setNote] = useState('');
  const { busy, error, setError, perform } = useAction();

  const submit = async () => {
    if (scans.files.size === 0) {
      setError('请至少上传一份补正材料。');
      return;
    }
    await perform(async () => {
      const { case: updated } = await deskApi.supplement(
        region,
        caseId,
        { round: request.round, note: note.trim() },
        scans.files,
      );
      onReplied(updated);
    });
  };

  return (
    <ReplyPanel
      title={`补正材料（第 ${request.round} 轮）`}
      request={request}
      asked="要求补正"
      onSubmit={submit}
      error={error}
      errorTestId="supplement-error"
      busy={busy}
      submitTestId="supplement-submit"
      submitLabel="提交补正材料"
      busyLabel="正在提交…"
    >
      <table className="table">
        <TableHead columns={['需补正的材料', '原因', '补正扫描件']} />
        <tbody>
          {request.materials.map((material) => (
            <tr key={material.code}>
              <td>
                {material.name}
                <span className="code">{material.code}</span>
              </td>
              <td>{material.reason}</td>
              <td>
                <ScanInput
                  testId={`supplement-material-${material.code}`}
                  material={material}
                  scans={scans}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <TextField
        label="补正说明"
        wide
        testId="supplement-note"
        rows={2}
        value={note}
        onChange={setNote}
      />
    </ReplyPanel>
  );
}

interface MediumDraft {
  file: File;
  /** datetime-local value, local time of the window PC. */
  capturedAt: string;
  description: string;
}

export function SurveyForm({
  region,
  caseId,
  request,
  onReplied,
}: {
  region: string;
  caseId: string;
  request: SurveyRequest;
  onReplied: (updated: CaseView) => void;
}) {
  const [drafts, setDrafts] = useState<Record<string, MediumDraft | undefined>>({});
  const { busy, error, setError, perform } = useAction();

  const update = (code: string, change: Partial<MediumDraft>) => {
    setDrafts((previous) => {
      const current = previous[code];
      return current === undefined ? previous : { ...previous, [code]: { ...current, ...change } };
    });
  };

  const submit = async () => {
    const chosen = request.checkpoints.flatMap((checkpoint) => {
      const draft = drafts[checkpoint.code];
      return draft === undefined ? [] : [{ checkpoint: checkpoint.code, draft }];
    });
    if (chosen.length === 0) {
      setError('请至少为一个踏勘点上传照片或视频。');
      return;
    }
    const undated = chosen.find(({ draft }) => Number.isNaN(new Date(draft.capturedAt).getTime()));
    if (undated !== undefined) {
      setError(`请填写踏勘点 ${undated.checkpoint} 的拍摄时间。`);
      return;
    }
    await perform(async () => {
      const { case: updated } = await deskApi.surveyMedia(
        region,
        caseId,
        {
          round: request.round,
          media: chosen.map(({ checkpoint, draft }) => ({
            checkpoint,
            capturedAt: new Date(draft.capturedAt).toISOString(),
            description: draft.description.trim(),
          })),
        },
        chosen.map(({ draft }) => draft.file),
      );
      onReplied(updated);
    });
  };

  return (
    <ReplyPanel
      title={`远程踏勘材料（第 ${request.round} 轮）`}
      request={request}
      asked="要求远程踏勘"
      onSubmit={submit}
      error={error}
      errorTestId="survey-error"
      busy={busy}
      submitTestId="survey-submit"
      submitLabel="提交踏勘材料"
      busyLabel="正在上传…"
    >
      <table className="table">
        <TableHead
          columns={['踏勘点', '照片 / 视频', { title: '拍摄时间', width: '13em' }, '说明']}
        />
        <tbody>
          {request.checkpoints.map((checkpoint) => {
            const draft = drafts[checkpoint.code];
            return (
              <tr key={checkpoint.code}>
                <td>
                  {checkpoint.description}
                  <span className="code">{checkpoint.code}</span>
                </td>
                <td>
                  <FileInput
                    testId={`survey-medium-${checkpoint.code}`}
                    accept="image/*,video/*"
                    label={checkpoint.description}
                    file={draft?.file}
                    onChoose={(file) => {
                      setDrafts((previous) => ({
                        ...previous,
                        [checkpoint.code]:
                          file === undefined
                            ? undefined
                            : {
                                file,
                                // A phone photo's file time is when it was taken, near enough;
                                // the clerk corrects it when the applicant says otherwise.
                                capturedAt: toDateTimeLocal(file.lastModified),
                                description: previous[checkpoint.code]?.description ?? '',
                              },
                      }));
                    }}
                  />
                </td>
                <td>
                  <input
                    type="datetime-local"
                    data-testid={`survey-captured-${checkpoint.code}`}
                    value={draft?.capturedAt ?? ''}
                    disabled={draft === undefined}
                    onChange={(event) => {
                      update(checkpoint.code, { capturedAt: event.target.value });
                    }}
                  />
                </td>
                <td>
                  <input
                    data-testid={`survey-description-${checkpoint.code}`}
                    value={draft?.description ?? ''}
                    disabled={draft === undefined}
                    placeholder="拍摄位置、角度等"
                    onChange={(event) => {
                      update(checkpoint.code, { description: event.target.value });
                    }}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ReplyPanel>
  );
}
