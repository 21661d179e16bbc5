// The window's answers to the handling region: the materials a reviewer asked for (补正) and the
// photos or videos of a remote site survey (远程踏勘), each sent for one open round.
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import type { CaseView, SupplementRequest, SurveyRequest } from '../../../src/api/console-api';
import { asApiFailure } from '../shared/api-client';
import type { ApiFailure } from '../shared/api-client';
import { formatBytes, formatDateTime, toDateTimeLocal } from '../shared/format';
import { ErrorMessage, FormField, Panel } from '../shared/ui';
import { deskApi } from './desk-api';

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
  const [files, setFiles] = useState<Map<string, File>>(new Map());
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiFailure | string>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (files.size === 0) {
      setError('请至少上传一份补正材料。');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { case: updated } = await deskApi.supplement(
        region,
        caseId,
        { round: request.round, note: note.trim() },
        files,
      );
      onReplied(updated);
    } catch (failure: unknown) {
      setError(asApiFailure(failure));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void submit();
  };

  return (
    <Panel title={`补正材料（第 ${request.round} 轮）`} className="panel-attention">
      <p className="request-meta">
        {request.requestedBy} 于 {formatDateTime(request.requestedAt)} 要求补正
        {request.note === '' ? '' : `：${request.note}`}
      </p>
      <form onSubmit={onSubmit} noValidate>
        <table className="table">
          <thead>
            <tr>
              <th>需补正的材料</th>
              <th>原因</th>
              <th>补正扫描件</th>
            </tr>
          </thead>
          <tbody>
            {request.materials.map((material) => {
              const file = files.get(material.code);
              return (
                <tr key={material.code}>
                  <td>
                    {material.name}
                    <span className="code">{material.code}</span>
                  </td>
                  <td>{material.reason}</td>
                  <td>
                    <input
                      type="file"
                      accept="image/*,application/pdf"
                      data-testid={`supplement-material-${material.code}`}
                      aria-label={material.name}
                      onChange={(event) => {
                        const chosen = event.target.files?.[0];
                        setFiles((previous) => {
                          const next = new Map(previous);
                          if (chosen === undefined) next.delete(material.code);
                          else next.set(material.code, chosen);
                          return next;
                        });
                      }}
                    />
                    {file === undefined ? null : (
                      <span className="file-note">
                        {file.name} · {formatBytes(file.size)}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <FormField label="补正说明" wide>
          <textarea
            data-testid="supplement-note"
            rows={2}
            value={note}
            onChange={(event) => {
              setNote(event.target.value);
            }}
          />
        </FormField>
        <ErrorMessage error={error} testId="supplement-error" />
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            data-testid="supplement-submit"
            disabled={busy}
          >
            {busy ? '正在提交…' : '提交补正材料'}
          </button>
        </div>
      </form>
    </Panel>
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
  const [error, setError] = useState<ApiFailure | string>();
  const [busy, setBusy] = useState(false);

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
    setBusy(true);
    setError(undefined);
    try {
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
    } catch (failure: unknown) {
      setError(asApiFailure(failure));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void submit();
  };

  return (
    <Panel title={`远程踏勘材料（第 ${request.round} 轮）`} className="panel-attention">
      <p className="request-meta">
        {request.requestedBy} 于 {formatDateTime(request.requestedAt)} 要求远程踏勘
        {request.note === '' ? '' : `：${request.note}`}
      </p>
      <form onSubmit={onSubmit} noValidate>
        <table className="table">
          <thead>
            <tr>
              <th>踏勘点</th>
              <th>照片 / 视频</th>
              <th style={{ width: '13em' }}>拍摄时间</th>
              <th>说明</th>
            </tr>
          </thead>
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
                    <input
                      type="file"
                      accept="image/*,video/*"
                      data-testid={`survey-medium-${checkpoint.code}`}
                      aria-label={checkpoint.description}
                      onChange={(event) => {
                        const file = event.target.files?.[0];
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
                    {draft === undefined ? null : (
                      <span className="file-note">
                        {draft.file.name} · {formatBytes(draft.file.size)}
                      </span>
                    )}
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
        <ErrorMessage error={error} testId="survey-error" />
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            data-testid="survey-submit"
            disabled={busy}
          >
            {busy ? '正在上传…' : '提交踏勘材料'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
