// The e-certificate of a finished case, verified again right now by this region's certificate
// service against the issuer's published key, next to the printable certificate itself.
import type { VerificationResult } from '../../../src/api/console-api';
import { formatDate, formatDateTime, orDash } from '../shared/format';
import { VERIFICATION_LABELS } from '../shared/labels';
import type { Tone } from '../shared/labels';
import { useResource } from '../shared/use-resource';
import { Badge, Facts, Loaded, Panel } from '../shared/ui';
import { deskApi } from './desk-api';

function verificationTone(result: VerificationResult): Tone {
  if (result === 'VALID') return 'success';
  if (result === 'EXPIRED' || result === 'UNSPECIFIED') return 'warning';
  return 'danger';
}

export function CertificatePanel({
  region,
  caseId,
  certificateId,
}: {
  region: string;
  caseId: string;
  certificateId: string;
}) {
  const certificate = useResource(`certificate:${caseId}:${certificateId}`, () =>
    deskApi.certificate(region, caseId),
  );
  return (
    <Panel
      title="电子证照"
      testId="certificate-panel"
      actions={
        <button
          type="button"
          className="button button-small"
          onClick={certificate.reload}
          disabled={certificate.loading}
        >
          重新验证
        </button>
      }
    >
      <Loaded resource={certificate} what="电子证照">
        {(data) => (
          <>
            <div className="verification">
              <Badge
                tone={verificationTone(data.verification)}
                testId="certificate-verification"
                data={{ result: data.verification }}
              >
                {VERIFICATION_LABELS[data.verification]}
              </Badge>
              {data.verificationDetail === '' ? null : (
                <span className="muted">{data.verificationDetail}</span>
              )}
            </div>
            <Facts
              items={[
                ['证照类型', data.certificateType],
                ['证照编号', <span className="code-inline">{data.certificateId}</span>],
                ['持证人', data.holderName],
                ['签发地区', `${data.issuerRegionName}（${data.issuerRegion}）`],
                ['签发时间', formatDateTime(data.issuedAt)],
                [
                  '有效期至',
                  data.validUntil === undefined ? '长期有效' : formatDate(data.validUntil),
                ],
                ['核验码', orDash(data.verificationCode)],
              ]}
            />
            {/* The certificate page comes from another region's service: it is shown without
                scripts, forms or access to the console's origin. */}
            <iframe
              className="certificate-frame"
              title={`${data.certificateType} ${data.certificateId}`}
              sandbox=""
              srcDoc={data.html}
              data-testid="certificate-frame"
            />
          </>
        )}
      </Loaded>
    </Panel>
  );
}
