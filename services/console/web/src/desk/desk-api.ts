// The window desk's calls (role CLERK), one function per route of console-api.ts.
import type {
  CaseListResponse,
  CaseResponse,
  CaseStatus,
  CatalogResponse,
  CertificateResponse,
  PartnersResponse,
  ReceiptResponse,
  SubmitApplication,
  SupplementReply,
  SurveyReply,
  WithdrawRequest,
} from '../../../src/api/console-api';
import { api, queryString, regionApi, segment } from '../shared/api-client';

const desk = (region: string, route: string) => regionApi(region, `desk/${route}`);
const casePath = (region: string, caseId: string, route = '') =>
  desk(region, `cases/${segment(caseId)}${route === '' ? '' : `/${route}`}`);

export const deskApi = {
  partners: (region: string) => api.get<PartnersResponse>(desk(region, 'partners')),

  catalog: (region: string, partner: string) =>
    api.get<CatalogResponse>(desk(region, `partners/${segment(partner)}/catalog`)),

  /** One file per material code; the scan of a multi-page document is one PDF. */
  submitCase: (region: string, application: SubmitApplication, materials: Map<string, File>) => {
    const form = new FormData();
    form.append('application', JSON.stringify(application));
    for (const [code, file] of materials) form.append(`material:${code}`, file, file.name);
    return api.postForm<CaseResponse>(desk(region, 'cases'), form);
  },

  searchCases: (region: string, query: string, status: CaseStatus | '', pageToken = '') =>
    api.get<CaseListResponse>(desk(region, `cases${queryString({ query, status, pageToken })}`)),

  case: (region: string, caseId: string) => api.get<CaseResponse>(casePath(region, caseId)),

  receipt: (region: string, caseId: string) =>
    api.get<ReceiptResponse>(casePath(region, caseId, 'receipt')),

  certificate: (region: string, caseId: string) =>
    api.get<CertificateResponse>(casePath(region, caseId, 'certificate')),

  supplement: (
    region: string,
    caseId: string,
    reply: SupplementReply,
    files: Map<string, File>,
  ) => {
    const form = new FormData();
    form.append('reply', JSON.stringify(reply));
    for (const [code, file] of files) form.append(`material:${code}`, file, file.name);
    return api.postForm<CaseResponse>(casePath(region, caseId, 'supplement'), form);
  },

  /** `files[i]` is the medium described by `reply.media[i]`. */
  surveyMedia: (region: string, caseId: string, reply: SurveyReply, files: File[]) => {
    const form = new FormData();
    form.append('reply', JSON.stringify(reply));
    files.forEach((file, index) => {
      form.append(`medium:${index}`, file, file.name);
    });
    return api.postForm<CaseResponse>(casePath(region, caseId, 'survey-media'), form);
  },

  handOver: (region: string, caseId: string) =>
    api.post<CaseResponse>(casePath(region, caseId, 'hand-over')),

  withdraw: (region: string, caseId: string, request: WithdrawRequest) =>
    api.post<CaseResponse>(casePath(region, caseId, 'withdrawal'), request),
};
