import { describe, expect, it } from 'vitest';
import { loadRegion, RegionFileError } from '../src';
import { minimalRegion, regionDirectory, writeRegionFile } from './support';

const file = (): string => writeRegionFile(regionDirectory(), '411700.yaml', minimalRegion());

describe('loadRegion — endpoint overrides', () => {
  it('keeps the endpoints of the file when nothing overrides them', () => {
    const region = loadRegion(file(), { env: {} });
    expect(region.exchange.listen).toBe('127.0.0.1:7417');
    expect(region.partners[0]?.endpoint).toBe('127.0.0.1:7405');
  });

  it('replaces a partner endpoint from endpointOverrides (tests on random ports)', () => {
    const region = loadRegion(file(), {
      env: {},
      endpointOverrides: { '429005': '127.0.0.1:40123' },
    });
    expect(region.partners[0]?.endpoint).toBe('127.0.0.1:40123');
  });

  it('replaces its own listen address when the map names this region', () => {
    const region = loadRegion(file(), {
      env: {},
      endpointOverrides: { '411700': '127.0.0.1:40999' },
    });
    expect(region.exchange.listen).toBe('127.0.0.1:40999');
  });

  it('lets one map serve every region: codes of strangers are ignored', () => {
    const region = loadRegion(file(), {
      env: {},
      endpointOverrides: {
        '411700': '127.0.0.1:1',
        '429005': '127.0.0.1:2',
        '430600': '127.0.0.1:3',
      },
    });
    expect([region.exchange.listen, region.partners[0]?.endpoint]).toEqual([
      '127.0.0.1:1',
      '127.0.0.1:2',
    ]);
  });

  it('reads TONGBAN_ENDPOINT_<code> from the environment', () => {
    const region = loadRegion(file(), {
      env: {
        TONGBAN_ENDPOINT_429005: 'exchange-qianjiang:7405',
        TONGBAN_ENDPOINT_411700: '0.0.0.0:7417',
      },
    });
    expect(region.partners[0]?.endpoint).toBe('exchange-qianjiang:7405');
    expect(region.exchange.listen).toBe('0.0.0.0:7417');
  });

  it('reads process.env when no env is given', () => {
    process.env.TONGBAN_ENDPOINT_429005 = '127.0.0.1:41000';
    try {
      expect(loadRegion(file()).partners[0]?.endpoint).toBe('127.0.0.1:41000');
    } finally {
      delete process.env.TONGBAN_ENDPOINT_429005;
    }
  });

  it('prefers an explicit override to the environment', () => {
    const region = loadRegion(file(), {
      env: { TONGBAN_ENDPOINT_429005: '127.0.0.1:1111' },
      endpointOverrides: { '429005': '127.0.0.1:2222' },
    });
    expect(region.partners[0]?.endpoint).toBe('127.0.0.1:2222');
  });

  it('ignores an empty environment variable', () => {
    const region = loadRegion(file(), { env: { TONGBAN_ENDPOINT_429005: '' } });
    expect(region.partners[0]?.endpoint).toBe('127.0.0.1:7405');
  });

  it('accepts a bracketed IPv6 address', () => {
    const region = loadRegion(file(), { env: { TONGBAN_ENDPOINT_429005: '[::1]:7405' } });
    expect(region.partners[0]?.endpoint).toBe('[::1]:7405');
  });

  it('names the environment variable whose value is not host:port', () => {
    const load = () => loadRegion(file(), { env: { TONGBAN_ENDPOINT_429005: 'qianjiang' } });
    expect(load).toThrow(RegionFileError);
    expect(load).toThrow(
      'partners[0].endpoint：环境变量 TONGBAN_ENDPOINT_429005 的值“qianjiang”不是 主机:端口（如 127.0.0.1:7405），请修正该覆盖值',
    );
  });

  it('names the override entry whose value is not host:port', () => {
    expect(() =>
      loadRegion(file(), { env: {}, endpointOverrides: { '411700': '127.0.0.1:0' } }),
    ).toThrow('exchange.listen：endpointOverrides["411700"] 的值“127.0.0.1:0”不是 主机:端口');
  });
});
