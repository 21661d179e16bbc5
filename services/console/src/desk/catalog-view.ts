import { DeliveryMethod, HandlingMode, ServiceList } from '@tongban/contracts/tongban/case/v1/case';
import type { CatalogItem } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type * as Api from '../api/console-api';
import { enumName } from '../shared/enum-names';
import { deliveryName } from './case-view';

export function catalogItemView(item: CatalogItem): Api.CatalogItem {
  return {
    code: item.code,
    name: item.name,
    department: item.department,
    mode: enumName<Api.HandlingMode>(HandlingMode, item.mode, 'HANDLING_MODE_', 'STANDARD'),
    timeLimitWorkingDays: item.timeLimitWorkingDays,
    preReviewWorkingDays: item.preReviewWorkingDays,
    certificateType: item.certificateType,
    deliveryMethods: item.deliveryMethods
      .filter((method) => method !== DeliveryMethod.DELIVERY_METHOD_UNSPECIFIED)
      .map(deliveryName),
    surveyRequired: item.surveyRequired,
    originalsRequired: item.originalsRequired,
    approvalDepartment: item.approvalDepartment,
    lists: item.lists
      .filter((list) => list !== ServiceList.SERVICE_LIST_UNSPECIFIED)
      .map((list) => enumName<Api.ServiceList>(ServiceList, list, 'SERVICE_LIST_', 'ZERO_VISIT')),
    materials: item.materials.map((m) => ({ code: m.code, name: m.name, mandatory: m.mandatory })),
    fields: item.fields.map((field) => ({
      name: field.name,
      label: field.label,
      required: field.required,
      values: field.values.map((v) => ({ value: v.value, label: v.label })),
    })),
  };
}
