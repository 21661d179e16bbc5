// Messages to partners that the exchange gave up on after its retry budget. Until one is sent
// again, the later messages of the same case wait behind it (per-case order), so the operator
// sees what is stuck and puts it back in the queue once the partner is reachable again.
import { useState } from 'react';
import type { RetryDeliveryResult } from '../../../src/api/console-api';
import { asApiFailure } from '../shared/api-client';
import type { ApiFailure } from '../shared/api-client';
import { formatDateTime } from '../shared/format';
import { useResource } from '../shared/use-resource';
import { Empty, ErrorMessage, Loading, Notice, Panel, TableHead } from '../shared/ui';
import { operationsApi } from './operations-api';

const BODY_KIND_LABELS: Record<string, string | undefined> = {
  case_transfer: '办件转递',
  status_report: '状态回传',
  supplement: '补正材料',
  survey_evidence: '踏勘影像',
  notice: '通知',
};

export function FailedDeliveriesPanel({
  region,
  refreshMs,
  onRetried,
}: {
  region: string;
  refreshMs: number;
  /** The dashboard's counts change too. */
  onRetried: () => void;
}) {
  const failed = useResource(
    `failed-deliveries:${region}`,
    () => operationsApi.failedDeliveries(region),
    refreshMs,
  );
  const [retrying, setRetrying] = useState<string>();
  const [error, setError] = useState<ApiFailure>();
  const [retried, setRetried] = useState<RetryDeliveryResult>();

  const retry = async (messageId: string) => {
    setRetrying(messageId);
    setError(undefined);
    setRetried(undefined);
    try {
      setRetried(await operationsApi.retryDelivery(region, messageId));
      failed.reload();
      onRetried();
    } catch (failure: unknown) {
      setError(asApiFailure(failure));
    } finally {
      setRetrying(undefined);
    }
  };

  const deliveries = failed.data?.deliveries ?? [];
  return (
    <Panel title={`发送失败的消息（${deliveries.length}）`} className="panel-attention">
      <ErrorMessage error={failed.error ?? error} testId="retry-error" />
      {retried === undefined ? null : (
        <Notice tone="success">
          办件 {retried.caseId} 的消息已于 {formatDateTime(retried.requeuedAt)} 重新排队发送
          {retried.heldBehind > 0 ? `，其后等待的 ${retried.heldBehind} 条消息将随之按序发送` : ''}
          。
        </Notice>
      )}
      {failed.data === undefined ? (
        failed.error === undefined ? (
          <Loading what="发送失败的消息" />
        ) : null
      ) : deliveries.length === 0 ? (
        <Empty>没有发送失败的消息。</Empty>
      ) : (
        <table className="table table-compact">
          <TableHead
            columns={[
              '办件编号',
              '合作地区',
              '内容',
              { title: '尝试次数', number: true },
              '最后错误',
              '放弃时间',
              { title: '其后等待', number: true },
              '',
            ]}
          />
          <tbody>
            {deliveries.map((delivery) => (
              <tr
                key={delivery.messageId}
                data-testid="failed-delivery"
                data-message-id={delivery.messageId}
                data-case-id={delivery.caseId}
                data-partner={delivery.partner}
              >
                <td className="nowrap">{delivery.caseId}</td>
                <td>{delivery.partnerName}</td>
                <td>{BODY_KIND_LABELS[delivery.bodyKind] ?? delivery.bodyKind}</td>
                <td className="number">{delivery.attempts}</td>
                <td className="error-text">{delivery.lastError}</td>
                <td className="nowrap">{formatDateTime(delivery.failedAt)}</td>
                <td className="number">{delivery.heldBehind}</td>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    data-testid="retry-delivery"
                    disabled={retrying !== undefined}
                    onClick={() => {
                      void retry(delivery.messageId);
                    }}
                  >
                    {retrying === delivery.messageId ? '正在重发…' : '重新发送'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
