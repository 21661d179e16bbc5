// One case as the window sees it: where it stands, the whole timeline across regions, and what
// the window has to do next (supplement, survey media, hand-over, withdrawal). While the case is
// open the page refreshes itself, so the clerk watches it move without pressing anything.
import { useState } from 'react';
import type { CaseView } from '../../../src/api/console-api';
import { ActionButton, TextField, useAction } from '../shared/forms';
import { formatBytes, formatDateTime, maskIdentifier, maskPhone, orDash } from '../shared/format';
import {
  APPLICANT_KIND_LABELS,
  CHANNEL_LABELS,
  DELIVERY_LABELS,
  STATUS_LABELS,
  isTerminalStatus,
  statusTone,
} from '../shared/labels';
import { Link } from '../shared/router';
import { useResource } from '../shared/use-resource';
import { Badge, Empty, ErrorMessage, Facts, Loaded, Notice, Panel } from '../shared/ui';
import { useStaff } from '../session/session-context';
import { CaseTimeline } from './case-timeline';
import { CertificatePanel } from './certificate-panel';
import { deskApi } from './desk-api';
import { SupplementForm, SurveyForm } from './reply-forms';

const REFRESH_MS = 2000;

export function CaseDetailPage({ caseId }: { caseId: string }) {
  const staff = useStaff();
  const [finished, setFinished] = useState(false);
  const detail = useResource(
    `case:${caseId}`,
    () => deskApi.case(staff.region, caseId),
    finished ? undefined : REFRESH_MS,
  );
  const view = detail.data?.case;
  const terminal = view !== undefined && isTerminalStatus(view.status);
  if (terminal !== finished) setFinished(terminal);

  // Field labels come from the handling region's catalog; raw names if it cannot be read.
  const catalog = useResource(
    view === undefined ? undefined : `catalog:${staff.region}:${view.handlingRegion}`,
    () => deskApi.catalog(staff.region, view?.handlingRegion ?? ''),
  );
  const catalogItem = catalog.data?.items.find((item) => item.code === view?.itemCode);

  const replace = (updated: CaseView) => {
    detail.replace({ case: updated });
  };

  return (
    <div className="page" data-testid="case-detail" data-case-id={caseId}>
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/desk/cases">办件查询</Link> / 办件详情
          </p>
          <h1>
            {caseId}
            {view === undefined ? null : (
              <Badge
                tone={statusTone(view.status)}
                testId="case-status"
                data={{ status: view.status }}
              >
                {STATUS_LABELS[view.status]}
              </Badge>
            )}
            {view?.overdue === true ? <Badge tone="danger">已超期</Badge> : null}
          </h1>
          {view === undefined ? null : (
            <p className="page-subtitle">
              {view.itemName} · 办理地 {view.handlingRegionName}（{view.handlingRegion}）
              {terminal ? ' · 已终结' : ' · 每 2 秒自动刷新'}
            </p>
          )}
        </div>
        <div className="page-actions">
          {view?.traceUrl === undefined ? null : (
            <a
              className="button"
              href={view.traceUrl}
              target="_blank"
              rel="noreferrer"
              data-testid="trace-link"
            >
              全链路追踪
            </a>
          )}
          <Link to={`/desk/cases/${encodeURIComponent(caseId)}/receipt`} className="button">
            受理回执
          </Link>
        </div>
      </div>

      <Loaded resource={detail} what="办件">
        {({ case: view }) => (
          <CaseBody
            view={view}
            region={staff.region}
            fieldLabels={Object.fromEntries(
              (catalogItem?.fields ?? []).map((field) => [
                field.name,
                { label: field.label, values: field.values },
              ]),
            )}
            onUpdated={replace}
          />
        )}
      </Loaded>
    </div>
  );
}

type FieldLabels = Record<
  string,
  { label: string; values: { value: string; label: string }[] } | undefined
>;

function CaseBody({
  view,
  region,
  fieldLabels,
  onUpdated,
}: {
  view: CaseView;
  region: string;
  fieldLabels: FieldLabels;
  onUpdated: (updated: CaseView) => void;
}) {
  const terminal = isTerminalStatus(view.status);
  return (
    <div className="detail-layout">
      <div className="detail-main">
        {view.mailException ? (
          <Notice tone="danger">
            邮寄出现异常，请联系申请人核实收件信息，并关注时间轴中的物流记录。
          </Notice>
        ) : null}
        {view.status === 'REJECTED' && view.rejectionReason !== '' ? (
          <Notice tone="danger">不予批准理由：{view.rejectionReason}</Notice>
        ) : null}

        {view.openSupplement === undefined ? null : (
          <SupplementForm
            key={`supplement-${view.openSupplement.round}`}
            region={region}
            caseId={view.caseId}
            request={view.openSupplement}
            onReplied={onUpdated}
          />
        )}
        {view.openSurvey === undefined ? null : (
          <SurveyForm
            key={`survey-${view.openSurvey.round}`}
            region={region}
            caseId={view.caseId}
            request={view.openSurvey}
            onReplied={onUpdated}
          />
        )}

        <CaseActions view={view} region={region} onUpdated={onUpdated} />

        <Panel title="办理进度（跨地区全流程）">
          <CaseTimeline entries={view.timeline} originRegion={view.originRegion} />
        </Panel>

        {view.certificateId === '' ? null : (
          <CertificatePanel
            region={region}
            caseId={view.caseId}
            certificateId={view.certificateId}
          />
        )}
      </div>

      <aside className="detail-side">
        <Panel title="申请信息">
          <Facts
            items={[
              ['申请人', `${view.applicantName}（${APPLICANT_KIND_LABELS[view.applicant.kind]}）`],
              ['证件号码', view.applicantIdentifierMasked],
              ['联系电话', maskPhone(view.applicant.phone)],
              ['受理渠道', CHANNEL_LABELS[view.channel]],
              ['受理时间', formatDateTime(view.submittedAt)],
              ['受理人', orDash(view.submittedBy)],
              ['办结时限', formatDateTime(view.dueAt)],
              ['状态', terminal ? '已终结' : '办理中'],
            ]}
          />
          {view.agent === undefined ? null : (
            <>
              <h3 className="subheading">代办人</h3>
              <Facts
                items={[
                  ['姓名', view.agent.name],
                  ['身份证号码', maskIdentifier(view.agent.identifier)],
                  ['电话', maskPhone(view.agent.phone)],
                  ['关系', view.agent.relation],
                ]}
              />
            </>
          )}
        </Panel>

        <Panel title="申报信息">
          {Object.keys(view.fields).length === 0 ? (
            <Empty>无</Empty>
          ) : (
            <Facts
              items={Object.entries(view.fields).map(([name, value]) => {
                const field = fieldLabels[name];
                const shown =
                  field?.values.find((option) => option.value === value)?.label ?? value;
                return [field?.label ?? name, shown];
              })}
            />
          )}
        </Panel>

        <Panel title={`申请材料（${view.materials.length}）`}>
          {view.materials.length === 0 ? (
            <Empty>无</Empty>
          ) : (
            <ul className="material-list">
              {view.materials.map((material) => (
                <li key={`${material.code}-${material.sha256}`} data-testid="case-material">
                  <span>{material.name}</span>
                  <span className="secondary">
                    {material.contentType} · {formatBytes(material.sizeBytes)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Panel>

        <Panel title="结果送达">
          <Facts
            items={[
              ['送达方式', DELIVERY_LABELS[view.delivery.method]],
              ...(view.delivery.address === undefined
                ? []
                : ([
                    ['收件人', view.delivery.address.recipient],
                    ['电话', maskPhone(view.delivery.address.phone)],
                    [
                      '地址',
                      `${view.delivery.address.line}（${view.delivery.address.postalCode}）`,
                    ],
                  ] as [string, string][])),
            ]}
          />
        </Panel>
      </aside>
    </div>
  );
}

/** Hand-over at the window and withdrawal: the two things the window itself decides. */
function CaseActions({
  view,
  region,
  onUpdated,
}: {
  view: CaseView;
  region: string;
  onUpdated: (updated: CaseView) => void;
}) {
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState('');
  const { busy, error, setError, perform } = useAction();
  const canHandOver = view.status === 'DELIVERED' && view.delivery.method === 'WINDOW_PICKUP';
  const canWithdraw = !isTerminalStatus(view.status);
  if (!canHandOver && !canWithdraw) return null;

  const run = (action: () => Promise<{ case: CaseView }>) =>
    perform(async () => {
      const { case: updated } = await action();
      setWithdrawing(false);
      setReason('');
      onUpdated(updated);
    });

  return (
    <Panel title="窗口操作">
      {canHandOver ? (
        <div className="action-row">
          <span>办理结果已送达本窗口，请核验申请人身份后交付。</span>
          <ActionButton
            testId="hand-over"
            className="button button-primary"
            busy={busy}
            onClick={() => run(() => deskApi.handOver(region, view.caseId))}
          >
            交付（申请人已领取）
          </ActionButton>
        </div>
      ) : null}
      {canWithdraw && !withdrawing ? (
        <div className="action-row">
          <span className="muted">申请人要求撤回申请时，在此登记撤回理由。</span>
          <button
            type="button"
            className="button button-danger-quiet"
            data-testid="withdraw-open"
            onClick={() => {
              setWithdrawing(true);
            }}
          >
            撤回办件…
          </button>
        </div>
      ) : null}
      {canWithdraw && withdrawing ? (
        <div className="withdraw-form">
          <TextField
            label="撤回理由"
            required
            wide
            testId="withdraw-reason"
            rows={2}
            value={reason}
            placeholder="如：申请人主动申请撤回"
            onChange={setReason}
          />
          <div className="form-actions">
            <button
              type="button"
              className="button"
              onClick={() => {
                setWithdrawing(false);
                setError(undefined);
              }}
            >
              取消
            </button>
            <ActionButton
              testId="withdraw-submit"
              className="button button-danger"
              busy={busy}
              onClick={() => {
                if (reason.trim() === '') {
                  setError('请填写撤回理由。');
                  return;
                }
                void run(() => deskApi.withdraw(region, view.caseId, { reason: reason.trim() }));
              }}
            >
              确认撤回
            </ActionButton>
          </div>
        </div>
      ) : null}
      <ErrorMessage error={error} testId="case-action-error" />
    </Panel>
  );
}
