import type { Envelope } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { MessageKind } from '../../prisma/generated/client';

/** The stored kind of an envelope, by its body; undefined for an envelope without one. */
export function envelopeKind(
  envelope: Pick<
    Envelope,
    'caseTransfer' | 'statusReport' | 'supplement' | 'surveyEvidence' | 'notice'
  >,
): MessageKind | undefined {
  if (envelope.caseTransfer) return 'CASE_TRANSFER';
  if (envelope.statusReport) return 'STATUS_REPORT';
  if (envelope.supplement) return 'SUPPLEMENT';
  if (envelope.surveyEvidence) return 'SURVEY_EVIDENCE';
  if (envelope.notice) return 'NOTICE';
  return undefined;
}

/** What a message of this kind is called in a refusal, for the partner's operators. */
export const KIND_NAMES: Readonly<Record<MessageKind, string>> = {
  CASE_TRANSFER: '案件转递',
  STATUS_REPORT: '状态报告',
  SUPPLEMENT: '补正材料',
  SURVEY_EVIDENCE: '踏勘材料',
  NOTICE: '办件通知',
};

/** The name of the envelope's `body` case a message of this kind carries, as operators see it. */
export const BODY_CASES: Readonly<Record<MessageKind, string>> = {
  CASE_TRANSFER: 'case_transfer',
  STATUS_REPORT: 'status_report',
  SUPPLEMENT: 'supplement',
  SURVEY_EVIDENCE: 'survey_evidence',
  NOTICE: 'notice',
};
