import { findItem, partnerMayRequest } from './region-catalog';
import type { Region } from './region.schema';

/**
 * Contradictions between region files loaded together (the demo regions, a test network): a
 * partnership one side does not know about, or a partner entry that does not match how the
 * partner's exchange actually presents itself, or a one-thing bundle (一件事) with a part the
 * handling region does not have or has not agreed to take. Each message names both regions. Regions outside
 * the set (real partners elsewhere) are not judged. Key paths are not compared: each region
 * resolves them against its own keys directory.
 */
export function checkRegionNetwork(regions: readonly Region[]): string[] {
  const byCode = new Map(regions.map((region) => [region.code, region]));
  const problems: string[] = [];
  for (const region of regions) {
    for (const partner of region.partners) {
      const other = byCode.get(partner.code);
      if (other === undefined) continue;
      const at = `${region.code}.yaml 中的合作地区 ${partner.code}`;
      if (!other.partners.some((back) => back.code === region.code)) {
        problems.push(
          `${at}：${partner.code}.yaml 的 partners 中没有 ${region.code}，合作须双方都登记`,
        );
      }
      if (partner.name !== other.name) {
        problems.push(
          `${at}：name 为“${partner.name}”，而 ${partner.code}.yaml 中是“${other.name}”`,
        );
      }
      // A wildcard listener is reached through an address only the deployment knows.
      if (!isWildcard(other.exchange.listen) && partner.endpoint !== other.exchange.listen) {
        problems.push(
          `${at}：endpoint 为 ${partner.endpoint}，而 ${partner.code} 的交换服务监听 ${other.exchange.listen}`,
        );
      }
      if (partner.tlsIdentity !== other.exchange.tlsIdentity) {
        problems.push(
          `${at}：tlsIdentity 为 ${partner.tlsIdentity}，而 ${partner.code} 的证书名称是 ${other.exchange.tlsIdentity}`,
        );
      }
    }
  }
  for (const region of regions) {
    for (const bundle of region.bundles) {
      for (const part of bundle.items) {
        const handling = byCode.get(part.region);
        if (handling === undefined) continue;
        // Otherwise SubmitBundle would accept a part the handling region refuses on arrival.
        const at = `${region.code}.yaml 中的一件事 ${bundle.code} 的事项 ${part.region}/${part.item}`;
        if (findItem(handling, part.item) === undefined) {
          problems.push(`${at}：${part.region}.yaml 的 items 中没有该事项`);
        } else if (!partnerMayRequest(handling, region.code, part.item)) {
          problems.push(
            `${at}：${part.region}.yaml 的 agreements 未允许 ${region.code} 发送该事项`,
          );
        }
      }
    }
  }
  const listeners = new Map<string, string>();
  for (const region of regions) {
    const first = listeners.get(region.exchange.listen);
    if (first !== undefined) {
      problems.push(`${first} 与 ${region.code} 的交换服务都监听 ${region.exchange.listen}`);
    }
    listeners.set(region.exchange.listen, region.code);
  }
  return problems;
}

function isWildcard(listen: string): boolean {
  const host = listen.slice(0, listen.lastIndexOf(':'));
  return host === '0.0.0.0' || host === '[::]';
}
