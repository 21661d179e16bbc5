import { loadServiceConfig, ServiceConfigError } from '@tongban/service-kit';
import { z } from 'zod';

// The carrier's own checks (see the carrier simulator's README): refused here already, so a
// misconfigured region fails at start instead of on its first parcel.
const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const POSTAL_CODE = /^\d{6}$/;

/** The logistics service's own environment, validated with the base settings at start. */
export const logisticsEnvironment = {
  CARRIER_URL: z.url({
    protocol: /^https?$/,
    error: 'must be the carrier API base URL, e.g. http://127.0.0.1:8790',
  }),
  CARRIER_API_KEY: z
    .string({ error: 'must be the API key the carrier issued to this region' })
    .min(1, 'must be the API key the carrier issued to this region'),
  CARRIER_WEBHOOK_SECRET: z
    .string({ error: 'must be the webhook signing secret agreed with the carrier' })
    .min(16, 'must be the webhook signing secret agreed with the carrier, at least 16 characters'),
  LOGISTICS_PUBLIC_URL: z.url({
    protocol: /^https?$/,
    error:
      'must be the base URL at which the carrier reaches this service’s HTTP port, e.g. http://127.0.0.1:<HTTP_PORT>; webhooks go to <it>/carrier/webhooks/<carrier>',
  }),
  // Optional: the region stack passes the carrier settings only. Unset, waybills carry the
  // placeholders below, and the service says so at start (SenderAddresses.placeholders).
  LOGISTICS_SENDER_PHONE: z
    .string()
    .regex(PHONE, 'must be a mobile number or a landline with its area code, e.g. 0728-6221234')
    .optional(),
  LOGISTICS_SENDER_POSTAL_CODE: z
    .string()
    .regex(POSTAL_CODE, 'must be the 6-digit postal code of the office that mails results')
    .optional(),
  /** Street address of the office that mails results; `<province><region name>政务服务中心` by default. */
  LOGISTICS_SENDER_LINE: z.string().trim().min(1).max(200).optional(),
};

export type LogisticsConfig = ReturnType<typeof loadLogisticsConfig>;

/** Base settings plus the carrier's and the sender's; throws ServiceConfigError naming each problem. */
export function loadLogisticsConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadServiceConfig(
    'logistics',
    { HTTP_PORT: 0, GRPC_PORT: 0 },
    logisticsEnvironment,
    env,
  );
  if (config.HTTP_PORT === 0) {
    // A port picked at random could not be in LOGISTICS_PUBLIC_URL, so webhooks would go nowhere.
    throw new ServiceConfigError('logistics', [
      'HTTP_PORT: must be a fixed port, not 0: the carrier posts tracking updates to LOGISTICS_PUBLIC_URL, which leads to it',
    ]);
  }
  return config;
}

/** Where the carrier posts tracking events of `carrier` (e.g. SIM). */
export function webhookUrl(config: Pick<LogisticsConfig, 'LOGISTICS_PUBLIC_URL'>, carrier: string) {
  const base = config.LOGISTICS_PUBLIC_URL.endsWith('/')
    ? config.LOGISTICS_PUBLIC_URL
    : `${config.LOGISTICS_PUBLIC_URL}/`;
  return new URL(`carrier/webhooks/${carrier.toLowerCase()}`, base).toString();
}
