import { describe, expect, it } from 'vitest';
import { checkRegionNetwork, loadRegion, type Region } from '../src';
import { minimalRegion, regionDirectory, writeRegionFile } from './support';

// Two regions that list each other correctly; each test breaks one thing.
function pair(): [Region, Region] {
  const dir = regionDirectory();
  const zhumadian = loadRegion(writeRegionFile(dir, '411700.yaml', minimalRegion()), { env: {} });
  const data = minimalRegion();
  Object.assign(data, { code: '429005', name: '潜江市', province: '湖北省' });
  Object.assign(data.exchange, {
    listen: '127.0.0.1:7405',
    tlsIdentity: 'exchange.429005.tongban.local',
  });
  data.partners = [
    {
      code: '411700',
      name: '驻马店市',
      endpoint: '127.0.0.1:7417',
      tlsIdentity: 'exchange.411700.tongban.local',
      tlsCa: '411700/ca.crt',
      signingKey: '411700/signing.pub.pem',
    },
  ];
  data.agreements = [{ partner: '411700', items: ['CRANE_DEREGISTRATION'] }];
  const qianjiang = loadRegion(writeRegionFile(dir, '429005.yaml', data), { env: {} });
  return [zhumadian, qianjiang];
}

describe('checkRegionNetwork', () => {
  it('finds nothing wrong with two regions that agree', () => {
    expect(checkRegionNetwork(pair())).toEqual([]);
  });

  it('reports a partnership only one side has', () => {
    const [zhumadian, qianjiang] = pair();
    qianjiang.partners = [];
    expect(checkRegionNetwork([zhumadian, qianjiang])).toEqual([
      '411700.yaml 中的合作地区 429005：429005.yaml 的 partners 中没有 411700，合作须双方都登记',
    ]);
  });

  it('reports an endpoint that is not where the partner listens', () => {
    const [zhumadian, qianjiang] = pair();
    zhumadian.partners[0]!.endpoint = '127.0.0.1:7999';
    expect(checkRegionNetwork([zhumadian, qianjiang])).toEqual([
      '411700.yaml 中的合作地区 429005：endpoint 为 127.0.0.1:7999，而 429005 的交换服务监听 127.0.0.1:7405',
    ]);
  });

  it('does not judge endpoints of a partner listening on every interface', () => {
    const [zhumadian, qianjiang] = pair();
    qianjiang.exchange.listen = '0.0.0.0:7405';
    zhumadian.partners[0]!.endpoint = 'exchange.qianjiang.example:443';
    expect(checkRegionNetwork([zhumadian, qianjiang])).toEqual([]);
  });

  it('reports a TLS identity that differs from the partner’s certificate name', () => {
    const [zhumadian, qianjiang] = pair();
    zhumadian.partners[0]!.tlsIdentity = 'exchange.qianjiang.local';
    expect(checkRegionNetwork([zhumadian, qianjiang])[0]).toContain(
      'tlsIdentity 为 exchange.qianjiang.local，而 429005 的证书名称是 exchange.429005.tongban.local',
    );
  });

  it('reports a partner name that differs from the partner’s own', () => {
    const [zhumadian, qianjiang] = pair();
    zhumadian.partners[0]!.name = '潜江';
    expect(checkRegionNetwork([zhumadian, qianjiang])[0]).toContain(
      'name 为“潜江”，而 429005.yaml 中是“潜江市”',
    );
  });

  it('reports two regions listening on the same address', () => {
    const [zhumadian, qianjiang] = pair();
    qianjiang.exchange.listen = '127.0.0.1:7417';
    zhumadian.partners[0]!.endpoint = '127.0.0.1:7417';
    expect(checkRegionNetwork([zhumadian, qianjiang])).toEqual([
      '411700 与 429005 的交换服务都监听 127.0.0.1:7417',
    ]);
  });

  it('reports a bundle part the handling region does not have or has not agreed to take', () => {
    const [zhumadian, qianjiang] = pair();
    zhumadian.bundles = [
      {
        code: 'CRANE_ALL_IN_ONE',
        name: '起重机械一件事',
        items: [
          { region: '429005', item: 'CRANE_DEREGISTRATION' },
          { region: '429005', item: 'CRANE_USE_REGISTRATION' },
          { region: '429005', item: 'NO_SUCH_ITEM' },
        ],
      },
    ];
    expect(checkRegionNetwork([zhumadian, qianjiang])).toEqual([
      '411700.yaml 中的一件事 CRANE_ALL_IN_ONE 的事项 429005/CRANE_USE_REGISTRATION：429005.yaml 的 agreements 未允许 411700 发送该事项',
      '411700.yaml 中的一件事 CRANE_ALL_IN_ONE 的事项 429005/NO_SUCH_ITEM：429005.yaml 的 items 中没有该事项',
    ]);
  });

  it('does not judge partners outside the set', () => {
    const [zhumadian] = pair();
    expect(checkRegionNetwork([zhumadian])).toEqual([]);
  });
});
