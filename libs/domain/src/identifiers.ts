// The identifier checks alone — pure functions with no Node dependency — for the console's web
// app, which checks ID numbers and credit codes as the clerk types with the very functions the
// intake service runs. The lib's index also exports the region loader (file system), which cannot
// go into a browser bundle.
export { validateResidentId, residentIdCheckCharacter } from './resident-id';
export type { ResidentIdErrorCode } from './resident-id';
export { validateCreditCode } from './credit-code';
export type { CreditCodeErrorCode } from './credit-code';
export type { ValidationResult } from './validation-result';
