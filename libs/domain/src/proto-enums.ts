import {
  ApplicantKind,
  DeliveryMethod,
  HandlingMode,
} from '@tongban/contracts/tongban/case/v1/case';
import type {
  ApplicantKindName,
  DeliveryMethodName,
  HandlingModeName,
} from './region/region.schema';

/*
 * Region files and rules speak in names (INSTANT, MAIL, PERSON); messages on the wire use the
 * generated enums. These are the only translations between the two.
 */

const HANDLING_MODES: Readonly<Record<HandlingModeName, HandlingMode>> = {
  INSTANT: HandlingMode.HANDLING_MODE_INSTANT,
  STANDARD: HandlingMode.HANDLING_MODE_STANDARD,
  TWO_LEVEL: HandlingMode.HANDLING_MODE_TWO_LEVEL,
};

const DELIVERY_METHODS: Readonly<Record<DeliveryMethodName, DeliveryMethod>> = {
  ELECTRONIC: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC,
  WINDOW_PICKUP: DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP,
  MAIL: DeliveryMethod.DELIVERY_METHOD_MAIL,
};

export function toHandlingMode(mode: HandlingModeName): HandlingMode {
  return HANDLING_MODES[mode];
}

export function toDeliveryMethod(method: DeliveryMethodName): DeliveryMethod {
  return DELIVERY_METHODS[method];
}

/** The rule vocabulary's name of an applicant kind, or undefined for UNSPECIFIED / unknown. */
export function applicantKindName(kind: ApplicantKind): ApplicantKindName | undefined {
  switch (kind) {
    case ApplicantKind.APPLICANT_KIND_PERSON:
      return 'PERSON';
    case ApplicantKind.APPLICANT_KIND_ORGANIZATION:
      return 'ORGANIZATION';
    default:
      return undefined;
  }
}
