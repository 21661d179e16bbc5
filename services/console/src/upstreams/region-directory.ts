import path from 'node:path';
import { loadRegion, type Region } from '@tongban/domain';

/**
 * What the console knows from the region files of the regions it serves: their names, their
 * partners (and the partners' names), and the cross-province window's address for receipts.
 */
export class RegionDirectory {
  private readonly regions = new Map<string, Region>();
  private readonly names = new Map<string, string>();

  constructor(regionsDir: string, served: readonly string[]) {
    for (const code of served) {
      const region = loadRegion(path.join(regionsDir, `${code}.yaml`));
      this.regions.set(code, region);
      this.names.set(code, region.name);
      for (const partner of region.partners) {
        if (!this.names.has(partner.code)) this.names.set(partner.code, partner.name);
      }
    }
  }

  get served(): string[] {
    return [...this.regions.keys()];
  }

  region(code: string): Region | undefined {
    return this.regions.get(code);
  }

  /** The region's name, or its code when no file the console read names it. */
  name(code: string): string {
    return this.names.get(code) ?? code;
  }
}
