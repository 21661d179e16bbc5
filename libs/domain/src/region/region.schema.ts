import { z } from 'zod';

/*
 * The shape of a region file (deploy/regions/<code>.yaml), documented field by field in
 * libs/domain/README.md. Messages are written for the region administrator who edits the file;
 * checks that span several fields (unknown agreement items, duplicate codes …) live in
 * region-cross-checks.ts.
 */

const text = z.string().trim().min(1, '不能为空');

const divisionCode = z
  .string()
  .regex(/^[1-8]\d{5}$/, '应为 6 位行政区划代码（GB/T 2260），如 "411700"');

// Catalog codes are opaque: national item codes are long digit strings, local ones mnemonics.
const catalogCode = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    '应为 1–64 位字母、数字、下划线、点或连字符，且以字母或数字开头，如 "HPF_RETIREMENT_WITHDRAWAL"',
  );

const fieldName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, '应为小写字母开头的 snake_case 名称，如 "withdrawal_reason"');

const hostPort = z
  .string()
  // abort: a value that is not host:port has no port to range-check.
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, {
    error: '应为 主机:端口，如 "127.0.0.1:7405"',
    abort: true,
  })
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, '端口应在 1–65535 之间');

export const hostPortSchema = hostPort;

const dnsName = z
  .string()
  .regex(
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    '应为证书中的 DNS 名称（小写），如 "exchange.429005.tongban.local"',
  );

// Keys are generated at setup into a keys directory outside the repository; a file names them
// relative to it so that the same file works on every machine, and can never point elsewhere.
const keyPath = z
  .string()
  .regex(
    /^(?!\/)(?![A-Za-z]:)(?!.*\\)(?!(?:.*\/)?\.\.(?:\/|$))[^\0]+$/,
    '应为相对于密钥目录的路径，如 "429005/ca.crt"（不能以 / 开头，不能含 ..）',
  );

const material = z.strictObject({
  code: catalogCode,
  name: text,
  mandatory: z.boolean(),
});

const fieldValue = z.strictObject({
  value: text,
  label: text,
});

const applicationField = z.strictObject({
  name: fieldName,
  label: text,
  required: z.boolean(),
  /** When given, the field only takes one of these values (a select box at the window). */
  values: z.array(fieldValue).min(1, '如列出可选值，至少需要 1 项').optional(),
});

export const APPLICANT_KINDS = ['PERSON', 'ORGANIZATION'] as const;
export type ApplicantKindName = (typeof APPLICANT_KINDS)[number];

/**
 * One condition of an instant rule, as written in YAML: exactly one of
 * `{ field, equals }`, `{ field, in }`, `{ field, present }`, `{ material, present? }`,
 * `{ applicantKind }`. Parsed into the tagged `RuleCondition`.
 */
const conditionInput = z.strictObject({
  field: fieldName.optional(),
  equals: text.optional(),
  in: z.array(text).min(1, '至少需要 1 个值').optional(),
  present: z.boolean().optional(),
  /** Numeric bounds (inclusive) on a field's value, e.g. years of contribution ≥ 15. */
  atLeast: z.number().optional(),
  atMost: z.number().optional(),
  material: catalogCode.optional(),
  applicantKind: z.enum(APPLICANT_KINDS).optional(),
});

const CONDITION_FORMS =
  '条件应为以下形式之一：{ field, equals }、{ field, in: [...] }、{ field, present }、{ field, atLeast?, atMost? }、{ material, present }、{ applicantKind }';

const condition = conditionInput.transform((input, ctx) => {
  const keys = Object.keys(input).filter((key) => input[key as keyof typeof input] !== undefined);
  const only = (...allowed: string[]): boolean => keys.every((key) => allowed.includes(key));
  if (input.applicantKind !== undefined && only('applicantKind')) {
    return { kind: 'applicantKind' as const, applicantKind: input.applicantKind };
  }
  if (input.material !== undefined && only('material', 'present')) {
    return {
      kind: 'materialPresent' as const,
      material: input.material,
      present: input.present ?? true,
    };
  }
  if (input.field !== undefined) {
    if (input.equals !== undefined && only('field', 'equals')) {
      return { kind: 'fieldEquals' as const, field: input.field, value: input.equals };
    }
    if (input.in !== undefined && only('field', 'in')) {
      return { kind: 'fieldIn' as const, field: input.field, values: input.in };
    }
    if (input.present !== undefined && only('field', 'present')) {
      return { kind: 'fieldPresent' as const, field: input.field, present: input.present };
    }
    if (
      (input.atLeast !== undefined || input.atMost !== undefined) &&
      only('field', 'atLeast', 'atMost')
    ) {
      if (
        input.atLeast !== undefined &&
        input.atMost !== undefined &&
        input.atLeast > input.atMost
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `atLeast（${input.atLeast}）不能大于 atMost（${input.atMost}）`,
        });
        return z.NEVER;
      }
      return {
        kind: 'fieldRange' as const,
        field: input.field,
        ...(input.atLeast !== undefined ? { atLeast: input.atLeast } : {}),
        ...(input.atMost !== undefined ? { atMost: input.atMost } : {}),
      };
    }
  }
  ctx.addIssue({
    code: 'custom',
    message: `${CONDITION_FORMS}；这里写的是 { ${keys.join(', ')} }`,
  });
  return z.NEVER;
});

export const RULE_DECISIONS = ['APPROVE', 'REJECT'] as const;

const instantRule = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,63}$/,
      '应为小写字母、数字和连字符组成的规则名，如 "retiree-withdrawal"',
    ),
  description: text,
  /** All must hold; an empty list always holds (a catch-all rule at the end). */
  when: z.array(condition),
  decision: z.enum(RULE_DECISIONS),
  /** Shown to the applicant; required for REJECT (checked across fields). */
  reason: text.optional(),
});

export const HANDLING_MODES = ['INSTANT', 'STANDARD', 'TWO_LEVEL'] as const;
export const DELIVERY_METHODS = ['ELECTRONIC', 'WINDOW_PICKUP', 'MAIL'] as const;

/** Where a renewal starts from when a certificate of this item expires soon (无感智办). */
const renewal = z.strictObject({
  /** The item to apply for; usually a 延续 item of this catalog. */
  item: catalogCode,
  /** How many days before expiry the holder is reminded and offered a pre-filled renewal. */
  remindDaysBefore: z.int().min(1, '应不小于 1').max(365, '应不大于 365'),
});

const item = z.strictObject({
  code: catalogCode,
  name: text,
  department: text,
  mode: z.enum(HANDLING_MODES),
  /** For TWO_LEVEL items: the higher level that approves (the district, after the town). */
  approvalDepartment: text.optional(),
  /** Promised pre-review time (seed 002: 2 days); defaults to the time limit. */
  preReviewWorkingDays: z.int().min(0, '应不小于 0').max(365, '应不大于 365').optional(),
  /** A site survey is part of the review, done remotely with photos and videos (seed 000). */
  surveyRequired: z.boolean().default(false),
  /** The reviewer must see the originals: collected by mail after pre-review (seed 000). */
  originalsRequired: z.boolean().default(false),
  /** The applicant must appear in person somewhere (face check, signature): not 零跑动. */
  inPersonRequired: z.boolean().default(false),
  renewal: renewal.optional(),
  materials: z.array(material),
  /** Promised time limit (承诺时限); 0 for items decided on the spot (即办). */
  timeLimitWorkingDays: z.int().min(0, '应不小于 0').max(365, '应不大于 365'),
  certificateType: text,
  validityDays: z.int().min(1, '应不小于 1').optional(),
  delivery: z.array(z.enum(DELIVERY_METHODS)).min(1, '至少需要 1 种送达方式'),
  fields: z.array(applicationField).default([]),
  rules: z.array(instantRule).optional(),
});

const postalAddress = z.strictObject({
  recipient: text,
  phone: z.string().regex(/^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, '应为手机号或带区号的固定电话'),
  divisionCode,
  line: text,
  postalCode: z.string().regex(/^\d{6}$/, '应为 6 位邮政编码'),
});

const partner = z.strictObject({
  code: divisionCode,
  name: text,
  /** The partner's cross-province window, where results for pickup there are mailed. */
  window: postalAddress.optional(),
  /** host:port of the partner's exchange (gRPC over mutual TLS). */
  endpoint: hostPort,
  /** DNS name the partner's exchange certificate must carry. */
  tlsIdentity: dnsName,
  /** CA that issued the partner's exchange certificate, relative to the keys directory. */
  tlsCa: keyPath,
  /** The partner's Ed25519 public key (PEM), relative to the keys directory. */
  signingKey: keyPath,
});

const agreement = z.strictObject({
  /** The partner that may send cases … */
  partner: divisionCode,
  /** … for these items of this region. */
  items: z.array(catalogCode).min(1, '至少需要 1 个事项；不允许发送任何事项时请删除整条协议'),
});

/** This region's own exchange: where it listens and what it presents to partners. */
const exchange = z.strictObject({
  listen: hostPort,
  tlsIdentity: dnsName,
  tlsCa: keyPath,
  tlsCert: keyPath,
  tlsKey: keyPath,
  /** This region's Ed25519 private key (PEM), relative to the keys directory. */
  signingKey: keyPath,
});

/** A one-thing bundle (一件事, seed 001): several items, one application at this region's window. */
const bundle = z.strictObject({
  code: catalogCode,
  name: text,
  items: z
    .array(z.strictObject({ region: divisionCode, item: catalogCode }))
    .min(2, '一件事至少包含 2 个事项'),
});

export const regionSchema = z.strictObject({
  code: divisionCode,
  name: text,
  province: text,
  /** This region's cross-province window (跨省通办窗口): results for pickup there go here. */
  window: postalAddress.optional(),
  exchange,
  items: z.array(item).min(1, '至少需要 1 个事项'),
  partners: z.array(partner).default([]),
  agreements: z.array(agreement).default([]),
  bundles: z.array(bundle).default([]),
});

export type Region = z.output<typeof regionSchema>;
export type RegionItem = Region['items'][number];
export type ItemMaterial = RegionItem['materials'][number];
export type ApplicationField = RegionItem['fields'][number];
export type InstantRule = NonNullable<RegionItem['rules']>[number];
export type RuleCondition = InstantRule['when'][number];
export type Partner = Region['partners'][number];
export type Agreement = Region['agreements'][number];
export type Bundle = Region['bundles'][number];
export type RegionPostalAddress = z.output<typeof postalAddress>;
export type RegionExchange = Region['exchange'];
export type HandlingModeName = (typeof HANDLING_MODES)[number];
export type DeliveryMethodName = (typeof DELIVERY_METHODS)[number];
export type RuleDecision = (typeof RULE_DECISIONS)[number];
