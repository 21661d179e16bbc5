// The window checks ID numbers and credit codes as the clerk types, with the very functions the
// intake service runs, so the screen and the server can never disagree about a check digit.
import {
  validateCreditCode,
  validateResidentId,
  type ValidationResult,
} from '@tongban/domain/identifiers';
import type { ApplicantKind } from '../../../src/api/console-api';

export type IdentifierCheck = ValidationResult<string>;

/** Checks a resident ID number (个人) or a unified social credit code (法人). */
export function checkIdentifier(kind: ApplicantKind, value: string): IdentifierCheck {
  return kind === 'PERSON' ? validateResidentId(value) : validateCreditCode(value);
}

export { validateCreditCode, validateResidentId };
