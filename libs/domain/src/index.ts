// Domain rules shared by the services: identifiers, case numbers, the case lifecycle, working-day
// deadlines, region files and instant approval (秒批). Pure functions; only the region loader
// touches the file system.
export { DomainError } from './domain-error';
export type { DomainErrorCode } from './domain-error';
export type { ValidationResult } from './validation-result';
export { validateResidentId, residentIdCheckCharacter } from './resident-id';
export type { ResidentIdErrorCode } from './resident-id';
export {
  validateCreditCode,
  creditCodeCheckCharacter,
  organizationCodeCheckCharacter,
} from './credit-code';
export type { CreditCodeErrorCode } from './credit-code';
export { provinceName } from './provinces';
export { chinaDay, chinaMidnightAfter } from './china-time';
export type { ChinaDay } from './china-time';
export { formatCaseNumber, parseCaseNumber } from './case-number';
export type { CaseNumber, ParsedCaseNumber } from './case-number';
export {
  assertTransition,
  canTransition,
  isTerminal,
  nextStatuses,
  statusLabel,
} from './case-lifecycle';
export { addWorkingDays, weekendOnlyCalendar } from './working-days';
export type { WorkingDayCalendar } from './working-days';
export { HolidayCalendar, loadHolidayCalendar } from './calendar/holiday-calendar';
export type { HolidayYear } from './calendar/holiday-calendar';
export { slaBudgetMs, slaDeadline, slaPaused, slaUsedMs, slaWarningAt } from './calendar/sla-clock';
export type { SlaClockState, SlaPause } from './calendar/sla-clock';
export { SERVICE_LISTS, serviceLists } from './region/service-lists';
export type { ServiceListName } from './region/service-lists';
export { checkApplication, fieldValue } from './application';
export type { Application, ApplicationProblem, ApplicationProblemCode } from './application';
export { evaluateInstantRules, ruleSetVersion } from './instant-rules';
export type { InstantDecision, RuleTrace } from './instant-rules';
export { applicantKindName, toDeliveryMethod, toHandlingMode } from './proto-enums';
export { loadRegion, loadRegions } from './region/load-region';
export type { LoadRegionOptions } from './region/load-region';
export { RegionFileError } from './region/region-file-error';
export type { RegionFileProblem } from './region/region-file-error';
export { checkRegionNetwork } from './region/region-network';
export { findItem, itemsForPartner, partnerMayRequest } from './region/region-catalog';
export { NO_RULE_MATCHED } from './region/region-cross-checks';
export {
  APPLICANT_KINDS,
  DELIVERY_METHODS,
  HANDLING_MODES,
  RULE_DECISIONS,
} from './region/region.schema';
export type {
  Agreement,
  ApplicantKindName,
  Bundle,
  RegionPostalAddress,
  ApplicationField,
  DeliveryMethodName,
  HandlingModeName,
  InstantRule,
  ItemMaterial,
  Partner,
  Region,
  RegionExchange,
  RegionItem,
  RuleCondition,
  RuleDecision,
} from './region/region.schema';
