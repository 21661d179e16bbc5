import { describe, expect, it } from 'vitest';
import { ApplicantKind, Channel, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import type { SubmitCaseRequest } from '@tongban/contracts/tongban/intake/v1/intake';
import { IntakeError, type IntakeErrorCode } from '../src/cases/intake-error';
import {
  checkAgainstCatalog,
  checkSubmission,
  requestDigest,
  sha256Of,
} from '../src/cases/submission-checks';
import type { UploadLimits } from '../src/intake-settings';
import {
  catalogFor,
  creditCode,
  HANDLER,
  ORIGIN,
  regionFile,
  residentId,
  retireeSubmit,
  scan,
  upload,
  withWrongCheckDigit,
} from './support';

const origin = regionFile(ORIGIN);
const catalog = catalogFor(regionFile(HANDLER), ORIGIN);
const limits: UploadLimits = {
  materialMaxBytes: 4_096,
  uploadMaxBytes: 8_192,
  maxMaterials: 5,
  contentTypes: ['application/pdf', 'image/jpeg', 'image/png'],
};

const hashesOf = (request: SubmitCaseRequest) =>
  request.materials.map((material) => sha256Of(material.content));
const check = (request: SubmitCaseRequest) =>
  checkSubmission(request, origin, limits, hashesOf(request));
const item = (code: string) => {
  const found = catalog.find((candidate) => candidate.code === code);
  if (!found) throw new Error(`no ${code} in the test catalog`);
  return found;
};

function refusal(work: () => unknown): IntakeError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(IntakeError);
    return error as IntakeError;
  }
  throw new Error('expected a refusal');
}

function expectRefused(work: () => unknown, code: IntakeErrorCode, message?: RegExp): void {
  const error = refusal(work);
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
}

describe('checkSubmission — who applies', () => {
  it('accepts a complete retiree case and normalises what it keeps', () => {
    const id = residentId('42900519580312271');
    const checked = check(
      retireeSubmit({
        applicant: {
          kind: ApplicantKind.APPLICANT_KIND_PERSON,
          identifier: ` ${id.toLowerCase()} `,
          name: ' 王某 ',
          phone: '',
        },
      }),
    );
    expect(checked).toMatchObject({
      handlingRegion: HANDLER,
      partnerName: '潜江市',
      itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
      applicant: { identifier: id, name: '王某' },
    });
    expect(checked.materials.map((material) => material.code)).toEqual([
      'ID_CARD',
      'RETIREMENT_PROOF',
      'BANK_CARD',
    ]);
  });

  it('refuses a resident ID with a wrong check digit, in words the clerk can act on', () => {
    const request = retireeSubmit();
    request.applicant!.identifier = withWrongCheckDigit(residentId());
    expectRefused(() => check(request), 'INTAKE.INVALID_ID_NUMBER', /校验/);
  });

  it('checks an organisation by its unified social credit code, not as a resident ID', () => {
    const organization = {
      kind: ApplicantKind.APPLICANT_KIND_ORGANIZATION,
      identifier: creditCode(),
      name: '驻马店某建筑有限公司',
      phone: '0396-2345678',
    };
    expect(check(retireeSubmit({ applicant: organization })).applicant.kind).toBe(
      ApplicantKind.APPLICANT_KIND_ORGANIZATION,
    );
    const bad = { ...organization, identifier: `${creditCode().slice(0, 17)}0` };
    if (bad.identifier === creditCode()) bad.identifier = `${creditCode().slice(0, 17)}1`;
    expectRefused(() => check(retireeSubmit({ applicant: bad })), 'INTAKE.INVALID_CREDIT_CODE');
    // A valid resident ID is not a credit code.
    expectRefused(
      () => check(retireeSubmit({ applicant: { ...organization, identifier: residentId() } })),
      'INTAKE.INVALID_CREDIT_CODE',
    );
  });

  it('needs the applicant kind, a name and a well-formed phone', () => {
    const applicant = retireeSubmit().applicant!;
    expectRefused(
      () =>
        check(
          retireeSubmit({
            applicant: { ...applicant, kind: ApplicantKind.APPLICANT_KIND_UNSPECIFIED },
          }),
        ),
      'INTAKE.APPLICANT_REQUIRED',
    );
    expectRefused(
      () => check(retireeSubmit({ applicant: { ...applicant, name: '  ' } })),
      'INTAKE.APPLICANT_NAME_REQUIRED',
    );
    expectRefused(
      () => check(retireeSubmit({ applicant: { ...applicant, phone: '12345' } })),
      'INTAKE.INVALID_PHONE',
    );
  });

  it('needs the clerk and the channel', () => {
    expectRefused(() => check(retireeSubmit({ submittedBy: ' ' })), 'INTAKE.CLERK_REQUIRED');
    expectRefused(
      () => check(retireeSubmit({ channel: Channel.CHANNEL_UNSPECIFIED })),
      'INTAKE.CHANNEL_REQUIRED',
    );
  });
});

describe('checkSubmission — where it goes', () => {
  it('accepts only partners of this region, naming them', () => {
    expectRefused(
      () => check(retireeSubmit({ handlingRegion: '110000' })),
      'INTAKE.UNKNOWN_REGION',
      /潜江市（429005）、岳阳市（430600）/,
    );
    expectRefused(
      () => check(retireeSubmit({ handlingRegion: ORIGIN })),
      'INTAKE.UNKNOWN_REGION',
      /本地区/,
    );
    expectRefused(() => check(retireeSubmit({ itemCode: '' })), 'INTAKE.ITEM_REQUIRED');
  });

  it('needs a delivery method, and a complete address only for mail', () => {
    expectRefused(
      () => check(retireeSubmit({ delivery: undefined })),
      'INTAKE.DELIVERY_METHOD_REQUIRED',
    );
    expectRefused(
      () =>
        check(
          retireeSubmit({
            delivery: {
              method: DeliveryMethod.DELIVERY_METHOD_MAIL,
              address: {
                recipient: '王某',
                phone: '13800000000',
                divisionCode: '4117',
                line: '',
                postalCode: '463000',
              },
            },
          }),
        ),
      'INTAKE.MAIL_ADDRESS_INCOMPLETE',
      /所在区县.*详细地址/,
    );
    // An address given with an electronic result is not kept (personal data it does not need).
    const electronic = check(
      retireeSubmit({
        delivery: {
          method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC,
          address: {
            recipient: '王某',
            phone: '13800000000',
            divisionCode: '411702',
            line: '驿城区某路 1 号',
            postalCode: '',
          },
        },
      }),
    );
    expect(electronic.delivery).toEqual({
      method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC,
      address: undefined,
    });
  });

  it('refuses malformed field names and oversized values; the item’s rules come with its catalog', () => {
    expectRefused(
      () => check(retireeSubmit({ fields: { 'Bad Name': 'x' } })),
      'INTAKE.INVALID_FIELD',
    );
    expectRefused(
      () => check(retireeSubmit({ fields: { note: 'x'.repeat(2_001) } })),
      'INTAKE.INVALID_FIELD',
    );
    expect(check(retireeSubmit({ fields: { anything_else: 'kept' } })).fields).toEqual({
      anything_else: 'kept',
    });
  });
});

describe('checkSubmission — uploads', () => {
  const withMaterials = (...materials: ReturnType<typeof upload>[]) => retireeSubmit({ materials });

  const pdf = (bytes: number) => Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(bytes - 5)]);

  it('refuses an empty file and a material without its type', () => {
    expectRefused(
      () => check(withMaterials(upload('ID_CARD', 'application/pdf', Buffer.alloc(0)))),
      'INTAKE.EMPTY_MATERIAL',
    );
    expectRefused(
      () => check(withMaterials(upload(' ', 'application/pdf', pdf(100)))),
      'INTAKE.MATERIAL_CODE_REQUIRED',
    );
  });

  it('refuses a material over the per-material limit, and uploads over the total', () => {
    expect(
      check(withMaterials(upload('ID_CARD', 'application/pdf', pdf(4_096)))).materials,
    ).toHaveLength(1);
    expectRefused(
      () => check(withMaterials(upload('ID_CARD', 'application/pdf', pdf(4_097)))),
      'INTAKE.MATERIAL_TOO_LARGE',
      /第 1 份材料（ID_CARD）大小/,
    );
    expectRefused(
      () =>
        check(
          withMaterials(
            upload('ID_CARD', 'application/pdf', pdf(3_000)),
            upload('RETIREMENT_PROOF', 'application/pdf', pdf(3_000)),
            upload('BANK_CARD', 'application/pdf', pdf(3_000)),
          ),
        ),
      'INTAKE.UPLOAD_TOO_LARGE',
    );
    expectRefused(
      () =>
        check(
          withMaterials(
            ...Array.from({ length: 6 }, () => upload('ID_CARD', 'application/pdf', pdf(10))),
          ),
        ),
      'INTAKE.TOO_MANY_MATERIALS',
    );
  });

  it('accepts only the configured types, and only content that is what it claims', () => {
    expectRefused(
      () => check(withMaterials(upload('ID_CARD', 'text/plain', Buffer.from('scan')))),
      'INTAKE.CONTENT_TYPE_NOT_ALLOWED',
      /application\/pdf、image\/jpeg、image\/png/,
    );
    expectRefused(
      () => check(withMaterials(upload('ID_CARD', 'image/png', scan.jpeg()))),
      'INTAKE.CONTENT_TYPE_MISMATCH',
    );
    expectRefused(
      () =>
        check(withMaterials(upload('ID_CARD', 'application/pdf', Buffer.from('MZ executable')))),
      'INTAKE.CONTENT_TYPE_MISMATCH',
    );
    const normalized = check(withMaterials(upload('ID_CARD', 'Image/JPEG; q=1', scan.jpeg())));
    expect(normalized.materials[0]?.contentType).toBe('image/jpeg');
  });
});

describe('checkAgainstCatalog', () => {
  it('lists every missing mandatory material at once', () => {
    const request = retireeSubmit({ materials: [upload('ID_CARD', 'image/jpeg', scan.jpeg())] });
    expectRefused(
      () => checkAgainstCatalog(item('HPF_RETIREMENT_WITHDRAWAL'), check(request)),
      'INTAKE.MISSING_MATERIAL',
      /退休证或养老金领取证明（RETIREMENT_PROOF）、本人银行卡（BANK_CARD）/,
    );
  });

  it('refuses a material the item does not know', () => {
    const request = retireeSubmit();
    request.materials.push(upload('FOOD_SAFETY_RULES', 'application/pdf', scan.pdf()));
    expectRefused(
      () => checkAgainstCatalog(item('HPF_RETIREMENT_WITHDRAWAL'), check(request)),
      'INTAKE.UNKNOWN_MATERIAL',
      /FOOD_SAFETY_RULES/,
    );
  });

  it('refuses a delivery the item does not offer, listing the ones it does', () => {
    const request = retireeSubmit({
      delivery: {
        method: DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP,
        address: undefined,
      },
    });
    expectRefused(
      () => checkAgainstCatalog(item('HPF_RETIREMENT_WITHDRAWAL'), check(request)),
      'INTAKE.DELIVERY_NOT_ALLOWED',
      /不支持窗口领取，可选：电子证照/,
    );
  });

  it('refuses a required field left out or blank, naming each by its label', () => {
    const { bank_account: _left, ...withoutBankAccount } = retireeSubmit().fields;
    expectRefused(
      () =>
        checkAgainstCatalog(
          item('HPF_RETIREMENT_WITHDRAWAL'),
          check(retireeSubmit({ fields: { ...withoutBankAccount, bank_name: '  ' } })),
        ),
      'INTAKE.MISSING_FIELD',
      /^“离退休提取住房公积金”的申请信息不完整或有误：缺少必填项：收款银行账号（bank_account）、收款银行（bank_name）。/,
    );
    const transfer = retireeSubmit({
      itemCode: 'PENSION_TRANSFER',
      materials: [
        upload('ID_CARD', 'image/jpeg', scan.jpeg()),
        upload('TRANSFER_APPLICATION', 'application/pdf', scan.pdf()),
        upload('CONTRIBUTION_CERTIFICATE', 'application/pdf', scan.pdf()),
      ],
      fields: { insured_since: '1998-07' },
    });
    expectRefused(
      () => checkAgainstCatalog(item('PENSION_TRANSFER'), check(transfer)),
      'INTAKE.MISSING_FIELD',
      /缺少必填项：转出地社保经办机构（transfer_from）。/,
    );
  });

  it('refuses a value outside a field’s options, listing the options', () => {
    expectRefused(
      () =>
        checkAgainstCatalog(
          item('HPF_RETIREMENT_WITHDRAWAL'),
          check(
            retireeSubmit({ fields: { ...retireeSubmit().fields, outstanding_loan: 'MAYBE' } }),
          ),
        ),
      'INTAKE.INVALID_FIELD_VALUE',
      /“是否有未结清的住房公积金贷款”（outstanding_loan）不能填“MAYBE”，可选：否（NO）、是（YES）/,
    );
  });

  it('names every field problem in one refusal, coded by the missing field', () => {
    const { account_number: _left, ...rest } = retireeSubmit().fields;
    const error = refusal(() =>
      checkAgainstCatalog(
        item('HPF_RETIREMENT_WITHDRAWAL'),
        check(retireeSubmit({ fields: { ...rest, withdrawal_reason: 'MOVING' } })),
      ),
    );
    expect(error.code).toBe('INTAKE.MISSING_FIELD');
    expect(error.message).toContain('缺少必填项：住房公积金个人账号（account_number）');
    expect(error.message).toContain('“提取原因”（withdrawal_reason）不能填“MOVING”');
  });

  it('accepts a complete form, optional fields left out and fields the catalog does not define', () => {
    // A field the partner added after this region cached its catalog must not be refused.
    const request = retireeSubmit({
      itemCode: 'PENSION_TRANSFER',
      materials: [
        upload('ID_CARD', 'image/jpeg', scan.jpeg()),
        upload('TRANSFER_APPLICATION', 'application/pdf', scan.pdf()),
        upload('CONTRIBUTION_CERTIFICATE', 'application/pdf', scan.pdf()),
      ],
      fields: { transfer_from: '驻马店市社会保险中心', contribution_months: '180' },
    });
    expect(() => checkAgainstCatalog(item('PENSION_TRANSFER'), check(request))).not.toThrow();
    expect(() =>
      checkAgainstCatalog(item('HPF_RETIREMENT_WITHDRAWAL'), check(retireeSubmit())),
    ).not.toThrow();
  });

  it('names unnamed materials as the catalog does', () => {
    const materials = checkAgainstCatalog(
      item('HPF_RETIREMENT_WITHDRAWAL'),
      check(retireeSubmit()),
    );
    expect(materials.map((material) => material.name)).toEqual([
      '居民身份证',
      '退休证或养老金领取证明',
      '本人银行卡',
    ]);
  });
});

describe('checkSubmission — an agent applies (帮代办)', () => {
  const agent = {
    name: '王小明',
    identifier: residentId('41170219850615123'),
    phone: '13900000000',
    relation: '子女',
    authorizationMaterial: 'AUTHORIZATION',
  };
  const withAgent = (changes: Partial<typeof agent> = {}, withAuthorization = true) => {
    const request = retireeSubmit({ agent: { ...agent, ...changes } });
    if (withAuthorization) {
      request.materials.push(upload('AUTHORIZATION', 'application/pdf', scan.pdf()));
    }
    return request;
  };

  it('keeps a valid agent, normalised, and takes the authorization the catalog does not list', () => {
    const checked = check(withAgent({ identifier: ` ${agent.identifier.toLowerCase()} ` }));
    expect(checked.agent).toEqual(agent);
    const materials = checkAgainstCatalog(item('HPF_RETIREMENT_WITHDRAWAL'), checked);
    expect(materials.map((material) => [material.code, material.name]).at(-1)).toEqual([
      'AUTHORIZATION',
      '授权委托书',
    ]);
  });

  it('refuses an agent without a name, relation or valid phone', () => {
    expectRefused(() => check(withAgent({ name: ' ' })), 'INTAKE.AGENT_NAME_REQUIRED');
    expectRefused(() => check(withAgent({ relation: '' })), 'INTAKE.AGENT_RELATION_REQUIRED');
    expectRefused(() => check(withAgent({ phone: '' })), 'INTAKE.INVALID_AGENT_PHONE');
    expectRefused(() => check(withAgent({ phone: '1390000' })), 'INTAKE.INVALID_AGENT_PHONE');
  });

  it('checks the agent’s resident ID, and refuses the applicant as their own agent', () => {
    expectRefused(
      () => check(withAgent({ identifier: withWrongCheckDigit(agent.identifier) })),
      'INTAKE.INVALID_AGENT_ID',
      /^代办人身份证号码有误：.*校验/,
    );
    expectRefused(
      () => check(withAgent({ identifier: retireeSubmit().applicant!.identifier })),
      'INTAKE.AGENT_IS_APPLICANT',
    );
  });

  it('needs the authorization among the materials, under the code the agent names', () => {
    expectRefused(
      () => check(withAgent({}, false)),
      'INTAKE.AUTHORIZATION_MISSING',
      /AUTHORIZATION/,
    );
    expectRefused(
      () => check(withAgent({ authorizationMaterial: '' })),
      'INTAKE.AUTHORIZATION_MISSING',
    );
    // Only the code the agent names is let through: another unknown code is still refused.
    const other = withAgent();
    other.materials.push(upload('POWER_OF_ATTORNEY', 'application/pdf', scan.pdf()));
    expectRefused(
      () => checkAgainstCatalog(item('HPF_RETIREMENT_WITHDRAWAL'), check(other)),
      'INTAKE.UNKNOWN_MATERIAL',
      /POWER_OF_ATTORNEY/,
    );
  });

  it('never puts the agent’s ID number or phone into a refusal', () => {
    for (const request of [
      withAgent({ identifier: withWrongCheckDigit(agent.identifier) }),
      withAgent({ identifier: retireeSubmit().applicant!.identifier }),
      withAgent({ phone: '1390000' }),
    ]) {
      const error = refusal(() => check(request));
      expect(error.message).not.toContain(request.agent!.identifier.slice(0, 17));
      expect(error.message).not.toContain(request.agent!.phone);
    }
  });
});

describe('checkSubmission — originals collected by mail (邮寄办)', () => {
  const pickup = {
    recipient: '李某',
    phone: '13700000000',
    divisionCode: '411702',
    line: '驿城区某路 8 号',
    postalCode: '463000',
  };
  const catering = (materialsPickup?: typeof pickup) =>
    retireeSubmit({
      itemCode: 'SMALL_CATERING_LICENSE',
      materials: [
        upload('APPLICATION_FORM', 'application/pdf', scan.pdf()),
        upload('BUSINESS_LICENSE', 'image/jpeg', scan.jpeg()),
        upload('PREMISES_LAYOUT', 'application/pdf', scan.pdf()),
        upload('HEALTH_CERTIFICATE', 'image/png', scan.png()),
      ],
      fields: { shop_name: '李记小吃', premises_address: '潜江市园林街道某路 1 号', seats: '20' },
      materialsPickup,
    });

  it('keeps a complete pickup address for an item whose originals the reviewer must see', () => {
    const checked = check(catering(pickup));
    expect(checked.materialsPickup).toEqual(pickup);
    expect(() => checkAgainstCatalog(item('SMALL_CATERING_LICENSE'), checked)).not.toThrow();
    expect(check(catering()).materialsPickup).toBeUndefined();
  });

  it('checks it like a mail address', () => {
    expectRefused(
      () => check(catering({ ...pickup, line: ' ', divisionCode: '41' })),
      'INTAKE.PICKUP_ADDRESS_INCOMPLETE',
      /原件.*所在区县.*详细地址/,
    );
  });

  it('refuses it for an item that needs no originals', () => {
    expectRefused(
      () =>
        checkAgainstCatalog(
          item('HPF_RETIREMENT_WITHDRAWAL'),
          check(retireeSubmit({ materialsPickup: pickup })),
        ),
      'INTAKE.PICKUP_NOT_NEEDED',
      /离退休提取住房公积金/,
    );
  });
});

describe('requestDigest', () => {
  it('is the same for a retry whatever the order of its fields, different for another case', () => {
    const request = retireeSubmit();
    const reordered = {
      ...request,
      fields: Object.fromEntries(Object.entries(request.fields).reverse()),
    };
    expect(requestDigest(reordered, hashesOf(reordered))).toBe(
      requestDigest(request, hashesOf(request)),
    );
    const other = { ...request, fields: { ...request.fields, outstanding_loan: 'YES' } };
    expect(requestDigest(other, hashesOf(other))).not.toBe(
      requestDigest(request, hashesOf(request)),
    );
  });

  it('tells a case with an agent from the same case without one', () => {
    const request = retireeSubmit();
    const byAgent = {
      ...request,
      agent: {
        name: '王小明',
        identifier: residentId('41170219850615123'),
        phone: '13900000000',
        relation: '子女',
        authorizationMaterial: 'AUTHORIZATION',
      },
    };
    expect(requestDigest(byAgent, hashesOf(byAgent))).not.toBe(
      requestDigest(request, hashesOf(request)),
    );
  });
});
