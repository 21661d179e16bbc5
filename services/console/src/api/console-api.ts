// The console's HTTP API, shared by the backend-for-frontend (which implements it) and the web
// app (which calls it). Types only: nothing here runs, so both sides can import it.
//
// Every path below `/api/regions/:region/…` acts in one region's services. The server allows a
// call only when the signed-in staff account belongs to that region and holds a role the route
// names; the web app hides what a role cannot do, but the server is what refuses (403).
//
// Errors: any status ≥ 400 carries an `ApiError` body. Dates are ISO-8601 strings (UTC).

/** Roles of staff accounts. */
export type StaffRole = 'CLERK' | 'REVIEWER' | 'APPROVER' | 'OPERATOR';

export interface Staff {
  username: string;
  /** Display name, e.g. "张敏". */
  name: string;
  role: StaffRole;
  region: string;
  regionName: string;
}

export interface ApiError {
  /** Stable code, e.g. AUTH.REQUIRED, AUTH.FORBIDDEN, CASE.NOT_FOUND, APPLICATION.INVALID. */
  code: string;
  /** In Chinese, for the person at the screen. */
  message: string;
  /** For APPLICATION.INVALID and similar: one entry per problem. */
  problems?: ApiProblem[];
}

export interface ApiProblem {
  /** Form field or material code the problem is about, when there is one. */
  field?: string;
  code: string;
  message: string;
}

// ── Session ──────────────────────────────────────────────────────────────────────────────────
// POST   /api/session          SignInRequest → SessionResponse (sets the HttpOnly cookie)
//                              401 AUTH.INVALID_CREDENTIALS
// GET    /api/session          → SessionResponse, 401 AUTH.REQUIRED when not signed in
// DELETE /api/session          → 204 (clears the cookie)

export interface SignInRequest {
  username: string;
  password: string;
}

export interface SessionResponse {
  staff: Staff;
  /** Where the console links traces, e.g. "http://127.0.0.1:9411/zipkin"; absent if unset. */
  zipkinUrl?: string;
}

// ── Window desk (role CLERK) ───────────────────────────────────────────────────────────────
// GET  /api/regions/:region/desk/partners                     → PartnersResponse
// GET  /api/regions/:region/desk/partners/:partner/catalog    → CatalogResponse
// POST /api/regions/:region/desk/cases                         multipart/form-data → CaseResponse (201)
//        part "application": JSON SubmitApplication
//        one file part per material, named "material:<code>" (the catalog's material code)
//      400 APPLICATION.INVALID with problems, or the intake service's code (e.g. ID_NUMBER.*)
// GET  /api/regions/:region/desk/cases?query=&status=&pageToken=  → CaseListResponse
//        query: a case number, an applicant's ID number / credit code, or part of a name
//        status: a CaseStatus (empty for all)
// GET  /api/regions/:region/desk/cases/:caseId                 → CaseResponse
// GET  /api/regions/:region/desk/cases/:caseId/receipt         → ReceiptResponse
// GET  /api/regions/:region/desk/cases/:caseId/certificate     → CertificateResponse
//        404 CERTIFICATE.NOT_ISSUED while there is none
// POST /api/regions/:region/desk/cases/:caseId/supplement      multipart → CaseResponse
//        part "reply": JSON SupplementReply; file parts "material:<code>"
// POST /api/regions/:region/desk/cases/:caseId/survey-media    multipart → CaseResponse
//        part "reply": JSON SurveyReply; file parts "medium:<index>" matching reply.media[index]
// POST /api/regions/:region/desk/cases/:caseId/hand-over       → CaseResponse
// POST /api/regions/:region/desk/cases/:caseId/withdrawal      WithdrawRequest → CaseResponse

export interface Partner {
  region: string;
  name: string;
}

export interface PartnersResponse {
  /** The region itself first (its own items at its own window), then its partners. */
  partners: Partner[];
}

export type HandlingMode = 'INSTANT' | 'STANDARD' | 'TWO_LEVEL';
export type DeliveryMethod = 'ELECTRONIC' | 'WINDOW_PICKUP' | 'MAIL';
export type Channel = 'WINDOW' | 'ONLINE' | 'TERMINAL';
export type ApplicantKind = 'PERSON' | 'ORGANIZATION';
export type ServiceList = 'ZERO_VISIT' | 'ON_THE_SPOT' | 'SIMPLE_APPROVAL';

export interface CatalogMaterial {
  code: string;
  name: string;
  mandatory: boolean;
}

export interface CatalogField {
  name: string;
  label: string;
  required: boolean;
  /** A choice when non-empty. */
  values: { value: string; label: string }[];
}

export interface CatalogItem {
  code: string;
  name: string;
  department: string;
  mode: HandlingMode;
  timeLimitWorkingDays: number;
  preReviewWorkingDays: number;
  certificateType: string;
  deliveryMethods: DeliveryMethod[];
  surveyRequired: boolean;
  originalsRequired: boolean;
  approvalDepartment: string;
  lists: ServiceList[];
  materials: CatalogMaterial[];
  fields: CatalogField[];
}

export interface CatalogResponse {
  region: string;
  regionName: string;
  items: CatalogItem[];
}

export interface PostalAddress {
  recipient: string;
  phone: string;
  /** GB/T 2260 code of the county-level division, 6 digits. */
  divisionCode: string;
  line: string;
  postalCode: string;
}

export interface ApplicantInput {
  kind: ApplicantKind;
  /** Resident ID number (PERSON) or unified social credit code (ORGANIZATION). */
  identifier: string;
  name: string;
  phone: string;
}

export interface AgentInput {
  name: string;
  identifier: string;
  phone: string;
  relation: string;
  /** Material code of the authorization document among the uploaded materials. */
  authorizationMaterial: string;
}

export interface SubmitApplication {
  /** A fresh UUID per form: a retried submit returns the case it created. */
  idempotencyKey: string;
  handlingRegion: string;
  itemCode: string;
  applicant: ApplicantInput;
  delivery: { method: DeliveryMethod; address?: PostalAddress };
  fields: Record<string, string>;
  agent?: AgentInput;
  materialsPickup?: PostalAddress;
}

export type CaseStatus =
  | 'SUBMITTED'
  | 'FORWARDED'
  | 'RECEIVED'
  | 'UNDER_REVIEW'
  | 'PRE_REVIEWED'
  | 'SUPPLEMENT_REQUESTED'
  | 'SUPPLEMENTED'
  | 'SURVEY_REQUIRED'
  | 'SURVEYED'
  | 'APPROVED'
  | 'REJECTED'
  | 'CERTIFICATE_ISSUED'
  | 'DISPATCHED'
  | 'DELIVERED'
  | 'COMPLETED'
  | 'WITHDRAWN';

export type TimelineKind =
  | 'STATUS'
  | 'TRACKING'
  | 'MAIL_EXCEPTION'
  | 'MAIL_EXCEPTION_RESOLVED'
  | 'DEADLINE_APPROACHING'
  | 'OVERDUE'
  | 'SURVEY_EVIDENCE'
  | 'RENEWAL_OFFERED'
  | 'CERTIFICATE_REVOKED'
  | 'HANDOVER'
  | 'REPLY_SUBMITTED';

export interface TimelineEntry {
  kind: TimelineKind;
  /** The new status, for kind STATUS. */
  status?: CaseStatus;
  at: string;
  /** Region whose service made the entry. */
  region: string;
  regionName: string;
  note: string;
}

export interface MaterialRef {
  code: string;
  name: string;
  sha256: string;
  sizeBytes: number;
  contentType: string;
}

export interface RequestedMaterial {
  code: string;
  name: string;
  reason: string;
}

export interface SupplementRequest {
  round: number;
  materials: RequestedMaterial[];
  note: string;
  requestedBy: string;
  requestedAt: string;
}

export interface SurveyCheckpoint {
  code: string;
  description: string;
}

export interface SurveyRequest {
  round: number;
  checkpoints: SurveyCheckpoint[];
  note: string;
  requestedBy: string;
  requestedAt: string;
}

export interface CaseSummary {
  caseId: string;
  handlingRegion: string;
  handlingRegionName: string;
  itemCode: string;
  itemName: string;
  /** Applicant's name; the ID number is masked to its first 3 and last 4 characters. */
  applicantName: string;
  applicantIdentifierMasked: string;
  status: CaseStatus;
  channel: Channel;
  submittedAt: string;
  dueAt?: string;
  overdue: boolean;
}

export interface CaseView extends CaseSummary {
  originRegion: string;
  applicant: ApplicantInput;
  agent?: AgentInput;
  delivery: { method: DeliveryMethod; address?: PostalAddress };
  fields: Record<string, string>;
  materials: MaterialRef[];
  timeline: TimelineEntry[];
  rejectionReason: string;
  certificateId: string;
  openSupplement?: SupplementRequest;
  openSurvey?: SurveyRequest;
  mailException: boolean;
  bundleId: string;
  submittedBy: string;
  /** Link to the case's trace in Zipkin, when the console knows Zipkin and the trace id. */
  traceUrl?: string;
}

export interface CaseResponse {
  case: CaseView;
}

export interface CaseListResponse {
  cases: CaseSummary[];
  nextPageToken: string;
}

/** 受理回执: what the clerk prints and hands to the applicant. */
export interface Receipt {
  caseId: string;
  originRegion: string;
  originRegionName: string;
  handlingRegion: string;
  handlingRegionName: string;
  itemCode: string;
  itemName: string;
  department: string;
  applicantName: string;
  applicantIdentifierMasked: string;
  agentName?: string;
  materials: { code: string; name: string; sizeBytes: number }[];
  deliveryMethod: DeliveryMethod;
  submittedAt: string;
  /** Staff display name of the clerk who accepted the case. */
  acceptedBy: string;
  /** Promised time limit of the handling region, in working days. */
  timeLimitWorkingDays: number;
  /** The window's address and phone, from the region file. */
  windowAddress: string;
  windowPhone: string;
  /** What the QR code carries: "tongban:case?origin=<region>&id=<case number>". */
  qrPayload: string;
  /** The QR code as an inline SVG document. */
  qrSvg: string;
}

export interface ReceiptResponse {
  receipt: Receipt;
}

export type VerificationResult =
  | 'VALID'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_ISSUER'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'REVOKED'
  | 'NOT_FOUND'
  | 'UNSPECIFIED';

export interface CertificateResponse {
  certificateId: string;
  certificateType: string;
  holderName: string;
  issuerRegion: string;
  issuerRegionName: string;
  issuedAt: string;
  validUntil?: string;
  verificationCode: string;
  /** Verified now by this region's certificate service against the issuer's published key. */
  verification: VerificationResult;
  verificationDetail: string;
  /** Printable certificate page (self-contained HTML) to show in an iframe. */
  html: string;
}

export interface SupplementReply {
  round: number;
  note: string;
}

export interface SurveyReply {
  round: number;
  media: { checkpoint: string; capturedAt: string; description: string }[];
}

export interface WithdrawRequest {
  reason: string;
}

// ── Reviewer queue (roles REVIEWER and APPROVER) ────────────────────────────────────────────
// GET  /api/regions/:region/review/tasks?scope=open|decided       → TaskListResponse
//        open tasks ordered by deadline, soonest (or most overdue) first
// GET  /api/regions/:region/review/tasks/:taskId                  → TaskResponse
// GET  /api/regions/:region/review/tasks/:taskId/materials/:sha256 → the file's bytes, with its
//        content type (materials, supplement materials and survey media of that task only)
// POST /api/regions/:region/review/tasks/:taskId/pre-review       PreReviewRequest → TaskResponse
//        REVIEWER; for TWO_LEVEL this is the initial review (初审)
// POST /api/regions/:region/review/tasks/:taskId/decision         DecisionRequest → TaskResponse
//        REVIEWER at the initial level, APPROVER at the approval level of a TWO_LEVEL item
// POST /api/regions/:region/review/tasks/:taskId/supplement-request SupplementRequestInput → TaskResponse
// POST /api/regions/:region/review/tasks/:taskId/survey-request   SurveyRequestInput → TaskResponse
// POST /api/regions/:region/review/tasks/:taskId/survey-acceptance SurveyAcceptance → TaskResponse

export type TaskState =
  | 'OPEN'
  | 'PRE_REVIEWED'
  | 'SUPPLEMENT_REQUESTED'
  | 'SURVEY_REQUESTED'
  | 'APPROVED'
  | 'REJECTED'
  | 'CANCELLED';

export type ReviewLevel = 'INITIAL' | 'APPROVAL';

export interface TaskSummary {
  taskId: string;
  caseId: string;
  originRegion: string;
  originRegionName: string;
  itemCode: string;
  itemName: string;
  department: string;
  mode: HandlingMode;
  state: TaskState;
  /** Which level acts next while the task is open. */
  level: ReviewLevel;
  applicantName: string;
  receivedAt: string;
  dueAt?: string;
  /** The clock is paused (waiting for a supplement or survey media). */
  paused: boolean;
  overdue: boolean;
  decidedAt?: string;
}

export interface SupplementRound {
  request: SupplementRequest;
  materials: MaterialRef[];
  note: string;
  submittedAt?: string;
}

export interface SurveyMedium {
  checkpoint: string;
  sha256: string;
  sizeBytes: number;
  contentType: string;
  capturedAt: string;
  description: string;
}

export interface SurveyRound {
  request: SurveyRequest;
  media: SurveyMedium[];
  submittedAt?: string;
  acceptedAt?: string;
  acceptedBy: string;
}

export interface RuleTrace {
  rule: string;
  description: string;
  matched: boolean;
  conditions: { condition: string; held: boolean }[];
}

/** An application field as the form showed it: its label, and the chosen option's label. */
export interface FieldDisplay {
  name: string;
  label: string;
  value: string;
  /** The option's label for a choice field (e.g. 否 for NO), else the value itself. */
  valueLabel: string;
}

export interface TaskView extends TaskSummary {
  applicant: ApplicantInput;
  agent?: AgentInput;
  fields: Record<string, string>;
  /** The fields in the catalog's order with their labels (unknown ones last, by name). */
  fieldDisplay: FieldDisplay[];
  materials: MaterialRef[];
  approvalDepartment: string;
  surveyRequired: boolean;
  decidedAt?: string;
  decidedBy: string;
  reason: string;
  rule: string;
  ruleTrace: RuleTrace[];
  preReviewedBy: string;
  preReviewedAt?: string;
  preReviewDueAt?: string;
  timeLimitWorkingDays: number;
  supplements: SupplementRound[];
  surveys: SurveyRound[];
}

export interface TaskListResponse {
  tasks: TaskSummary[];
  /** Server time, so countdowns do not depend on the browser's clock. */
  now: string;
}

export interface TaskResponse {
  task: TaskView;
  now: string;
}

export interface PreReviewRequest {
  note: string;
}

export interface DecisionRequest {
  decision: 'APPROVE' | 'REJECT';
  /** Required for REJECT. */
  reason: string;
}

export interface SupplementRequestInput {
  materials: RequestedMaterial[];
  note: string;
}

export interface SurveyRequestInput {
  checkpoints: SurveyCheckpoint[];
  note: string;
}

export interface SurveyAcceptance {
  round: number;
}

// ── Operator dashboard (role OPERATOR) ──────────────────────────────────────────────────────
// GET  /api/regions/:region/operations/dashboard   → Dashboard
// GET  /api/regions/:region/operations/failed-deliveries?partner=   → FailedDeliveriesResponse
// POST /api/regions/:region/operations/failed-deliveries/:messageId/retry   → RetryDeliveryResult
//        puts a message the exchange gave up on back in the queue (the case's order is kept)

export interface CountRow {
  key: string;
  label: string;
  count: number;
}

export interface OnTimeRow {
  key: string;
  label: string;
  decided: number;
  decidedOnTime: number;
  open: number;
  openOverdue: number;
  /** 0…1 */
  onTimeRate: number;
}

export interface PartnerExchangeRow {
  partner: string;
  partnerName: string;
  /** Outbound messages waiting for (or retrying) delivery. */
  pending: number;
  /** Outbound messages given up after the retry budget. */
  failed: number;
  delivered: number;
  /** Inbound messages accepted from that partner. */
  received: number;
  /** Age of the oldest pending outbound message, when there is one. */
  oldestPendingAt?: string;
}

export interface DeadLetterRow {
  /** Service whose consumer dead-lettered, e.g. "intake". */
  service: string;
  topic: string;
  depth: number;
}

export interface DashboardCase {
  caseId: string;
  itemName: string;
  handlingRegion: string;
  handlingRegionName: string;
  status: CaseStatus;
  submittedAt: string;
  dueAt?: string;
  overdue: boolean;
  traceUrl?: string;
}

export interface Dashboard {
  region: string;
  regionName: string;
  generatedAt: string;
  /** Cases accepted at this region's windows and channels (origin view). */
  origin: {
    total: number;
    open: number;
    completed: number;
    overdue: number;
    /** Mean time from acceptance to COMPLETED, over completed cases; 0 when none. */
    averageHandlingMs: number;
    byHandlingRegion: CountRow[];
    byItem: CountRow[];
    byStatus: CountRow[];
    byChannel: CountRow[];
  };
  /** Cases this region handles (review tasks), whatever their origin. */
  handling: {
    total: OnTimeRow;
    byItem: OnTimeRow[];
    byOriginRegion: OnTimeRow[];
  };
  exchange: PartnerExchangeRow[];
  deadLetters: DeadLetterRow[];
  /** The most recent cases of this region, newest first, each with its trace link. */
  recentCases: DashboardCase[];
  /** Open cases past their deadline. */
  overdueCases: DashboardCase[];
  /**
   * Sources that did not answer (e.g. "review", "exchange", "kafka"): their sections are empty,
   * the rest of the dashboard still shows — an operator looks most when something is down.
   */
  unavailable: string[];
}

/** A message to a partner the exchange gave up on after its retry budget. */
export interface FailedDelivery {
  messageId: string;
  caseId: string;
  partner: string;
  partnerName: string;
  /** What it carries: case_transfer, status_report, supplement, survey_evidence, notice. */
  bodyKind: string;
  attempts: number;
  lastError: string;
  failedAt: string;
  /** Later messages of the same case waiting behind it. */
  heldBehind: number;
}

export interface FailedDeliveriesResponse {
  deliveries: FailedDelivery[];
}

export interface RetryDeliveryResult {
  messageId: string;
  caseId: string;
  partner: string;
  requeuedAt: string;
  heldBehind: number;
}
