import { CarrierApiError, type CarrierApiErrorCode } from './api-error';
import { divisionCodeProblem } from './divisions';

export interface ShipmentAddress {
  name: string;
  phone: string;
  /** GB/T 2260 code of the prefecture- or county-level division. */
  divisionCode: string;
  line: string;
  postalCode: string;
}

/** The body of `POST /v1/shipments`, checked. */
export interface ShipmentRequest {
  /** The customer's reference printed on the waybill: for Tongban, the case id. */
  reference: string;
  service: 'STANDARD';
  sender: ShipmentAddress;
  recipient: ShipmentAddress;
  parcel: { description: string };
  /** Where tracking events are POSTed. */
  callbackUrl: string;
}

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/;
const POSTAL_CODE = /^\d{6}$/;
const REFERENCE = /^[\w.:-]{1,64}$/;

/** Checks a decoded request body; throws CarrierApiError (400) naming the first bad field. */
export function parseShipmentRequest(body: unknown): ShipmentRequest {
  const root = object(body, '');
  const reference = text(root, 'reference', '', 64);
  if (!REFERENCE.test(reference)) {
    refuse('INVALID_FIELD', 'reference', 'may hold letters, digits and . _ : - only');
  }
  const service = text(root, 'service', '', 32);
  if (service !== 'STANDARD') {
    refuse('UNSUPPORTED_SERVICE', 'service', `'${service}' is not offered; use STANDARD`);
  }
  const callbackUrl = text(root, 'callbackUrl', '', 2048);
  if (!isHttpUrl(callbackUrl)) {
    refuse('INVALID_CALLBACK_URL', 'callbackUrl', 'must be an absolute http(s) URL');
  }
  const parcel = object(root.parcel, 'parcel');
  return {
    reference,
    service,
    sender: address(root.sender, 'sender'),
    recipient: address(root.recipient, 'recipient'),
    parcel: { description: text(parcel, 'description', 'parcel.', 200) },
    callbackUrl,
  };
}

function address(value: unknown, path: string): ShipmentAddress {
  const fields = object(value, path);
  const prefix = `${path}.`;
  const name = text(fields, 'name', prefix, 50);
  const phone = text(fields, 'phone', prefix, 20);
  if (!MOBILE.test(phone) && !LANDLINE.test(phone)) {
    refuse(
      'INVALID_PHONE',
      `${prefix}phone`,
      'must be a mobile number (11 digits starting with 1) or a landline with its area code',
    );
  }
  const divisionCode = text(fields, 'divisionCode', prefix, 6);
  const problem = divisionCodeProblem(divisionCode);
  if (problem) refuse('INVALID_DIVISION_CODE', `${prefix}divisionCode`, problem);
  const line = text(fields, 'line', prefix, 200);
  const postalCode = text(fields, 'postalCode', prefix, 6);
  if (!POSTAL_CODE.test(postalCode)) {
    refuse('INVALID_POSTAL_CODE', `${prefix}postalCode`, 'must be 6 digits');
  }
  return { name, phone, divisionCode, line, postalCode };
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined || value === null) {
    if (path === '')
      throw new CarrierApiError(400, 'INVALID_REQUEST', 'the body must be a JSON object');
    refuse('MISSING_FIELD', path, 'is required');
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    if (path === '')
      throw new CarrierApiError(400, 'INVALID_REQUEST', 'the body must be a JSON object');
    refuse('INVALID_FIELD', path, 'must be an object');
  }
  return value as Record<string, unknown>;
}

function text(
  fields: Record<string, unknown>,
  key: string,
  prefix: string,
  maxLength: number,
): string {
  const field = `${prefix}${key}`;
  const value = fields[key];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    refuse('MISSING_FIELD', field, 'is required');
  }
  if (typeof value !== 'string') refuse('INVALID_FIELD', field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length > maxLength) {
    refuse('INVALID_FIELD', field, `must be at most ${maxLength} characters`);
  }
  return trimmed;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function refuse(code: CarrierApiErrorCode, field: string, problem: string): never {
  throw new CarrierApiError(400, code, `${field} ${problem}`, field);
}
