import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegion, loadRegions, RegionFileError } from '../src';
import { minimalRegion, regionDirectory, writeRegionFile } from './support';

const noEnv = { env: {} };

/** Loads `content` as 411700.yaml and returns the error it must raise. */
function problemsOf(content: unknown, name = '411700.yaml'): RegionFileError {
  const file = writeRegionFile(regionDirectory(), name, content);
  try {
    loadRegion(file, noEnv);
  } catch (error) {
    if (error instanceof RegionFileError) return error;
    throw error;
  }
  throw new Error('expected the region file to be refused');
}

describe('loadRegion — a valid file', () => {
  it('returns a typed region with defaults filled in', () => {
    const file = writeRegionFile(regionDirectory(), '411700.yaml', minimalRegion());
    const region = loadRegion(file, noEnv);
    expect(region.code).toBe('411700');
    expect(region.items[1]?.fields).toEqual([]);
    expect(region.items[0]?.rules?.[0]?.when).toEqual([
      { kind: 'applicantKind', applicantKind: 'ORGANIZATION' },
      { kind: 'fieldEquals', field: 'deregistration_reason', value: 'SCRAPPED' },
      { kind: 'materialPresent', material: 'FILING_CERTIFICATE', present: true },
    ]);
  });

  it('reads a material condition without `present` as "handed in"', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as { when: unknown[] }[])[0]!.when = [{ material: 'FILING_CERTIFICATE' }];
    const region = loadRegion(writeRegionFile(regionDirectory(), '411700.yaml', data), noEnv);
    expect(region.items[0]?.rules?.[0]?.when).toEqual([
      { kind: 'materialPresent', material: 'FILING_CERTIFICATE', present: true },
    ]);
  });

  it('accepts a region without partners or agreements (a region that only receives nothing yet)', () => {
    const data: Record<string, unknown> = minimalRegion();
    delete data.partners;
    delete data.agreements;
    const region = loadRegion(writeRegionFile(regionDirectory(), '411700.yaml', data), noEnv);
    expect(region.partners).toEqual([]);
    expect(region.agreements).toEqual([]);
  });
});

describe('loadRegion — the file itself', () => {
  it('names a missing file', () => {
    const file = join(regionDirectory(), '411700.yaml');
    expect(() => loadRegion(file, noEnv)).toThrow(RegionFileError);
    expect(() => loadRegion(file, noEnv)).toThrow(`区域文件 ${file} 有 1 处错误`);
    expect(() => loadRegion(file, noEnv)).toThrow(/无法读取区域文件/);
  });

  it('reports a YAML syntax error with its line', () => {
    const error = problemsOf('code: "411700"\nname: 驻马店市\nitems: [\n  - oops\n');
    expect(error.code).toBe('REGION.INVALID_FILE');
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/YAML 语法错误/);
  });

  it('refuses a key written twice', () => {
    const error = problemsOf('code: "411700"\ncode: "429005"\n');
    expect(error.problems[0]).toMatchObject({ line: 2 });
    expect(error.message).toMatch(/YAML 语法错误/);
  });

  it('refuses a file named after another region', () => {
    const error = problemsOf(minimalRegion(), '429005.yaml');
    expect(error.problems[0]).toMatchObject({ path: 'code', line: 1 });
    expect(error.message).toContain('文件名表明这是 429005 的区域文件，但 code 写的是 411700');
  });
});

describe('loadRegion — schema errors name the path, the line and the fix', () => {
  it('asks for quotes when a code was written as a number', () => {
    const text = 'code: 411700\nname: 驻马店市\n';
    const error = problemsOf(text);
    expect(error.problems).toContainEqual(
      expect.objectContaining({
        path: 'code',
        line: 1,
        message: '应为文本，请加引号，如 "411700"',
      }),
    );
  });

  it('names a missing required field at its parent', () => {
    const data = minimalRegion();
    delete data.items[0]!.department;
    const error = problemsOf(data);
    expect(error.problems).toEqual([
      expect.objectContaining({ path: 'items[0].department', message: '缺少此项（必填）' }),
    ]);
    expect(error.problems[0]?.line).toBeDefined();
  });

  it('catches a misspelt field name', () => {
    const data = minimalRegion();
    data.items[1]!.timeLimitWorkDays = 5;
    const error = problemsOf(data);
    expect(error.message).toContain('items[1]：不认识的字段：timeLimitWorkDays');
  });

  it('lists the allowed handling modes', () => {
    const data = minimalRegion();
    data.items[1]!.mode = 'MANUAL';
    expect(problemsOf(data).message).toContain('items[1].mode：应为以下之一：INSTANT、STANDARD');
  });

  it('lists the allowed delivery methods', () => {
    const data = minimalRegion();
    data.items[1]!.delivery = ['EMS'];
    expect(problemsOf(data).message).toContain(
      'items[1].delivery[0]：应为以下之一：ELECTRONIC、WINDOW_PICKUP、MAIL',
    );
  });

  it('refuses a negative time limit and a fractional one', () => {
    const data = minimalRegion();
    data.items[1]!.timeLimitWorkingDays = -1;
    expect(problemsOf(data).message).toContain('items[1].timeLimitWorkingDays：应不小于 0');
    data.items[1]!.timeLimitWorkingDays = 2.5;
    expect(problemsOf(data).message).toContain('items[1].timeLimitWorkingDays：应为整数');
  });

  it('refuses a region code that is not a GB/T 2260 code', () => {
    const data = minimalRegion();
    data.code = '4117';
    expect(problemsOf(data).message).toContain('code：应为 6 位行政区划代码（GB/T 2260）');
  });

  it('refuses an endpoint without a valid port', () => {
    const data = minimalRegion();
    data.partners[0]!.endpoint = '127.0.0.1';
    expect(problemsOf(data).message).toContain('partners[0].endpoint：应为 主机:端口');
    data.partners[0]!.endpoint = '127.0.0.1:70000';
    expect(problemsOf(data).message).toContain('partners[0].endpoint：端口应在 1–65535 之间');
  });

  it('refuses a TLS identity that is not a DNS name', () => {
    const data = minimalRegion();
    data.partners[0]!.tlsIdentity = 'Exchange 429005';
    expect(problemsOf(data).message).toContain('partners[0].tlsIdentity：应为证书中的 DNS 名称');
  });

  it.each([
    '/etc/tongban/429005/ca.crt',
    '../429005/ca.crt',
    '429005/../../ca.crt',
    'C:/keys/ca.crt',
  ])('refuses the key path %s, which leaves the keys directory', (path) => {
    const data = minimalRegion();
    data.partners[0]!.tlsCa = path;
    expect(problemsOf(data).message).toContain('partners[0].tlsCa：应为相对于密钥目录的路径');
  });

  it('refuses a rule condition that mixes forms, and shows the allowed forms', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as { when: unknown[] }[])[0]!.when = [
      { field: 'deregistration_reason', equals: 'SCRAPPED', in: ['OTHER'] },
    ];
    const message = problemsOf(data).message;
    expect(message).toContain('items[0].rules[0].when[0]：条件应为以下形式之一');
    expect(message).toContain('这里写的是 { field, equals, in }');
  });

  it('refuses an unknown applicant kind in a condition', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as { when: unknown[] }[])[0]!.when = [{ applicantKind: 'COMPANY' }];
    expect(problemsOf(data).message).toContain(
      'items[0].rules[0].when[0].applicantKind：应为以下之一：PERSON、ORGANIZATION',
    );
  });

  it('reports every problem of the file at once, each with its line', () => {
    const data = minimalRegion();
    data.name = '';
    data.items[1]!.mode = 'MANUAL';
    data.partners[0]!.endpoint = 'nowhere';
    const error = problemsOf(data);
    expect(error.problems.map((problem) => problem.path)).toEqual([
      'name',
      'items[1].mode',
      'partners[0].endpoint',
    ]);
    expect(error.problems.every((problem) => typeof problem.line === 'number')).toBe(true);
    expect(error.message.split('\n')[0]).toMatch(/有 3 处错误/);
  });

  it('points at the exact line of a nested value', () => {
    const text = [
      'code: "411700"', // 1
      'name: 驻马店市', // 2
      'province: 河南省', // 3
      'exchange:', // 4
      '  listen: 127.0.0.1:7417', // 5
      '  tlsIdentity: exchange.411700.tongban.local', // 6
      '  tlsCa: 411700/ca.crt', // 7
      '  tlsCert: 411700/exchange.crt', // 8
      '  tlsKey: 411700/exchange.key', // 9
      '  signingKey: 411700/signing.key.pem', // 10
      'items:', // 11
      '  - code: CRANE_USE_REGISTRATION', // 12
      '    name: 建筑起重机械使用登记', // 13
      '    department: 驻马店市住房和城乡建设局', // 14
      '    mode: STANDARD', // 15
      '    materials: []', // 16
      '    timeLimitWorkingDays: 5', // 17
      '    certificateType: 建筑起重机械使用登记证明', // 18
      '    delivery: [MAIL, FAX]', // 19
    ].join('\n');
    const error = problemsOf(text);
    expect(error.problems).toEqual([
      {
        file: expect.stringMatching(/411700\.yaml$/) as unknown,
        path: 'items[0].delivery[1]',
        line: 19,
        message: '应为以下之一：ELECTRONIC、WINDOW_PICKUP、MAIL',
      },
    ]);
    expect(error.message).toContain('第 19 行 items[0].delivery[1]：');
  });
});

describe('loadRegion — cross-checks', () => {
  it('refuses an agreement item that the region does not have', () => {
    const data = minimalRegion();
    data.agreements[0]!.items = ['CRANE_DEREGISTRATION', 'HPF_RETIREMENT_WITHDRAWAL'];
    expect(problemsOf(data).message).toContain(
      'agreements[0].items[1]：事项 HPF_RETIREMENT_WITHDRAWAL 不在本地区的 items 中',
    );
  });

  it('refuses an agreement with a region that is not a partner', () => {
    const data = minimalRegion();
    data.agreements.push({ partner: '430600', items: ['CRANE_DEREGISTRATION'] });
    expect(problemsOf(data).message).toContain(
      'agreements[1].partner：430600 不在 partners 中；请先在 partners 中登记该合作地区',
    );
  });

  it('refuses two agreements with the same partner', () => {
    const data = minimalRegion();
    data.agreements.push({ partner: '429005', items: ['CRANE_USE_REGISTRATION'] });
    expect(problemsOf(data).message).toContain('agreements[1].partner：与 429005 的协议重复');
  });

  it('refuses an item listed twice in one agreement', () => {
    const data = minimalRegion();
    data.agreements[0]!.items = ['CRANE_DEREGISTRATION', 'CRANE_DEREGISTRATION'];
    expect(problemsOf(data).message).toContain(
      'agreements[0].items[1]：事项 CRANE_DEREGISTRATION 在本协议中重复列出',
    );
  });

  it('refuses duplicate item codes', () => {
    const data = minimalRegion();
    data.items[1]!.code = 'CRANE_DEREGISTRATION';
    expect(problemsOf(data).message).toContain(
      'items[1].code：事项编码 CRANE_DEREGISTRATION 重复，items[0] 已使用',
    );
  });

  it('refuses duplicate partners', () => {
    const data = minimalRegion();
    data.partners.push({ ...data.partners[0]! });
    expect(problemsOf(data).message).toContain('partners[1].code：合作地区 429005 重复');
  });

  it('refuses the region as its own partner', () => {
    const data = minimalRegion();
    data.partners[0]!.code = '411700';
    data.agreements = [];
    expect(problemsOf(data).message).toContain('partners[0].code：不能把本地区列为自己的合作地区');
  });

  it('refuses an INSTANT item without rules', () => {
    const data = minimalRegion();
    delete data.items[0]!.rules;
    expect(problemsOf(data).message).toContain(
      'items[0].rules：秒批（INSTANT）事项必须配置至少 1 条规则',
    );
  });

  it('refuses an INSTANT item with an empty rule list', () => {
    const data = minimalRegion();
    data.items[0]!.rules = [];
    expect(problemsOf(data).message).toContain(
      'items[0].rules：秒批（INSTANT）事项必须配置至少 1 条规则',
    );
  });

  it('refuses rules on a STANDARD item instead of silently ignoring them', () => {
    const data = minimalRegion();
    data.items[1]!.rules = data.items[0]!.rules;
    expect(problemsOf(data).message).toContain(
      'items[1].rules：人工审批（STANDARD、TWO_LEVEL）事项不使用秒批规则',
    );
  });

  it('refuses a REJECT rule without a reason for the applicant', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as Record<string, unknown>[])[0]!.decision = 'REJECT';
    expect(problemsOf(data).message).toContain(
      'items[0].rules[0].reason：不予批准（REJECT）的规则必须写明 reason',
    );
  });

  it('refuses a rule named "none", which means "no rule matched"', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as Record<string, unknown>[])[0]!.name = 'none';
    expect(problemsOf(data).message).toContain('items[0].rules[0].name：规则名 none 保留');
  });

  it('refuses a condition on a field the item does not define', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as { when: unknown[] }[])[0]!.when = [
      { field: 'machine_type', present: true },
    ];
    expect(problemsOf(data).message).toContain(
      'items[0].rules[0].when[0].field：事项 CRANE_DEREGISTRATION 的 fields 中没有申请字段 machine_type',
    );
  });

  it('refuses a condition on a material the item does not list', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as { when: unknown[] }[])[0]!.when = [
      { material: 'ID_CARD', present: true },
    ];
    expect(problemsOf(data).message).toContain(
      'items[0].rules[0].when[0].material：事项 CRANE_DEREGISTRATION 的 materials 中没有材料 ID_CARD',
    );
  });

  it('refuses a condition value that the field can never take', () => {
    const data = minimalRegion();
    (data.items[0]!.rules as { when: unknown[] }[])[0]!.when = [
      { field: 'deregistration_reason', in: ['SCRAPPED', 'SOLD'] },
    ];
    expect(problemsOf(data).message).toContain(
      'items[0].rules[0].when[0].in：SOLD 不是申请字段 deregistration_reason 的可选值（可选：SCRAPPED、OTHER）',
    );
  });

  it('refuses duplicate material codes, field names and field values within an item', () => {
    const data = minimalRegion();
    const first = data.items[0]!;
    first.materials = [...(first.materials as unknown[]), (first.materials as unknown[])[0]];
    first.fields = [
      ...(first.fields as Record<string, unknown>[]),
      { name: 'deregistration_reason', label: '重复', required: false },
    ];
    const message = problemsOf(data).message;
    expect(message).toContain(
      'items[0].materials[1].code：材料编码 FILING_CERTIFICATE 在事项 CRANE_DEREGISTRATION 中重复',
    );
    expect(message).toContain(
      'items[0].fields[1].name：申请字段 deregistration_reason 在事项 CRANE_DEREGISTRATION 中重复',
    );
  });

  it('refuses a province that does not match the region code', () => {
    const data = minimalRegion();
    data.province = '湖北省';
    expect(problemsOf(data).message).toContain(
      'province：地区代码 411700 属于河南省，这里写的是“湖北省”',
    );
  });
});

describe('loadRegions', () => {
  it('loads every .yaml file of a directory, ordered by code, and ignores other files', () => {
    const dir = regionDirectory();
    const other = minimalRegion();
    Object.assign(other, { code: '430600', name: '岳阳市', province: '湖南省' });
    writeRegionFile(dir, '430600.yaml', other);
    writeRegionFile(dir, '411700.yaml', minimalRegion());
    writeRegionFile(dir, 'README.md', '# not a region');
    expect(loadRegions(dir, noEnv).map((region) => region.code)).toEqual(['411700', '430600']);
  });

  it('reports the problems of every broken file together, each with its file', () => {
    const dir = regionDirectory();
    const broken = minimalRegion();
    broken.province = '湖北省';
    const file1 = writeRegionFile(dir, '411700.yaml', broken);
    const file2 = writeRegionFile(dir, '430600.yaml', 'code: [');
    let error: unknown;
    try {
      loadRegions(dir, noEnv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RegionFileError);
    const { problems, message } = error as RegionFileError;
    expect(problems.map((problem) => problem.file)).toEqual([file1, file2]);
    expect(message.split('\n')[0]).toBe('2 个区域文件共有 2 处错误，请修改后重新启动：');
    expect(message).toContain(`${file1} 第 3 行 province：`);
  });

  it('says so when the directory has no region file', () => {
    expect(() => loadRegions(regionDirectory(), noEnv)).toThrow(/目录中没有 \*\.yaml 区域文件/);
  });

  it('says so when the directory does not exist', () => {
    expect(() => loadRegions(join(regionDirectory(), 'missing'), noEnv)).toThrow(
      /无法读取区域目录/,
    );
  });
});
