import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  TimelineKind,
  type Agent,
  type MaterialRef,
  type PostalAddress,
  type SupplementRequest,
  type SurveyRequest,
} from '@tongban/contracts/tongban/case/v1/case';
import type { Case } from '@tongban/contracts/tongban/intake/v1/intake';
import type * as Api from '../api/console-api';
import { enumName, iso, maskIdentifier } from '../shared/enum-names';
import type { RegionDirectory } from '../upstreams/region-directory';

export const caseStatusName = (status: CaseStatus): Api.CaseStatus =>
  enumName(CaseStatus, status, 'CASE_STATUS_', 'SUBMITTED');

export const channelName = (channel: Channel): Api.Channel =>
  enumName(Channel, channel, 'CHANNEL_', 'WINDOW');

export const deliveryName = (method: DeliveryMethod): Api.DeliveryMethod =>
  enumName(DeliveryMethod, method, 'DELIVERY_METHOD_', 'ELECTRONIC');

export const applicantKindName = (kind: ApplicantKind): Api.ApplicantKind =>
  enumName(ApplicantKind, kind, 'APPLICANT_KIND_', 'PERSON');

const TERMINAL = new Set<Api.CaseStatus>(['COMPLETED', 'REJECTED', 'WITHDRAWN']);
export const isOpenStatus = (status: Api.CaseStatus): boolean => !TERMINAL.has(status);

export function addressView(address: PostalAddress | undefined): Api.PostalAddress | undefined {
  if (!address) return undefined;
  return {
    recipient: address.recipient,
    phone: address.phone,
    divisionCode: address.divisionCode,
    line: address.line,
    postalCode: address.postalCode,
  };
}

export function agentView(agent: Agent | undefined): Api.AgentInput | undefined {
  if (!agent || agent.identifier === '') return undefined;
  return {
    name: agent.name,
    identifier: agent.identifier,
    phone: agent.phone,
    relation: agent.relation,
    authorizationMaterial: agent.authorizationMaterial,
  };
}

export function materialView(material: MaterialRef): Api.MaterialRef {
  return {
    code: material.code,
    name: material.name,
    sha256: material.sha256,
    sizeBytes: material.sizeBytes,
    contentType: material.contentType,
  };
}

export function supplementRequestView(request: SupplementRequest): Api.SupplementRequest {
  return {
    round: request.round,
    materials: request.materials.map((m) => ({ code: m.code, name: m.name, reason: m.reason })),
    note: request.note,
    requestedBy: request.requestedBy,
    requestedAt: iso(request.requestedAt) ?? '',
  };
}

export function surveyRequestView(request: SurveyRequest): Api.SurveyRequest {
  return {
    round: request.round,
    checkpoints: request.checkpoints.map((c) => ({ code: c.code, description: c.description })),
    note: request.note,
    requestedBy: request.requestedBy,
    requestedAt: iso(request.requestedAt) ?? '',
  };
}

export function caseSummary(item: Case, regions: RegionDirectory): Api.CaseSummary {
  const due = iso(item.dueAt);
  return {
    caseId: item.caseId,
    handlingRegion: item.handlingRegion,
    handlingRegionName: regions.name(item.handlingRegion),
    itemCode: item.itemCode,
    itemName: item.itemName,
    applicantName: item.applicant?.name ?? '',
    applicantIdentifierMasked: maskIdentifier(item.applicant?.identifier ?? ''),
    status: caseStatusName(item.status),
    channel: channelName(item.channel),
    submittedAt: iso(item.submittedAt) ?? '',
    ...(due ? { dueAt: due } : {}),
    overdue: item.overdue,
  };
}

export function caseView(
  item: Case,
  regions: RegionDirectory,
  traceUrl: (traceId: string) => string | undefined,
): Api.CaseView {
  const status = caseStatusName(item.status);
  const agent = agentView(item.agent);
  const address = addressView(item.delivery?.address);
  const trace = traceUrl(item.traceId);
  return {
    ...caseSummary(item, regions),
    originRegion: item.originRegion,
    applicant: {
      kind: applicantKindName(item.applicant?.kind ?? ApplicantKind.APPLICANT_KIND_PERSON),
      identifier: item.applicant?.identifier ?? '',
      name: item.applicant?.name ?? '',
      phone: item.applicant?.phone ?? '',
    },
    ...(agent ? { agent } : {}),
    delivery: {
      method: deliveryName(item.delivery?.method ?? DeliveryMethod.DELIVERY_METHOD_ELECTRONIC),
      ...(address ? { address } : {}),
    },
    fields: { ...item.fields },
    materials: item.materials.map(materialView),
    timeline: item.timeline.map((entry) => ({
      kind: enumName<Api.TimelineKind>(TimelineKind, entry.kind, 'TIMELINE_KIND_', 'STATUS'),
      ...(entry.kind === TimelineKind.TIMELINE_KIND_UNSPECIFIED
        ? { status: caseStatusName(entry.status) }
        : {}),
      at: iso(entry.at) ?? '',
      region: entry.region,
      regionName: regions.name(entry.region),
      note: entry.note,
    })),
    rejectionReason: item.rejectionReason,
    certificateId: item.certificateId,
    ...(item.openSupplement && status === 'SUPPLEMENT_REQUESTED'
      ? { openSupplement: supplementRequestView(item.openSupplement) }
      : {}),
    ...(item.openSurvey && status === 'SURVEY_REQUIRED'
      ? { openSurvey: surveyRequestView(item.openSurvey) }
      : {}),
    mailException: item.mailException,
    bundleId: item.bundleId,
    submittedBy: item.submittedBy,
    ...(trace ? { traceUrl: trace } : {}),
  };
}
