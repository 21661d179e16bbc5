import { chinaDay } from '@tongban/domain';

/** The day part of certificate numbers issued at `instant`: `YYYYMMDD` in China Standard Time. */
export function certificateDay(instant: Date): string {
  return chinaDay(instant).date.replaceAll('-', '');
}

/**
 * The certificate number `<region>-CERT-<yyyymmdd>-<6-digit sequence>`, e.g.
 * `429005-CERT-20261122-000001`: readable on the paper copy and in the origin's timeline, unique
 * across regions (the issuer is in it), and the day matches the printed issue date.
 */
export function formatCertificateNumber(region: string, day: string, sequence: number): string {
  return `${region}-CERT-${day}-${String(sequence).padStart(6, '0')}`;
}
