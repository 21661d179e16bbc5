import {
  VerificationResult,
  type CertificateBody,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import { formatVerificationCode } from '../certificates/verification-code';

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** An item as the page names it: from our catalog, or from the partner's published one. */
export interface PrintedItem {
  name: string;
  department: string;
  /** In the order of the application form. */
  fields: { name: string; label: string; values: ReadonlyMap<string, string> }[];
}

export interface CertificatePageInput {
  body: CertificateBody;
  keyId: string;
  /** The issuer as the reader knows it, e.g. 潜江市（429005）. */
  issuer: string;
  /** Undefined when the issuer's catalog is not known here: field names are printed as they are. */
  item: PrintedItem | undefined;
  verdict: { result: VerificationResult; detail: string; checkedAt: Date };
  qrPayload: string;
  /** Markup made by the QR encoder from the payload: path data only, no text to escape. */
  qrSvg: string;
}

/**
 * What the QR code on the page carries: enough for any verifier to ask the issuer
 * (VerifyCertificate by code), and nothing personal.
 */
export function verificationPayload(issuerRegion: string, verificationCode: string): string {
  return `tongban:verify?issuer=${encodeURIComponent(issuerRegion)}&code=${encodeURIComponent(verificationCode)}`;
}

/** Text for HTML content and attribute values: every value on the page passes through here. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * The holder's identifier as printed: first 6 and last 4 characters (region and check digits of
 * a resident ID), enough to tell holders apart at a counter without printing the whole number.
 */
export function maskIdentifier(identifier: string): string {
  // Resident IDs and unified credit codes are ASCII: slicing by code unit is exact.
  const id = identifier.trim();
  if (id.length >= 11) return `${id.slice(0, 6)}****${id.slice(-4)}`;
  if (id.length >= 3) return `${id.slice(0, 1)}****${id.slice(-1)}`;
  return '****';
}

const RESULT_LABELS: Partial<Record<VerificationResult, { label: string; stamp?: string }>> = {
  [VerificationResult.VERIFICATION_RESULT_VALID]: { label: '有效' },
  [VerificationResult.VERIFICATION_RESULT_REVOKED]: { label: '已注销', stamp: '已注销' },
  [VerificationResult.VERIFICATION_RESULT_EXPIRED]: { label: '已过期', stamp: '已过期' },
  [VerificationResult.VERIFICATION_RESULT_NOT_YET_VALID]: {
    label: '尚未生效',
    stamp: '尚未生效',
  },
};

/**
 * The printable page of a certificate (A4, Chinese): self-contained (inline style and SVG, no
 * script, nothing fetched), so it prints the same anywhere and can be archived as one file.
 */
export function certificatePage(input: CertificatePageInput): string {
  const { body, item, verdict } = input;
  const e = escapeHtml;
  const outcome = RESULT_LABELS[verdict.result] ?? { label: '未通过', stamp: '核验未通过' };
  const valid = verdict.result === VerificationResult.VERIFICATION_RESULT_VALID;
  const rows: [string, string][] = [
    ['持证人', body.holderName],
    ['证件号码', maskIdentifier(body.holderIdentifier)],
    ['办理事项', item ? item.name : body.itemCode],
  ];
  if (item?.department) rows.push(['发证机关', item.department]);
  rows.push(...fieldRows(body.fields, item));
  rows.push(['发证日期', chineseDate(body.issuedAt)]);
  rows.push(['有效期', validity(body)]);
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(body.certificateType)} ${e(body.certificateId)}</title>
<style>${STYLE}</style>
</head>
<body>
<article class="certificate">
<header>
<p class="issuer">${e(input.issuer)}</p>
<h1>${e(body.certificateType)}</h1>
<p class="number">证照编号：${e(body.certificateId)}</p>
</header>
<p class="verdict ${valid ? 'verdict-valid' : 'verdict-invalid'}" role="status"><strong>核验结果：${e(outcome.label)}</strong> ${e(verdict.detail)} <span class="checked">（核验时间 ${e(chineseDateTime(verdict.checkedAt))}）</span></p>
${outcome.stamp ? `<p class="stamp" aria-hidden="true">${e(outcome.stamp)}</p>\n` : ''}<table class="particulars">
<tbody>
${rows.map(([label, value]) => `<tr><th scope="row">${e(label)}</th><td>${e(value)}</td></tr>`).join('\n')}
</tbody>
</table>
<footer>
<figure class="qr">${input.qrSvg}<figcaption>扫码核验</figcaption></figure>
<dl class="verification">
<dt>验证码</dt><dd class="code">${e(formatVerificationCode(body.verificationCode))}</dd>
<dt>核验方式</dt><dd>扫描左侧二维码，或在任一通办窗口输入签发地代码 ${e(body.issuerRegion)} 和上面的验证码。</dd>
<dt>签名密钥</dt><dd class="key">${e(input.keyId)}</dd>
<dt>办件编号</dt><dd>${e(body.caseId)}</dd>
</dl>
</footer>
<p class="note">本页为${e(input.issuer)}签发的电子证照（Ed25519 电子签名）的打印件，真伪和状态以扫码或输入验证码核验的结果为准。</p>
</article>
</body>
</html>
`;
}

/** The application fields: known ones in the form's order with its labels, the rest by name. */
function fieldRows(
  fields: Record<string, string>,
  item: PrintedItem | undefined,
): [string, string][] {
  const rows: [string, string][] = [];
  const printed = new Set<string>();
  for (const field of item?.fields ?? []) {
    // Own properties only: a field named like an Object method must not print the method.
    const value = Object.hasOwn(fields, field.name) ? fields[field.name] : undefined;
    if (value === undefined) continue;
    rows.push([field.label, field.values.get(value) ?? value]);
    printed.add(field.name);
  }
  for (const name of Object.keys(fields).sort()) {
    if (!printed.has(name)) rows.push([name, fields[name] ?? '']);
  }
  return rows;
}

function validity(body: CertificateBody): string {
  const from = body.validFrom ?? body.issuedAt;
  if (!body.validUntil) return from ? `自 ${chineseDate(from)} 起长期有效` : '长期有效';
  return `${from ? `${chineseDate(from)} 至 ` : '至 '}${chineseDate(body.validUntil)}`;
}

/** A day as printed on certificates, in China Standard Time: 2026年11月22日. */
function chineseDate(instant: Date | undefined): string {
  if (!instant) return '未注明';
  const china = new Date(instant.getTime() + CHINA_OFFSET_MS);
  return `${china.getUTCFullYear()}年${china.getUTCMonth() + 1}月${china.getUTCDate()}日`;
}

function chineseDateTime(instant: Date): string {
  const china = new Date(instant.getTime() + CHINA_OFFSET_MS);
  const time = china.toISOString().slice(11, 16);
  return `${chineseDate(instant)} ${time}`;
}

const STYLE = `
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
html { background: #e8e8e8; }
body { margin: 0; color: #111; font-family: "Songti SC", "SimSun", "Noto Serif CJK SC", serif; }
.certificate { position: relative; width: 210mm; min-height: 297mm; margin: 10mm auto; padding: 18mm 18mm 14mm; background: #fff; border: 1px solid #bbb; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2); }
header { text-align: center; border-bottom: 2px solid #a40000; padding-bottom: 5mm; margin-bottom: 6mm; }
.issuer { margin: 0 0 3mm; font-size: 14pt; letter-spacing: 0.2em; }
h1 { margin: 0 0 4mm; font-size: 26pt; letter-spacing: 0.3em; color: #a40000; }
.number { margin: 0; font-size: 11pt; }
.verdict { margin: 0 0 6mm; padding: 3mm 4mm; border: 1px solid; font-size: 10.5pt; }
.verdict-valid { border-color: #2a7a2a; color: #1d5e1d; background: #f1f8f1; }
.verdict-invalid { border-color: #a40000; color: #a40000; background: #fdf1f1; }
.checked { white-space: nowrap; }
.stamp { position: absolute; top: 100mm; left: 50%; margin: 0; padding: 2mm 8mm; transform: translateX(-50%) rotate(-18deg); border: 2.5mm solid rgba(164, 0, 0, 0.4); color: rgba(164, 0, 0, 0.4); font-size: 48pt; font-weight: bold; letter-spacing: 0.2em; white-space: nowrap; }
table { width: 100%; border-collapse: collapse; font-size: 12pt; }
th, td { padding: 2.5mm 3mm; border: 1px solid #999; text-align: left; vertical-align: top; }
th { width: 40mm; background: #f5f5f5; font-weight: normal; }
td { overflow-wrap: anywhere; }
footer { display: flex; gap: 8mm; align-items: flex-start; margin-top: 10mm; }
.qr { flex: none; margin: 0; text-align: center; font-size: 9pt; }
.qr svg { display: block; width: 36mm; height: 36mm; }
.verification { display: grid; grid-template-columns: auto 1fr; gap: 1.5mm 4mm; margin: 0; font-size: 10.5pt; }
.verification dt { color: #555; }
.verification dd { margin: 0; overflow-wrap: anywhere; }
.code { font-family: "Courier New", monospace; font-size: 16pt; letter-spacing: 0.1em; }
.key { font-family: "Courier New", monospace; font-size: 9pt; }
.note { margin: 8mm 0 0; color: #555; font-size: 9pt; }
@media print {
  html { background: none; }
  .certificate { width: auto; min-height: 0; margin: 0; padding: 0; border: none; box-shadow: none; }
  .verdict, .stamp, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
