// 办件查询: by case number, the applicant's ID number / credit code or part of a name. The search
// lives in the address bar, so "back" from a case returns to the same list.
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import type { CaseStatus, CaseSummary } from '../../../src/api/console-api';
import { useAction } from '../shared/forms';
import { CASE_STATUSES, CHANNEL_LABELS, STATUS_LABELS } from '../shared/labels';
import { LinkedRow, navigate, useLocation } from '../shared/router';
import { useResource } from '../shared/use-resource';
import { CaseProgressCells, Empty, ErrorMessage, Loading, Panel, TableHead } from '../shared/ui';
import { useStaff } from '../session/session-context';
import { deskApi } from './desk-api';

function asStatus(value: string | null): CaseStatus | '' {
  return CASE_STATUSES.find((status) => status === value) ?? '';
}

export function CaseSearchPage() {
  const staff = useStaff();
  const { search } = useLocation();
  const query = search.get('query') ?? '';
  const status = asStatus(search.get('status'));
  const [draftQuery, setDraftQuery] = useState(query);
  const [draftStatus, setDraftStatus] = useState<CaseStatus | ''>(status);
  const key = `cases:${query}:${status}`;
  const firstPage = useResource(key, () => deskApi.searchCases(staff.region, query, status));
  const [more, setMore] = useState<{ key: string; cases: CaseSummary[]; next: string }>();
  const { busy: loadingMore, error: moreError, perform: performMore } = useAction();

  const extra = more?.key === key ? more : undefined;
  const cases = [...(firstPage.data?.cases ?? []), ...(extra?.cases ?? [])];
  const nextPageToken = extra?.next ?? firstPage.data?.nextPageToken ?? '';

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parameters = new URLSearchParams();
    if (draftQuery.trim() !== '') parameters.set('query', draftQuery.trim());
    if (draftStatus !== '') parameters.set('status', draftStatus);
    const target = `/desk/cases${parameters.size === 0 ? '' : `?${parameters.toString()}`}`;
    if (target === `${window.location.pathname}${window.location.search}`) firstPage.reload();
    else navigate(target);
  };

  const loadMore = () =>
    performMore(async () => {
      const page = await deskApi.searchCases(staff.region, query, status, nextPageToken);
      setMore({ key, cases: [...(extra?.cases ?? []), ...page.cases], next: page.nextPageToken });
    });

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>办件查询</h1>
          <p className="page-subtitle">本窗口受理的跨省通办办件，含办理地回传的最新进度</p>
        </div>
      </div>
      <Panel>
        <form className="search-bar" onSubmit={onSubmit}>
          <input
            data-testid="case-search-input"
            type="search"
            placeholder="办件编号 / 身份证号码 / 统一社会信用代码 / 申请人姓名"
            value={draftQuery}
            onChange={(event) => {
              setDraftQuery(event.target.value);
            }}
          />
          <select
            data-testid="case-status-filter"
            value={draftStatus}
            onChange={(event) => {
              setDraftStatus(asStatus(event.target.value));
            }}
          >
            <option value="">全部状态</option>
            {CASE_STATUSES.map((option) => (
              <option key={option} value={option}>
                {STATUS_LABELS[option]}
              </option>
            ))}
          </select>
          <button type="submit" className="button button-primary" data-testid="case-search-submit">
            查询
          </button>
        </form>
        <ErrorMessage error={firstPage.error ?? moreError} />
        {firstPage.data === undefined && firstPage.error === undefined ? (
          <Loading what="办件" />
        ) : cases.length === 0 && firstPage.data !== undefined ? (
          <Empty>没有符合条件的办件。</Empty>
        ) : (
          <CaseTable cases={cases} />
        )}
        {nextPageToken === '' ? null : (
          <div className="load-more">
            <button
              type="button"
              className="button"
              disabled={loadingMore}
              onClick={() => {
                void loadMore();
              }}
            >
              {loadingMore ? '正在加载…' : '加载更多'}
            </button>
          </div>
        )}
      </Panel>
    </div>
  );
}

function CaseTable({ cases }: { cases: CaseSummary[] }) {
  return (
    <table className="table">
      <TableHead
        columns={['办件编号', '申请人', '事项', '办理地', '渠道', '状态', '受理时间', '办结时限']}
      />
      <tbody>
        {cases.map((summary) => {
          const path = `/desk/cases/${encodeURIComponent(summary.caseId)}`;
          return (
            <LinkedRow
              key={summary.caseId}
              to={path}
              caseId={summary.caseId}
              data-testid="case-row"
              data-case-id={summary.caseId}
              data-status={summary.status}
            >
              <td>
                {summary.applicantName}
                <span className="secondary">{summary.applicantIdentifierMasked}</span>
              </td>
              <td>{summary.itemName}</td>
              <td>{summary.handlingRegionName}</td>
              <td>{CHANNEL_LABELS[summary.channel]}</td>
              <CaseProgressCells
                status={summary.status}
                submittedAt={summary.submittedAt}
                dueAt={summary.dueAt}
                overdue={summary.overdue}
              />
            </LinkedRow>
          );
        })}
      </tbody>
    </table>
  );
}
