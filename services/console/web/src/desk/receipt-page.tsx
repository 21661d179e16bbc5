// 受理回执: printed on A4 and handed to the applicant. It proves the case was accepted and tells
// them how to follow it: the case number, the QR code and the window's phone.
import type { Receipt } from '../../../src/api/console-api';
import { formatBytes, formatDateTime, orDash } from '../shared/format';
import { DELIVERY_LABELS } from '../shared/labels';
import { Link } from '../shared/router';
import { useResource } from '../shared/use-resource';
import { Loaded, TableHead } from '../shared/ui';
import { useStaff } from '../session/session-context';
import { deskApi } from './desk-api';

export function ReceiptPage({ caseId }: { caseId: string }) {
  const staff = useStaff();
  const receipt = useResource(`receipt:${caseId}`, () => deskApi.receipt(staff.region, caseId));
  const casePath = `/desk/cases/${encodeURIComponent(caseId)}`;
  return (
    <div className="page">
      <div className="page-header no-print">
        <div>
          <h1>受理回执</h1>
          <p className="page-subtitle">请打印后交申请人留存；申请人可凭办件编号或扫码查询进度。</p>
        </div>
        <div className="page-actions">
          <Link to={casePath} className="button">
            查看办件
          </Link>
          <Link to="/desk/new" className="button">
            继续受理新件
          </Link>
          <button
            type="button"
            className="button button-primary"
            data-testid="receipt-print"
            disabled={receipt.data === undefined}
            onClick={() => {
              window.print();
            }}
          >
            打印
          </button>
        </div>
      </div>
      <Loaded resource={receipt} what="受理回执">
        {(loaded) => <ReceiptSheet receipt={loaded.receipt} />}
      </Loaded>
    </div>
  );
}

function ReceiptSheet({ receipt }: { receipt: Receipt }) {
  return (
    <article className="receipt" data-testid="receipt">
      <header className="receipt-header">
        <div>
          <p className="receipt-issuer">{receipt.originRegionName}跨省通办窗口</p>
          <h2 className="receipt-title">跨省通办受理回执</h2>
          <p className="receipt-number">
            办件编号：
            <strong data-testid="receipt-case-id">{receipt.caseId}</strong>
          </p>
        </div>
        <figure className="receipt-qr-figure">
          {/* The server renders the QR code (an SVG document of its own making), so it is
              inserted as markup rather than drawn again here. */}
          <div
            className="receipt-qr"
            data-testid="receipt-qr"
            data-payload={receipt.qrPayload}
            dangerouslySetInnerHTML={{ __html: receipt.qrSvg }}
          />
          <figcaption>扫码查询办理进度</figcaption>
        </figure>
      </header>

      <table className="receipt-table">
        <tbody>
          <tr>
            <th>申请人</th>
            <td>{receipt.applicantName}</td>
            <th>证件号码</th>
            <td>{receipt.applicantIdentifierMasked}</td>
          </tr>
          {receipt.agentName === undefined || receipt.agentName === '' ? null : (
            <tr>
              <th>代办人</th>
              <td colSpan={3}>{receipt.agentName}</td>
            </tr>
          )}
          <tr>
            <th>办理事项</th>
            <td colSpan={3}>{receipt.itemName}</td>
          </tr>
          <tr>
            <th>办理地</th>
            <td>
              {receipt.handlingRegionName}（{receipt.handlingRegion}）
            </td>
            <th>实施部门</th>
            <td>{receipt.department}</td>
          </tr>
          <tr>
            <th>受理地</th>
            <td>
              {receipt.originRegionName}（{receipt.originRegion}）
            </td>
            <th>受理时间</th>
            <td>{formatDateTime(receipt.submittedAt)}</td>
          </tr>
          <tr>
            <th>承诺时限</th>
            <td>{receipt.timeLimitWorkingDays} 个工作日</td>
            <th>送达方式</th>
            <td>{DELIVERY_LABELS[receipt.deliveryMethod]}</td>
          </tr>
          <tr>
            <th>受理人</th>
            <td colSpan={3}>{receipt.acceptedBy}</td>
          </tr>
        </tbody>
      </table>

      <h3 className="receipt-section">已收取材料（{receipt.materials.length} 份）</h3>
      <table className="receipt-table receipt-materials">
        <TableHead
          columns={[
            { title: '序号', width: '3em' },
            '材料名称',
            { title: '扫描件大小', width: '8em' },
          ]}
        />
        <tbody>
          {receipt.materials.map((material, index) => (
            <tr key={material.code}>
              <td>{index + 1}</td>
              <td>{material.name}</td>
              <td>{formatBytes(material.sizeBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <footer className="receipt-footer">
        <p>
          本回执证明您的申请已由{receipt.originRegionName}跨省通办窗口受理，并转递
          {receipt.handlingRegionName}办理。承诺时限自办理地接收之日起计算，需补正材料或远程踏勘的，
          补正、踏勘期间不计入时限。
        </p>
        <p>
          <span className="receipt-contact">窗口地址：{orDash(receipt.windowAddress)}</span>
          <span className="receipt-contact">咨询电话：{orDash(receipt.windowPhone)}</span>
        </p>
        <div className="receipt-signature">
          <span>受理窗口（盖章）</span>
          <span>申请人（签字）：</span>
          <span>{formatDateTime(receipt.submittedAt).slice(0, 10)}</span>
        </div>
      </footer>
    </article>
  );
}
