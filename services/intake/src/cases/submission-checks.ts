import { createHash } from 'node:crypto';
import {
  ApplicantKind,
  Channel,
  DeliveryMethod,
  type Agent,
  type Applicant,
  type Delivery,
  type PostalAddress,
} from '@tongban/contracts/tongban/case/v1/case';
import type { CatalogItem } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type {
  MaterialUpload,
  SubmitCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { validateCreditCode, validateResidentId, type Region } from '@tongban/domain';
import type { UploadLimits } from '../intake-settings';
import { contentMatchesType, normalizeContentType } from '../materials/material-content';
import { IntakeError, refuse, type IntakeErrorCode } from './intake-error';

/** A material as the window handed it in, checked and hashed but not yet stored. */
export interface CheckedMaterial {
  readonly code: string;
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly sha256: string;
}

/** A submit request that passed every check this region can make on its own. */
export interface CheckedSubmission {
  readonly handlingRegion: string;
  readonly partnerName: string;
  readonly itemCode: string;
  readonly applicant: Applicant;
  readonly delivery: Delivery;
  readonly channel: Channel;
  readonly fields: Readonly<Record<string, string>>;
  readonly materials: readonly CheckedMaterial[];
  readonly submittedBy: string;
  /** Set when an agent applies on the applicant's behalf (帮代办). */
  readonly agent?: Agent;
  /** Where the carrier collects the originals (邮寄办); only for items that need them. */
  readonly materialsPickup?: PostalAddress;
}

const MAX_IDEMPOTENCY_KEY = 128;
const MAX_FIELDS = 100;
const MAX_FIELD_VALUE = 2_000;
const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/;
// A mainland mobile number, or a landline with its area code.
const PHONE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const DIVISION_CODE = /^[1-9]\d{5}$/;
const MAX_RELATION = 32;
const POSTAL_CODE = /^\d{6}$/;

const MiB = 1024 * 1024;
const megabytes = (bytes: number) => `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MB`;

/** The window's retry key, trimmed; empty when the window sent none. */
export function idempotencyKeyOf(request: { readonly idempotencyKey: string }): string {
  const key = request.idempotencyKey.trim();
  if (key.length > MAX_IDEMPOTENCY_KEY) {
    throw new IntakeError(
      'INTAKE.INVALID_IDEMPOTENCY_KEY',
      `重复提交标识过长（最多 ${String(MAX_IDEMPOTENCY_KEY)} 个字符），请联系系统管理员检查窗口软件。`,
    );
  }
  return key;
}

/**
 * SHA-256 over a canonical form of the request (fields sorted, materials by content hash), so a
 * retried submit is recognised whatever order its map entries arrive in, and a different case
 * sent under a reused key is not mistaken for a retry.
 */
export function requestDigest(
  request: SubmitCaseRequest,
  materialHashes: readonly string[],
): string {
  const canonical = JSON.stringify([
    request.handlingRegion.trim(),
    request.itemCode.trim(),
    request.applicant
      ? [
          request.applicant.kind,
          request.applicant.identifier.trim().toUpperCase(),
          request.applicant.name.trim(),
          request.applicant.phone.trim(),
        ]
      : null,
    request.materials.map((material, index) => [
      material.code,
      material.name,
      normalizeContentType(material.contentType),
      materialHashes[index],
    ]),
    request.delivery ? [request.delivery.method, request.delivery.address ?? null] : null,
    request.channel,
    Object.entries(request.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    request.submittedBy.trim(),
    // Appended only when given, so that the digest of a case without them stays what it was.
    ...(request.agent
      ? [
          [
            'agent',
            request.agent.name.trim(),
            request.agent.identifier.trim().toUpperCase(),
            request.agent.phone.trim(),
            request.agent.relation.trim(),
            request.agent.authorizationMaterial.trim(),
          ],
        ]
      : []),
    ...(request.materialsPickup ? [['materials_pickup', request.materialsPickup]] : []),
  ]);
  return sha256Of(Buffer.from(canonical));
}

export function sha256Of(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Everything this region can check without asking the partner (形式审查 part one): who submits,
 * who applies (ID check digit / credit code check character), which partner, how the result is
 * delivered, the fields' shape and the uploads' count, size and type. Cheap checks run first so a
 * mistyped ID is refused even while the exchange is down.
 */
export function checkSubmission(
  request: SubmitCaseRequest,
  region: Region,
  limits: UploadLimits,
  materialHashes: readonly string[],
): CheckedSubmission {
  const submittedBy = request.submittedBy.trim();
  if (submittedBy === '') {
    refuse('INTAKE.CLERK_REQUIRED', '缺少受理人账号，请重新登录窗口系统后再提交。');
  }
  if (request.channel === Channel.CHANNEL_UNSPECIFIED || request.channel === Channel.UNRECOGNIZED) {
    refuse('INTAKE.CHANNEL_REQUIRED', '请注明受理渠道：窗口、网上或自助终端。');
  }
  const applicant = checkApplicant(request.applicant);
  const handlingRegion = request.handlingRegion.trim();
  const partner = region.partners.find((candidate) => candidate.code === handlingRegion);
  if (!partner) {
    refuse(
      'INTAKE.UNKNOWN_REGION',
      handlingRegion === ''
        ? '请选择事项的办理地。'
        : handlingRegion === region.code
          ? `办理地 ${handlingRegion} 是本地区（${region.name}），本地事项请在本地业务系统受理，不走跨省通办。`
          : `${handlingRegion} 不是${region.name}的跨省通办合作地区，可选：${region.partners
              .map((candidate) => `${candidate.name}（${candidate.code}）`)
              .join('、')}。`,
    );
  }
  const itemCode = request.itemCode.trim();
  if (itemCode === '') refuse('INTAKE.ITEM_REQUIRED', '请选择要办理的事项。');
  const delivery = checkDelivery(request.delivery);
  const fields = checkFields(request.fields);
  const materials = checkMaterialUploads(request.materials, limits, materialHashes);
  const agent = request.agent ? checkAgent(request.agent, applicant, materials) : undefined;
  const materialsPickup = request.materialsPickup
    ? checkAddress(
        request.materialsPickup,
        'INTAKE.PICKUP_ADDRESS_INCOMPLETE',
        '原件由快递上门收取，取件信息须完整，请补全或更正',
      )
    : undefined;
  return {
    handlingRegion,
    partnerName: partner.name,
    itemCode,
    applicant,
    delivery,
    channel: request.channel,
    fields,
    materials,
    submittedBy,
    ...(agent ? { agent } : {}),
    ...(materialsPickup ? { materialsPickup } : {}),
  };
}

/**
 * The rest of 形式审查, against the partner's published catalog: every mandatory material is
 * there, none the item does not know, the item offers the chosen delivery, and the application
 * fields are as the item defines them. Reports every missing or unknown material at once, so the
 * clerk collects them in one go, and every field problem at once, so the form is corrected once.
 */
export function checkAgainstCatalog(
  item: CatalogItem,
  submission: CheckedSubmission,
): CheckedMaterial[] {
  const handedIn = new Set(submission.materials.map((material) => material.code));
  const missing = item.materials.filter(
    (material) => material.mandatory && !handedIn.has(material.code),
  );
  if (missing.length > 0) {
    refuse(
      'INTAKE.MISSING_MATERIAL',
      `“${item.name}”缺少必交材料：${missing
        .map((material) => `${material.name}（${material.code}）`)
        .join('、')}。请收取后再提交。`,
    );
  }
  const known = new Map(item.materials.map((material) => [material.code, material]));
  // The authorization an agent hands in belongs to every item, listed in its catalog or not.
  const authorization = submission.agent?.authorizationMaterial;
  const unknown = [...handedIn].filter((code) => !known.has(code) && code !== authorization);
  if (unknown.length > 0) {
    refuse(
      'INTAKE.UNKNOWN_MATERIAL',
      `“${item.name}”不需要材料 ${unknown.join('、')}，请检查材料类型是否选错。可交材料：${item.materials
        .map((material) => `${material.name}（${material.code}）`)
        .join('、')}。`,
    );
  }
  if (!item.deliveryMethods.includes(submission.delivery.method)) {
    refuse(
      'INTAKE.DELIVERY_NOT_ALLOWED',
      `“${item.name}”不支持${deliveryLabel(submission.delivery.method)}，可选：${item.deliveryMethods
        .map(deliveryLabel)
        .join('、')}。`,
    );
  }
  if (submission.materialsPickup && !item.originalsRequired) {
    refuse(
      'INTAKE.PICKUP_NOT_NEEDED',
      `“${item.name}”不需要寄送原件，请删除原件取件地址后再提交。`,
    );
  }
  checkFieldsAgainstCatalog(item, submission.fields);
  // The catalog's name is the one the handling region's reviewer knows the material by.
  return submission.materials.map((material) => ({
    ...material,
    name:
      material.name !== ''
        ? material.name
        : material.code === authorization && !known.has(material.code)
          ? '授权委托书'
          : (known.get(material.code)?.name ?? material.code),
  }));
}

/**
 * The application fields against the item's field definitions: every required field filled in,
 * every value of a field with a list of options one of them. All problems in one refusal, coded
 * by the first kind found (a missing field before a wrong value), each naming the field by the
 * label the clerk sees on the form. INVALID_ARGUMENT like an incomplete mail address: the form as
 * filled in is incomplete, and filling it in is the remedy.
 *
 * Fields the item does not define are accepted and travel on as they are: the window builds its
 * form from the partner's catalog as the directory serves it now, while this check reads a copy
 * cached for a while (and a partner on an older exchange may publish fewer fields or none), so a
 * field the partner has just added must not be refused as unknown. Nothing relies on undefined
 * fields: the handling region's rules may only name fields its catalog defines, and a renewal
 * copies only the fields its item asks for. (@tongban/domain's checkApplication refuses them and
 * needs the handling region's own item, which intake does not have: hence this sibling.)
 */
export function checkFieldsAgainstCatalog(
  item: CatalogItem,
  fields: Readonly<Record<string, string>>,
): void {
  // Own properties only: a field named like an Object.prototype member must not read one.
  const valueOf = (name: string) =>
    (Object.hasOwn(fields, name) ? fields[name]?.trim() : undefined) ?? '';
  const missing = item.fields.filter((field) => field.required && valueOf(field.name) === '');
  const invalid = item.fields.flatMap((field) => {
    const value = valueOf(field.name);
    if (value === '' || field.values.length === 0) return [];
    if (field.values.some((option) => option.value === value)) return [];
    return [
      `“${field.label}”（${field.name}）不能填“${value.slice(0, 64)}”，可选：${field.values
        .map((option) => `${option.label}（${option.value}）`)
        .join('、')}`,
    ];
  });
  const problems = [
    missing.length > 0
      ? `缺少必填项：${missing.map((field) => `${field.label}（${field.name}）`).join('、')}`
      : '',
    ...invalid,
  ].filter((problem) => problem !== '');
  if (problems.length > 0) {
    refuse(
      missing.length > 0 ? 'INTAKE.MISSING_FIELD' : 'INTAKE.INVALID_FIELD_VALUE',
      `“${item.name}”的申请信息不完整或有误：${problems.join('；')}。请补全或更正后再提交。`,
    );
  }
}

export function deliveryLabel(method: DeliveryMethod): string {
  switch (method) {
    case DeliveryMethod.DELIVERY_METHOD_ELECTRONIC:
      return '电子证照（不寄送）';
    case DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP:
      return '窗口领取';
    case DeliveryMethod.DELIVERY_METHOD_MAIL:
      return '邮寄送达';
    default:
      return '未知方式';
  }
}

function checkApplicant(applicant: Applicant | undefined): Applicant {
  if (
    !applicant ||
    (applicant.kind !== ApplicantKind.APPLICANT_KIND_PERSON &&
      applicant.kind !== ApplicantKind.APPLICANT_KIND_ORGANIZATION)
  ) {
    refuse(
      'INTAKE.APPLICANT_REQUIRED',
      '请注明申请人类型：个人（居民身份证）或单位（统一社会信用代码）。',
    );
  }
  const name = applicant.name.trim();
  if (name === '') refuse('INTAKE.APPLICANT_NAME_REQUIRED', '请填写申请人姓名或单位名称。');
  const person = applicant.kind === ApplicantKind.APPLICANT_KIND_PERSON;
  const checked = person
    ? validateResidentId(applicant.identifier)
    : validateCreditCode(applicant.identifier);
  if (!checked.ok) {
    // The domain's message says what is wrong (length, province, birth date, check digit)
    // without revealing the expected check character.
    refuse(person ? 'INTAKE.INVALID_ID_NUMBER' : 'INTAKE.INVALID_CREDIT_CODE', checked.message);
  }
  const phone = applicant.phone.trim();
  if (phone !== '' && !PHONE.test(phone)) {
    refuse('INTAKE.INVALID_PHONE', '申请人联系电话格式不正确：手机号 11 位，固定电话请带区号。');
  }
  return { kind: applicant.kind, identifier: checked.normalized, name, phone };
}

/**
 * The agent (帮代办): who they are (a valid resident ID that is not the applicant's), how to reach
 * them, how they relate to the applicant, and the applicant's signed authorization among the
 * materials. Their identifier and phone are personal data: never logged, never in a message.
 */
function checkAgent(
  agent: Agent,
  applicant: Applicant,
  materials: readonly CheckedMaterial[],
): Agent {
  const name = agent.name.trim();
  if (name === '') {
    refuse('INTAKE.AGENT_NAME_REQUIRED', '请填写代办人姓名（与代办人身份证一致）。');
  }
  const id = validateResidentId(agent.identifier);
  if (!id.ok) refuse('INTAKE.INVALID_AGENT_ID', `代办人身份证号码有误：${id.message}`);
  if (
    applicant.kind === ApplicantKind.APPLICANT_KIND_PERSON &&
    id.normalized === applicant.identifier
  ) {
    refuse(
      'INTAKE.AGENT_IS_APPLICANT',
      '代办人与申请人是同一人：本人申请时请不要填写代办人；确为他人代办的，请核对代办人身份证号码。',
    );
  }
  const phone = agent.phone.trim();
  if (!PHONE.test(phone)) {
    refuse(
      'INTAKE.INVALID_AGENT_PHONE',
      '请填写代办人联系电话（手机号 11 位，固定电话请带区号），办理地审核时可能需要联系代办人。',
    );
  }
  const relation = agent.relation.trim();
  if (relation === '' || relation.length > MAX_RELATION) {
    refuse(
      'INTAKE.AGENT_RELATION_REQUIRED',
      `请填写代办人与申请人的关系（不超过 ${String(MAX_RELATION)} 个字），如“子女”“受托人”“帮办代办员”。`,
    );
  }
  const authorizationMaterial = agent.authorizationMaterial.trim();
  if (authorizationMaterial === '') {
    refuse(
      'INTAKE.AUTHORIZATION_MISSING',
      '代办须提交申请人签字的授权委托书：请上传授权委托书，并注明其材料类型。',
    );
  }
  if (!materials.some((material) => material.code === authorizationMaterial)) {
    refuse(
      'INTAKE.AUTHORIZATION_MISSING',
      `代办须提交申请人签字的授权委托书，但材料中没有类型为 ${authorizationMaterial.slice(0, 64)} 的文件：请扫描上传授权委托书，或更正代办人信息中注明的材料类型。`,
    );
  }
  return { name, identifier: id.normalized, phone, relation, authorizationMaterial };
}

function checkDelivery(delivery: Delivery | undefined): Delivery {
  const method = delivery?.method ?? DeliveryMethod.DELIVERY_METHOD_UNSPECIFIED;
  if (
    method === DeliveryMethod.DELIVERY_METHOD_UNSPECIFIED ||
    method === DeliveryMethod.UNRECOGNIZED
  ) {
    refuse('INTAKE.DELIVERY_METHOD_REQUIRED', '请选择结果领取方式：电子证照、窗口领取或邮寄。');
  }
  // An address is personal data: it travels to the partner only when something is mailed.
  if (method !== DeliveryMethod.DELIVERY_METHOD_MAIL) return { method, address: undefined };
  return {
    method,
    address: checkAddress(
      delivery?.address,
      'INTAKE.MAIL_ADDRESS_INCOMPLETE',
      '邮寄送达须填写完整的收件信息，请补全或更正',
    ),
  };
}

function checkAddress(
  address: PostalAddress | undefined,
  code: IntakeErrorCode,
  problemIntro: string,
): PostalAddress {
  const trimmed = {
    recipient: address?.recipient.trim() ?? '',
    phone: address?.phone.trim() ?? '',
    divisionCode: address?.divisionCode.trim() ?? '',
    line: address?.line.trim() ?? '',
    postalCode: address?.postalCode.trim() ?? '',
  };
  const problems = [
    trimmed.recipient === '' ? '收件人' : undefined,
    PHONE.test(trimmed.phone) ? undefined : '收件人电话（手机号 11 位，固定电话带区号）',
    DIVISION_CODE.test(trimmed.divisionCode) ? undefined : '所在区县（6 位行政区划代码）',
    trimmed.line === '' ? '详细地址' : undefined,
    trimmed.postalCode === '' || POSTAL_CODE.test(trimmed.postalCode)
      ? undefined
      : '邮政编码（6 位数字）',
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    refuse(code, `${problemIntro}：${problems.join('、')}。`);
  }
  return trimmed;
}

function checkFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(fields);
  if (entries.length > MAX_FIELDS) {
    refuse(
      'INTAKE.INVALID_FIELD',
      `申请项过多（最多 ${String(MAX_FIELDS)} 项），请检查是否选错了事项。`,
    );
  }
  const checked: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!FIELD_NAME.test(name)) {
      refuse(
        'INTAKE.INVALID_FIELD',
        `申请项名称“${name.slice(0, 64)}”无效，请联系系统管理员检查窗口软件。`,
      );
    }
    if (value.length > MAX_FIELD_VALUE) {
      refuse(
        'INTAKE.INVALID_FIELD',
        `申请项 ${name} 的内容过长（最多 ${String(MAX_FIELD_VALUE)} 个字符）。`,
      );
    }
    checked[name] = value.trim();
  }
  return checked;
}

/** Count, size and type of the materials of one submit (a case, or a supplement round). */
export function checkMaterialUploads(
  uploads: readonly MaterialUpload[],
  limits: UploadLimits,
  materialHashes: readonly string[],
): CheckedMaterial[] {
  if (uploads.length > limits.maxMaterials) {
    refuse(
      'INTAKE.TOO_MANY_MATERIALS',
      `一次最多提交 ${String(limits.maxMaterials)} 份材料，本次 ${String(uploads.length)} 份；请合并扫描件后再提交。`,
    );
  }
  let total = 0;
  return uploads.map((material, index) => {
    const code = material.code.trim();
    const label = `第 ${String(index + 1)} 份材料${code === '' ? '' : `（${code}）`}`;
    if (code === '') refuse('INTAKE.MATERIAL_CODE_REQUIRED', `${label}未选择材料类型。`);
    if (material.content.length === 0) {
      refuse('INTAKE.EMPTY_MATERIAL', `${label}是空文件，请重新扫描或上传。`);
    }
    if (material.content.length > limits.materialMaxBytes) {
      refuse(
        'INTAKE.MATERIAL_TOO_LARGE',
        `${label}大小 ${megabytes(material.content.length)}，超过单份材料上限 ${megabytes(limits.materialMaxBytes)}；请降低扫描分辨率或分页提交。`,
      );
    }
    total += material.content.length;
    if (total > limits.uploadMaxBytes) {
      refuse(
        'INTAKE.UPLOAD_TOO_LARGE',
        `材料合计超过单件上限 ${megabytes(limits.uploadMaxBytes)}；请降低扫描分辨率后再提交。`,
      );
    }
    const contentType = normalizeContentType(material.contentType);
    if (!limits.contentTypes.includes(contentType)) {
      refuse(
        'INTAKE.CONTENT_TYPE_NOT_ALLOWED',
        `${label}的文件类型“${contentType || '未注明'}”不可接收，可接收：${limits.contentTypes.join('、')}。`,
      );
    }
    if (!contentMatchesType(material.content, contentType)) {
      refuse(
        'INTAKE.CONTENT_TYPE_MISMATCH',
        `${label}的内容不是声明的 ${contentType} 文件，请确认上传的是扫描件本身。`,
      );
    }
    return {
      code,
      name: material.name.trim(),
      contentType,
      content: material.content,
      sha256: materialHashes[index] ?? sha256Of(material.content),
    };
  });
}
