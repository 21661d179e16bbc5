import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/*
 * Synthetic identifiers for tests. The check characters are computed here, from the standards'
 * formulas written out independently of src/, so a test fails if either side gets them wrong.
 * No real person's or company's number appears in the tests.
 */

/** GB 11643-1999: check = (12 − Σ aᵢ·2^(17−i) mod 11) mod 11, 10 written as X. */
export function syntheticResidentId(address: string, birth: string, sequence: string): string {
  const body = `${address}${birth}${sequence}`;
  if (!/^\d{17}$/.test(body)) throw new Error(`bad synthetic id body ${body}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (2 ** (17 - i) % 11);
  const check = (12 - (sum % 11)) % 11;
  return body + (check === 10 ? 'X' : String(check));
}

const USCC = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/**
 * GB 32100-2015 with a GB 11714 organisation code: `authority`+`category`, a 6-digit division,
 * an 8-character organisation code body; both check characters are appended.
 */
export function syntheticCreditCode(prefix: string, division: string, body8: string): string {
  let orgSum = 0;
  [3, 7, 9, 10, 5, 8, 4, 2].forEach((weight, i) => {
    const c = body8.charAt(i);
    orgSum += (/\d/.test(c) ? Number(c) : c.charCodeAt(0) - 'A'.charCodeAt(0) + 10) * weight;
  });
  const orgCheck = 11 - (orgSum % 11);
  const first17 = `${prefix}${division}${body8}${orgCheck === 10 ? 'X' : orgCheck === 11 ? '0' : String(orgCheck)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC.indexOf(first17.charAt(i)) * (3 ** i % 31);
  return first17 + USCC.charAt((31 - (sum % 31)) % 31);
}

/** The same string with the character at `index` replaced by the next one of `alphabet`. */
export function withCharacterChanged(value: string, index: number, alphabet: string): string {
  const next = alphabet.charAt((alphabet.indexOf(value.charAt(index)) + 1) % alphabet.length);
  return value.slice(0, index) + next + value.slice(index + 1);
}

/** A fresh temporary directory for region files. */
export function regionDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'tongban-regions-'));
}

/** Writes `content` (YAML text, or an object to serialise) as `<dir>/<name>` and returns the path. */
export function writeRegionFile(dir: string, name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

/** A small valid region (as YAML data) that each test breaks in one place. */
export function minimalRegion(): Record<string, unknown> & {
  items: Record<string, unknown>[];
  partners: Record<string, unknown>[];
  agreements: Record<string, unknown>[];
  exchange: Record<string, unknown>;
} {
  return {
    code: '411700',
    name: '驻马店市',
    province: '河南省',
    exchange: {
      listen: '127.0.0.1:7417',
      tlsIdentity: 'exchange.411700.tongban.local',
      tlsCa: '411700/ca.crt',
      tlsCert: '411700/exchange.crt',
      tlsKey: '411700/exchange.key',
      signingKey: '411700/signing.key.pem',
    },
    items: [
      {
        code: 'CRANE_DEREGISTRATION',
        name: '建筑起重机械注销备案',
        department: '驻马店市住房和城乡建设局',
        mode: 'INSTANT',
        materials: [{ code: 'FILING_CERTIFICATE', name: '建筑起重机械备案证明', mandatory: true }],
        timeLimitWorkingDays: 1,
        certificateType: '建筑起重机械注销备案证明',
        delivery: ['ELECTRONIC'],
        fields: [
          {
            name: 'deregistration_reason',
            label: '注销原因',
            required: true,
            values: [
              { value: 'SCRAPPED', label: '报废' },
              { value: 'OTHER', label: '其他' },
            ],
          },
        ],
        rules: [
          {
            name: 'scrapped',
            description: '产权单位因报废注销备案',
            when: [
              { applicantKind: 'ORGANIZATION' },
              { field: 'deregistration_reason', equals: 'SCRAPPED' },
              { material: 'FILING_CERTIFICATE', present: true },
            ],
            decision: 'APPROVE',
          },
        ],
      },
      {
        code: 'CRANE_USE_REGISTRATION',
        name: '建筑起重机械使用登记',
        department: '驻马店市住房和城乡建设局',
        mode: 'STANDARD',
        materials: [],
        timeLimitWorkingDays: 5,
        certificateType: '建筑起重机械使用登记证明',
        delivery: ['MAIL', 'WINDOW_PICKUP'],
      },
    ],
    partners: [
      {
        code: '429005',
        name: '潜江市',
        endpoint: '127.0.0.1:7405',
        tlsIdentity: 'exchange.429005.tongban.local',
        tlsCa: '429005/ca.crt',
        signingKey: '429005/signing.pub.pem',
      },
    ],
    agreements: [{ partner: '429005', items: ['CRANE_DEREGISTRATION'] }],
  };
}
