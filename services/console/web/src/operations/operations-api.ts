// The operator dashboard's calls (role OPERATOR).
import type {
  Dashboard,
  FailedDeliveriesResponse,
  RetryDeliveryResult,
} from '../../../src/api/console-api';
import { api, queryString, regionApi, segment } from '../shared/api-client';

export const operationsApi = {
  dashboard: (region: string) => api.get<Dashboard>(regionApi(region, 'operations/dashboard')),

  /** Messages the exchange gave up on; all partners when `partner` is empty. */
  failedDeliveries: (region: string, partner = '') =>
    api.get<FailedDeliveriesResponse>(
      regionApi(region, `operations/failed-deliveries${queryString({ partner })}`),
    ),

  retryDelivery: (region: string, messageId: string) =>
    api.post<RetryDeliveryResult>(
      regionApi(region, `operations/failed-deliveries/${segment(messageId)}/retry`),
    ),
};
