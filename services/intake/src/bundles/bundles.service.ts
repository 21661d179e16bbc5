import { Inject, Injectable } from '@nestjs/common';
import type { MaterialRef } from '@tongban/contracts/tongban/case/v1/case';
import {
  SubmitCaseRequest,
  type BundleDefinition,
  type BundlePart,
  type SubmitBundleRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import type { Bundle as BundleDefinitionInFile } from '@tongban/domain';
import { ServiceContext } from '@tongban/service-kit';
import { withSpan } from '@tongban/telemetry';
import { PartnerCatalogService } from '../catalog/partner-catalog.service';
import { IntakeError, type IntakeErrorCode } from '../cases/intake-error';
import { idempotencyKeyOf, sha256Of } from '../cases/submission-checks';
import {
  isUniqueViolation,
  SubmissionService,
  type PreparedCase,
} from '../cases/submission.service';
import { IntakeSettings } from '../intake-settings';
import { normalizeContentType } from '../materials/material-content';
import { PrismaService } from '../prisma/prisma.service';
import { WITH_CASES, type BundleWithCases } from './bundle-view';

/**
 * Refusals about what every case of a bundle shares (who applies, how the result is delivered,
 * who submits): named for the bundle, not for the part where they happened to be found first.
 */
const SHARED: ReadonlySet<IntakeErrorCode> = new Set([
  'INTAKE.CLERK_REQUIRED',
  'INTAKE.CHANNEL_REQUIRED',
  'INTAKE.APPLICANT_REQUIRED',
  'INTAKE.APPLICANT_NAME_REQUIRED',
  'INTAKE.INVALID_PHONE',
  'INTAKE.INVALID_ID_NUMBER',
  'INTAKE.INVALID_CREDIT_CODE',
  'INTAKE.DELIVERY_METHOD_REQUIRED',
  'INTAKE.MAIL_ADDRESS_INCOMPLETE',
  'INTAKE.AGENT_NAME_REQUIRED',
  'INTAKE.INVALID_AGENT_ID',
  'INTAKE.AGENT_IS_APPLICANT',
  'INTAKE.INVALID_AGENT_PHONE',
  'INTAKE.AGENT_RELATION_REQUIRED',
  'INTAKE.PICKUP_ADDRESS_INCOMPLETE',
]);

/**
 * One-thing bundles (一件事, seed 001): one application at the window for several items, maybe
 * of several partner regions. Every part is checked like a single case before anything is
 * written; then one transaction records the bundle and all its cases with their CaseSubmitted
 * events — all accepted, or none. Each case then travels to its handling region as usual.
 */
@Injectable()
export class BundlesService {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(IntakeSettings) private readonly settings: IntakeSettings,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(PartnerCatalogService) private readonly catalog: PartnerCatalogService,
    @Inject(SubmissionService) private readonly submission: SubmissionService,
  ) {}

  /**
   * The region's bundles, with each item's name and department from its region's catalog. An
   * item whose catalog cannot be had just now keeps its code only: the other bundles still show.
   */
  async definitions(): Promise<BundleDefinition[]> {
    return Promise.all(
      this.context.region.bundles.map(async (bundle) => ({
        code: bundle.code,
        name: bundle.name,
        items: await Promise.all(
          bundle.items.map(async ({ region, item: itemCode }) => {
            const item = await this.catalogItem(region, itemCode);
            return {
              handlingRegion: region,
              itemCode,
              itemName: item?.name ?? '',
              department: item?.department ?? '',
            };
          }),
        ),
      })),
    );
  }

  async submit(request: SubmitBundleRequest): Promise<BundleWithCases> {
    const key = idempotencyKeyOf(request);
    const digest = bundleDigest(request);
    const earlier = key === '' ? null : await this.findByKey(key);
    if (earlier) return this.replay(earlier, digest);

    const definition = this.definition(request.bundleCode);
    const parts = matchParts(definition, request.parts);
    const total = parts.reduce(
      (sum, part) => sum + part.materials.reduce((bytes, m) => bytes + m.content.length, 0),
      0,
    );
    if (total > this.settings.limits.uploadMaxBytes) {
      throw new IntakeError(
        'INTAKE.UPLOAD_TOO_LARGE',
        `一件事“${definition.name}”的材料合计超过上限 ${String(Math.floor(this.settings.limits.uploadMaxBytes / 1024 / 1024))} MB；请降低扫描分辨率后再提交。`,
      );
    }
    const prepared: PreparedCase[] = [];
    for (const part of parts) {
      prepared.push(await this.preparePart(definition, request, part));
    }
    try {
      return await withSpan('intake.submit-bundle', {}, async (span) => {
        const refs: MaterialRef[][] = [];
        for (const part of prepared)
          refs.push(await this.submission.storeMaterials(part.materials));
        const submittedAt = this.context.clock.now();
        const submittedBy = prepared[0]?.submission.submittedBy ?? '';
        const bundleId = await this.prisma.$transaction(async (tx) => {
          const caseIds: string[] = [];
          while (caseIds.length < prepared.length) {
            caseIds.push(await this.submission.nextCaseNumber(tx, submittedAt));
          }
          // Named after its first case: unique without a counter of its own, and the clerk
          // finds the bundle from any of its case numbers' day and sequence.
          const id = `YJS-${caseIds[0] ?? ''}`;
          span.setAttribute('tongban.bundle_id', id);
          await tx.bundle.create({
            data: {
              id,
              code: definition.code,
              name: definition.name,
              submittedAt,
              submittedBy,
              idempotencyKey: key === '' ? null : key,
              requestSha256: digest,
            },
          });
          for (const [index, part] of prepared.entries()) {
            await this.submission.record(tx, part, refs[index] ?? [], {
              caseId: caseIds[index] ?? '',
              submittedAt,
              idempotencyKey: '',
              bundleId: id,
            });
          }
          return id;
        });
        this.context.logger.info(
          { bundleId, bundleCode: definition.code, cases: prepared.length },
          'bundle accepted',
        );
        return this.get(bundleId);
      });
    } catch (error) {
      if (key !== '' && isUniqueViolation(error)) {
        const winner = await this.findByKey(key);
        if (winner) return this.replay(winner, digest);
      }
      throw error;
    }
  }

  async get(bundleId: string): Promise<BundleWithCases> {
    const bundle = await this.prisma.bundle.findUnique({
      where: { id: bundleId },
      include: WITH_CASES,
    });
    if (!bundle) {
      throw new IntakeError(
        'INTAKE.BUNDLE_NOT_FOUND',
        `一件事申请 ${bundleId.slice(0, 48)} 不存在，请核对编号（形如 YJS-本地区代码-日期-序号）。`,
      );
    }
    return bundle;
  }

  private definition(code: string): BundleDefinitionInFile {
    const definition = this.context.region.bundles.find((bundle) => bundle.code === code.trim());
    if (!definition) {
      const offered = this.context.region.bundles.map(
        (bundle) => `${bundle.name}（${bundle.code}）`,
      );
      throw new IntakeError(
        'INTAKE.BUNDLE_NOT_OFFERED',
        offered.length === 0
          ? `${this.context.region.name}跨省通办窗口暂未开通“一件事”联办。`
          : `${this.context.region.name}没有编码为“${code.slice(0, 64)}”的一件事，可办：${offered.join('、')}。`,
      );
    }
    return definition;
  }

  /** A part checked like a single submit; a refusal names the part and refuses the bundle. */
  private async preparePart(
    definition: BundleDefinitionInFile,
    request: SubmitBundleRequest,
    part: BundlePart,
  ): Promise<PreparedCase> {
    const single = SubmitCaseRequest.fromPartial({
      idempotencyKey: '',
      handlingRegion: part.handlingRegion,
      itemCode: part.itemCode,
      applicant: request.applicant,
      materials: part.materials,
      delivery: request.delivery,
      channel: request.channel,
      fields: part.fields,
      submittedBy: request.submittedBy,
      agent: request.agent,
      materialsPickup: request.materialsPickup,
    });
    try {
      // The originals' pickup address is for the bundle's items that need originals.
      return await this.submission.prepare(single, { pickupWhereNeeded: true });
    } catch (error) {
      if (!(error instanceof IntakeError)) throw error;
      const whole = `一件事“${definition.name}”未受理，所有事项均未提交`;
      if (SHARED.has(error.code)) {
        throw new IntakeError(error.code, `${whole}：${error.message}`);
      }
      const item = await this.catalogItem(part.handlingRegion, part.itemCode);
      const partner = this.partnerName(part.handlingRegion);
      throw new IntakeError(
        error.code,
        `${whole}。其中“${item?.name ?? part.itemCode}”（${partner}）：${error.message}`,
      );
    }
  }

  private async catalogItem(region: string, itemCode: string) {
    try {
      return await this.catalog.item(region, this.partnerName(region), itemCode);
    } catch (error) {
      if (!(error instanceof IntakeError)) throw error;
      this.context.logger.warn(
        { partner: region, itemCode, code: error.code },
        'bundle item not in the partner catalog just now',
      );
      return undefined;
    }
  }

  private partnerName(region: string): string {
    return this.context.region.partners.find((partner) => partner.code === region)?.name ?? region;
  }

  private findByKey(idempotencyKey: string): Promise<BundleWithCases | null> {
    return this.prisma.bundle.findUnique({ where: { idempotencyKey }, include: WITH_CASES });
  }

  private replay(earlier: BundleWithCases, digest: string): BundleWithCases {
    if (earlier.requestSha256 !== digest) {
      throw new IntakeError(
        'INTAKE.IDEMPOTENCY_KEY_REUSED',
        `该重复提交标识已用于一件事申请 ${earlier.id}，而本次内容不同；新的申请请重新发起提交。`,
      );
    }
    return earlier;
  }
}

/**
 * The parts in the definition's order, each item of the definition exactly once. Names every
 * missing, repeated and unknown part at once.
 */
function matchParts(
  definition: BundleDefinitionInFile,
  parts: readonly BundlePart[],
): BundlePart[] {
  const keyOf = (region: string, item: string) => `${region.trim()}/${item.trim()}`;
  const byKey = new Map<string, BundlePart[]>();
  for (const part of parts) {
    const key = keyOf(part.handlingRegion, part.itemCode);
    byKey.set(key, [...(byKey.get(key) ?? []), part]);
  }
  const expected = new Set(definition.items.map((item) => keyOf(item.region, item.item)));
  const missing = definition.items.filter((item) => !byKey.has(keyOf(item.region, item.item)));
  const repeated = [...byKey].filter(([key, found]) => expected.has(key) && found.length > 1);
  const unknown = [...byKey.keys()].filter((key) => !expected.has(key));
  if (missing.length > 0 || repeated.length > 0 || unknown.length > 0) {
    const problems = [
      missing.length > 0
        ? `缺少事项 ${missing.map((item) => `${item.item}（${item.region}）`).join('、')}`
        : '',
      repeated.length > 0 ? `事项 ${repeated.map(([key]) => key).join('、')} 重复填写` : '',
      unknown.length > 0
        ? `事项 ${unknown.map((key) => key.slice(0, 80)).join('、')} 不属于本件事`
        : '',
    ].filter((problem) => problem !== '');
    throw new IntakeError(
      'INTAKE.BUNDLE_PARTS_MISMATCH',
      `一件事“${definition.name}”须按清单每个事项各填一份：${problems.join('；')}。`,
    );
  }
  return definition.items.flatMap((item) => byKey.get(keyOf(item.region, item.item)) ?? []);
}

/** SHA-256 of the canonical bundle request, to tell a retry from another bundle. */
function bundleDigest(request: SubmitBundleRequest): string {
  const sorted = (record: Readonly<Record<string, string>>) =>
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([
    request.bundleCode.trim(),
    request.applicant ?? null,
    request.agent ?? null,
    request.delivery ?? null,
    request.channel,
    request.materialsPickup ?? null,
    request.submittedBy.trim(),
    // Parts in any order are the same application.
    [...request.parts]
      .map((part) => ({
        key: `${part.handlingRegion.trim()}/${part.itemCode.trim()}`,
        materials: part.materials.map((material) => [
          material.code,
          material.name,
          normalizeContentType(material.contentType),
          sha256Of(material.content),
        ]),
        fields: sorted(part.fields),
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  ]);
  return sha256Of(Buffer.from(canonical));
}
