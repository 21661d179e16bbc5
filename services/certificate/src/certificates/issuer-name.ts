import type { Region } from '@tongban/domain';

/**
 * A region as clerks and verifiers read it on answers and printed pages: our own region or a
 * partner by name with its code, e.g. 驻马店市（411700）; any other region by its code only.
 */
export function issuerName(own: Region, region: string): string {
  if (region === own.code) return `${own.name}（${region}）`;
  const partner = own.partners.find((candidate) => candidate.code === region);
  return partner ? `${partner.name}（${region}）` : `地区 ${region}`;
}
