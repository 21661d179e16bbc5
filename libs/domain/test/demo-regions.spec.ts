import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkApplication,
  checkRegionNetwork,
  evaluateInstantRules,
  findItem,
  itemsForPartner,
  loadRegions,
  partnerMayRequest,
  provinceName,
  serviceLists,
  type Region,
} from '../src';

// The demo regions that `npm start` brings up (deploy/regions), loaded as a deployment would.
const REGIONS_DIR = join(__dirname, '../../../deploy/regions');
const regions = loadRegions(REGIONS_DIR, { env: {} });
const region = (code: string): Region => {
  const found = regions.find((candidate) => candidate.code === code);
  if (found === undefined) throw new Error(`demo region ${code} missing`);
  return found;
};

describe('demo regions — the files', () => {
  it('are 驻马店市, 潜江市 and 岳阳市 in their provinces', () => {
    expect(regions.map((r) => [r.code, r.name, r.province])).toEqual([
      ['411700', '驻马店市', '河南省'],
      ['429005', '潜江市', '湖北省'],
      ['430600', '岳阳市', '湖南省'],
    ]);
  });

  it('each have at least one INSTANT and one STANDARD item; 潜江 also a TWO_LEVEL one', () => {
    for (const r of regions) {
      const modes = new Set(r.items.map((item) => item.mode));
      expect([...modes].sort(), r.code).toEqual(
        r.code === '429005' ? ['INSTANT', 'STANDARD', 'TWO_LEVEL'] : ['INSTANT', 'STANDARD'],
      );
    }
  });

  it('name every department after its own city', () => {
    for (const r of regions) {
      for (const item of r.items) expect(item.department.startsWith(r.name), item.code).toBe(true);
    }
  });

  it('listen on distinct default ports: 7417, 7405, 7406', () => {
    expect(regions.map((r) => r.exchange.listen)).toEqual([
      '127.0.0.1:7417',
      '127.0.0.1:7405',
      '127.0.0.1:7406',
    ]);
  });
});

describe('demo regions — a consistent network', () => {
  it('has no contradiction between the files', () => {
    expect(checkRegionNetwork(regions)).toEqual([]);
  });

  it('makes every region a partner of both others, in both directions', () => {
    for (const a of regions) {
      const others = regions.filter((b) => b.code !== a.code).map((b) => b.code);
      expect(a.partners.map((p) => p.code).sort(), a.code).toEqual(others);
      for (const b of regions.filter((r) => r.code !== a.code)) {
        expect(
          b.partners.some((p) => p.code === a.code),
          `${b.code} lists ${a.code}`,
        ).toBe(true);
      }
    }
  });

  it('names TLS identities exchange.<code>.tongban.local, on both sides', () => {
    for (const r of regions) {
      expect(r.exchange.tlsIdentity).toBe(`exchange.${r.code}.tongban.local`);
      for (const p of r.partners) expect(p.tlsIdentity).toBe(`exchange.${p.code}.tongban.local`);
    }
  });

  it('points key paths at the dev keys directory layout <code>/…', () => {
    for (const r of regions) {
      expect(r.exchange).toMatchObject({
        tlsCa: `${r.code}/ca.crt`,
        tlsCert: `${r.code}/exchange.crt`,
        tlsKey: `${r.code}/exchange.key`,
        signingKey: `${r.code}/signing.key.pem`,
      });
      for (const p of r.partners) {
        expect(p).toMatchObject({
          tlsCa: `${p.code}/ca.crt`,
          signingKey: `${p.code}/signing.pub.pem`,
        });
      }
    }
  });

  it('lets each partner send most items, and leaves at least one out somewhere', () => {
    let excluded = 0;
    for (const r of regions) {
      for (const p of r.partners) {
        const allowed = itemsForPartner(r, p.code).length;
        expect(allowed * 2, `${p.code} → ${r.code}`).toBeGreaterThan(r.items.length);
        excluded += r.items.length - allowed;
      }
    }
    expect(excluded).toBeGreaterThan(0);
  });

  it('gives every region code a real province', () => {
    for (const r of regions) expect(provinceName(r.code)).toBe(r.province);
  });

  it('can be pointed at random ports with one override map', () => {
    const ports = {
      '411700': '127.0.0.1:50001',
      '429005': '127.0.0.1:50002',
      '430600': '127.0.0.1:50003',
    };
    const moved = loadRegions(REGIONS_DIR, { env: {}, endpointOverrides: ports });
    expect(checkRegionNetwork(moved)).toEqual([]);
    expect(moved.map((r) => r.exchange.listen)).toEqual(Object.values(ports));
  });
});

describe('demo regions — the seeds as scenarios', () => {
  it('王先生 (seed 003), a 潜江 retiree, withdraws his fund at the 驻马店 window by 秒批', () => {
    const qianjiang = region('429005');
    expect(partnerMayRequest(qianjiang, '411700', 'HPF_RETIREMENT_WITHDRAWAL')).toBe(true);
    const item = findItem(qianjiang, 'HPF_RETIREMENT_WITHDRAWAL')!;
    const application = {
      applicantKind: 'PERSON' as const,
      fields: {
        withdrawal_reason: 'RETIREMENT',
        account_number: '429005000000001',
        bank_account: '6217000000000000000',
        bank_name: '中国建设银行潜江分行',
        outstanding_loan: 'NO',
      },
      materials: ['ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'],
    };
    expect(checkApplication(item, application)).toEqual([]);
    expect(evaluateInstantRules(item, application)).toMatchObject({
      decision: 'APPROVE',
      rule: 'retiree-withdrawal',
    });
  });

  it('a retiree with an unpaid provident-fund loan is told to settle it first', () => {
    const item = findItem(region('429005'), 'HPF_RETIREMENT_WITHDRAWAL')!;
    const decision = evaluateInstantRules(item, {
      applicantKind: 'PERSON',
      fields: { withdrawal_reason: 'RETIREMENT', outstanding_loan: 'YES' },
      materials: ['ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'],
    });
    expect(decision).toMatchObject({ decision: 'REJECT', rule: 'outstanding-loan' });
    expect(decision.reason).toContain('先结清贷款');
  });

  it('陈先生’s construction company (seed 003) deregisters a scrapped crane by 秒批', () => {
    const item = findItem(region('411700'), 'CRANE_DEREGISTRATION')!;
    expect(
      evaluateInstantRules(item, {
        applicantKind: 'ORGANIZATION',
        fields: {
          filing_number: '豫QT-2021-0001',
          machine_type: 'TOWER_CRANE',
          deregistration_reason: 'SCRAPPED',
        },
        materials: ['DEREGISTRATION_FORM', 'FILING_CERTIFICATE', 'DISPOSAL_PROOF'],
      }),
    ).toMatchObject({ decision: 'APPROVE', rule: 'scrapped-or-transferred' });
  });

  it('a person cannot deregister a crane: it belongs to a company', () => {
    const item = findItem(region('411700'), 'CRANE_DEREGISTRATION')!;
    expect(
      evaluateInstantRules(item, { applicantKind: 'PERSON', fields: {}, materials: [] }),
    ).toMatchObject({ decision: 'REJECT', rule: 'person-applicant' });
  });

  it('潜江 has not agreed to take food licences from 驻马店 yet', () => {
    expect(partnerMayRequest(region('429005'), '411700', 'FOOD_BUSINESS_LICENSE')).toBe(false);
    expect(partnerMayRequest(region('429005'), '430600', 'FOOD_BUSINESS_LICENSE')).toBe(true);
  });

  it('no region takes requests from a region it has no partnership with', () => {
    expect(partnerMayRequest(region('429005'), '429004', 'HPF_RETIREMENT_WITHDRAWAL')).toBe(false);
    expect(partnerMayRequest(region('429005'), '429005', 'HPF_RETIREMENT_WITHDRAWAL')).toBe(false);
  });

  it('a small eatery renews its licence by 秒批 only with at most 50 seats (seed 001)', () => {
    const item = findItem(region('429005'), 'SMALL_CATERING_RENEWAL')!;
    const renewal = (seats: string) =>
      evaluateInstantRules(item, {
        applicantKind: 'ORGANIZATION',
        fields: {
          previous_certificate_id: 'JY14290050000001',
          shop_name: '园林小面馆',
          premises_address: '潜江市园林路 8 号',
          seats,
          changed: 'NO',
        },
        materials: [],
      });
    expect(renewal('50')).toMatchObject({ decision: 'APPROVE', rule: 'unchanged-renewal' });
    expect(renewal('51')).toMatchObject({ decision: 'REJECT', rule: 'small-catering-seats' });
    expect(renewal('五十')).toMatchObject({ decision: 'REJECT', rule: 'none' });
  });

  it('puts 潜江’s items on seed 002’s lists as they are handled', () => {
    const lists = (code: string) => serviceLists(findItem(region('429005'), code)!);
    expect(lists('HPF_RETIREMENT_WITHDRAWAL')).toEqual([
      'ZERO_VISIT',
      'ON_THE_SPOT',
      'SIMPLE_APPROVAL',
    ]);
    expect(lists('FUNERAL_SUBSIDY')).toEqual(['ZERO_VISIT']);
    expect(lists('SMALL_CATERING_LICENSE')).toEqual(['ZERO_VISIT']);
    expect(lists('FOOD_BUSINESS_LICENSE')).toEqual([]);
    expect(lists('PENSION_TRANSFER')).toEqual(['ZERO_VISIT', 'SIMPLE_APPROVAL']);
  });

  it('finds nothing for an unknown item code', () => {
    expect(findItem(region('430600'), 'NO_SUCH_ITEM')).toBeUndefined();
    expect(partnerMayRequest(region('430600'), '411700', 'NO_SUCH_ITEM')).toBe(false);
  });
});
