import { Inject, Injectable } from '@nestjs/common';
import { toString as qrSvg } from 'qrcode';
import { z } from 'zod';
import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  type PostalAddress,
} from '@tongban/contracts/tongban/case/v1/case';
import {
  Certificate,
  VerificationResult,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import type { GetCatalogResponse } from '@tongban/contracts/tongban/exchange/v1/exchange';
import type { Case, MaterialUpload } from '@tongban/contracts/tongban/intake/v1/intake';
import type * as Api from '../api/console-api';
import { ConsoleContext } from '../console-context';
import { PrismaService } from '../prisma/prisma.service';
import { ConsoleError, invalidRequest } from '../shared/console-error';
import { enumName, enumValue, maskIdentifier } from '../shared/enum-names';
import { parseBody } from '../shared/parse-body';
import { catalogItemView } from './catalog-view';
import { caseSummary, caseView } from './case-view';

/** A file of a multipart upload, as the transport adapter hands it over. */
export interface UploadedFile {
  fieldname: string;
  originalname: string;
  mimetype: string;
  buffer: Buffer;
  size: number;
}

const text = (max: number) => z.string().trim().max(max);
const postalAddress = z.object({
  recipient: text(40).min(1),
  phone: text(20).min(1),
  divisionCode: z.string().regex(/^\d{6}$/, '区划代码应为 6 位数字'),
  line: text(200).min(1),
  postalCode: z.string().regex(/^\d{6}$/, '邮政编码应为 6 位数字'),
});

const application = z.object({
  idempotencyKey: z.uuid('表单编号无效，请刷新页面后重新录入'),
  handlingRegion: z.string().regex(/^\d{6}$/),
  itemCode: text(64).min(1),
  applicant: z.object({
    kind: z.enum(['PERSON', 'ORGANIZATION']),
    identifier: text(18).min(1),
    name: text(100).min(1),
    phone: text(20),
  }),
  delivery: z.object({
    method: z.enum(['ELECTRONIC', 'WINDOW_PICKUP', 'MAIL']),
    address: postalAddress.optional(),
  }),
  fields: z.record(z.string().max(64), z.string().max(2_000)).default({}),
  agent: z
    .object({
      name: text(40).min(1),
      identifier: text(18).min(1),
      phone: text(20).min(1),
      relation: text(20).min(1),
      authorizationMaterial: text(64).min(1),
    })
    .optional(),
  materialsPickup: postalAddress.optional(),
});

const supplementReply = z.object({ round: z.number().int().positive(), note: text(500) });
const surveyReply = z.object({
  round: z.number().int().positive(),
  media: z
    .array(
      z.object({
        checkpoint: text(64).min(1),
        capturedAt: z.iso.datetime({ offset: true }),
        description: text(500),
      }),
    )
    .min(1)
    .max(100),
});
const withdrawal = z.object({ reason: text(500).min(1, '请填写撤回原因') });

/** The window desk's use cases, each a call or two to the region's services. */
@Injectable()
export class DeskService {
  constructor(
    @Inject(ConsoleContext) private readonly context: ConsoleContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
  ) {}

  partners(region: string): Api.PartnersResponse {
    const own = this.context.regions.region(region);
    return {
      partners: [
        { region, name: this.context.regions.name(region) },
        ...(own?.partners ?? []).map((partner) => ({ region: partner.code, name: partner.name })),
      ],
    };
  }

  async catalog(region: string, partner: string): Promise<Api.CatalogResponse> {
    const catalog = await this.catalogOf(region, partner);
    return {
      region: catalog.region,
      regionName: catalog.regionName,
      items: catalog.items.map(catalogItemView),
    };
  }

  async submit(
    region: string,
    staff: Api.Staff,
    applicationJson: unknown,
    files: UploadedFile[],
  ): Promise<Api.CaseResponse> {
    const form = parseBody(
      application,
      parseJsonPart(applicationJson, 'application'),
      '申请信息不完整或有误，请检查后重新提交。',
    );
    const materials = materialUploads(files, 'material:');
    const { intake } = this.context.upstreams.of(region);
    const response = await intake.submitCase(
      {
        idempotencyKey: form.idempotencyKey,
        handlingRegion: form.handlingRegion,
        itemCode: form.itemCode,
        applicant: {
          kind:
            enumValue(ApplicantKind, 'APPLICANT_KIND_', form.applicant.kind) ??
            ApplicantKind.APPLICANT_KIND_UNSPECIFIED,
          identifier: form.applicant.identifier,
          name: form.applicant.name,
          phone: form.applicant.phone,
        },
        materials,
        delivery: {
          method:
            enumValue(DeliveryMethod, 'DELIVERY_METHOD_', form.delivery.method) ??
            DeliveryMethod.DELIVERY_METHOD_UNSPECIFIED,
          address: form.delivery.address,
        },
        channel: Channel.CHANNEL_WINDOW,
        fields: form.fields,
        submittedBy: staff.username,
        agent: form.agent,
        materialsPickup: form.materialsPickup satisfies PostalAddress | undefined,
      },
      { deadlineMs: 30_000 },
    );
    return { case: this.view(requireCase(response.case)) };
  }

  async search(
    region: string,
    query: { query?: string; status?: string; pageToken?: string },
  ): Promise<Api.CaseListResponse> {
    const status =
      query.status === undefined || query.status === ''
        ? undefined
        : enumValue(CaseStatus, 'CASE_STATUS_', query.status);
    if (query.status && status === undefined)
      throw invalidRequest(`没有“${query.status}”这种办件状态。`);
    const response = await this.context.upstreams.of(region).intake.listCases({
      statuses: status === undefined ? [] : [status],
      handlingRegion: '',
      pageSize: 50,
      pageToken: query.pageToken ?? '',
      query: (query.query ?? '').trim().slice(0, 100),
      overdueOnly: false,
    });
    return {
      cases: response.cases.map((item) => caseSummary(item, this.context.regions)),
      nextPageToken: response.nextPageToken,
    };
  }

  async get(region: string, caseId: string): Promise<Api.CaseResponse> {
    return { case: this.view(await this.fetch(region, caseId)) };
  }

  async receipt(region: string, caseId: string): Promise<Api.ReceiptResponse> {
    const item = await this.fetch(region, caseId);
    const catalog = await this.catalogOf(region, item.handlingRegion).catch(() => undefined);
    const catalogItem = catalog?.items.find((entry) => entry.code === item.itemCode);
    const clerk = await this.prisma.staffAccount.findUnique({
      where: { username: item.submittedBy },
    });
    const window = this.context.regions.region(region)?.window;
    const qrPayload = `tongban:case?origin=${encodeURIComponent(item.originRegion)}&id=${encodeURIComponent(item.caseId)}`;
    return {
      receipt: {
        caseId: item.caseId,
        originRegion: item.originRegion,
        originRegionName: this.context.regions.name(item.originRegion),
        handlingRegion: item.handlingRegion,
        handlingRegionName: this.context.regions.name(item.handlingRegion),
        itemCode: item.itemCode,
        itemName: item.itemName,
        department: catalogItem?.department ?? '',
        applicantName: item.applicant?.name ?? '',
        applicantIdentifierMasked: maskIdentifier(item.applicant?.identifier ?? ''),
        ...(item.agent && item.agent.name !== '' ? { agentName: item.agent.name } : {}),
        materials: item.materials.map((m) => ({
          code: m.code,
          name: m.name,
          sizeBytes: m.sizeBytes,
        })),
        deliveryMethod: caseView(item, this.context.regions, () => undefined).delivery.method,
        submittedAt: item.submittedAt?.toISOString() ?? '',
        acceptedBy: clerk?.name ?? item.submittedBy,
        timeLimitWorkingDays: catalogItem?.timeLimitWorkingDays ?? 0,
        windowAddress: window?.line ?? '',
        windowPhone: window?.phone ?? '',
        qrPayload,
        qrSvg: await qrSvg(qrPayload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
      },
    };
  }

  async certificate(region: string, caseId: string): Promise<Api.CertificateResponse> {
    const item = await this.fetch(region, caseId);
    if (item.certificate.length === 0) {
      throw new ConsoleError(404, 'CERTIFICATE.NOT_ISSUED', '该办件尚未出证。');
    }
    const certificate = Certificate.decode(item.certificate);
    const { certificate: certificates } = this.context.upstreams.of(region);
    // Verified now, by this region's certificate service with the issuer's published key: what
    // the clerk sees is checked, not taken from the case record.
    const [verification, rendered] = await Promise.all([
      certificates.verifyCertificate({ certificate }),
      certificates.renderCertificate({ certificate }),
    ]);
    const body = verification.decoded;
    const validUntil = body?.validUntil?.toISOString();
    return {
      certificateId: body?.certificateId ?? item.certificateId,
      certificateType: body?.certificateType ?? '',
      holderName: body?.holderName ?? '',
      issuerRegion: body?.issuerRegion ?? item.handlingRegion,
      issuerRegionName: this.context.regions.name(body?.issuerRegion ?? item.handlingRegion),
      issuedAt: body?.issuedAt?.toISOString() ?? '',
      ...(validUntil ? { validUntil } : {}),
      verificationCode: body?.verificationCode ?? '',
      verification: enumName<Api.VerificationResult>(
        VerificationResult,
        verification.result,
        'VERIFICATION_RESULT_',
        'UNSPECIFIED',
      ),
      verificationDetail: verification.detail,
      html: rendered.html,
    };
  }

  async supplement(
    region: string,
    staff: Api.Staff,
    caseId: string,
    replyJson: unknown,
    files: UploadedFile[],
  ): Promise<Api.CaseResponse> {
    const reply = parseBody(
      supplementReply,
      parseJsonPart(replyJson, 'reply'),
      '补正信息不完整，请检查后重新提交。',
    );
    const response = await this.context.upstreams.of(region).intake.submitSupplement(
      {
        caseId,
        round: reply.round,
        materials: materialUploads(files, 'material:'),
        note: reply.note,
        submittedBy: staff.username,
      },
      { deadlineMs: 30_000 },
    );
    return { case: this.view(requireCase(response.case)) };
  }

  async surveyMedia(
    region: string,
    staff: Api.Staff,
    caseId: string,
    replyJson: unknown,
    files: UploadedFile[],
  ): Promise<Api.CaseResponse> {
    const reply = parseBody(
      surveyReply,
      parseJsonPart(replyJson, 'reply'),
      '踏勘材料信息不完整，请检查后重新提交。',
    );
    const byIndex = new Map<number, UploadedFile>();
    for (const file of files) {
      const match = /^medium:(\d+)$/.exec(file.fieldname);
      if (!match) throw invalidRequest(`无法识别上传的文件“${file.fieldname}”。`);
      byIndex.set(Number(match[1]), file);
    }
    const media = reply.media.map((medium, index) => {
      const file = byIndex.get(index);
      if (!file) throw invalidRequest(`第 ${index + 1} 个踏勘照片或视频没有上传文件。`);
      return {
        checkpoint: medium.checkpoint,
        contentType: file.mimetype,
        content: file.buffer,
        capturedAt: new Date(medium.capturedAt),
        description: medium.description,
      };
    });
    const response = await this.context.upstreams
      .of(region)
      .intake.submitSurveyMedia(
        { caseId, round: reply.round, media, submittedBy: staff.username },
        { deadlineMs: 30_000 },
      );
    return { case: this.view(requireCase(response.case)) };
  }

  async handOver(region: string, staff: Api.Staff, caseId: string): Promise<Api.CaseResponse> {
    const response = await this.context.upstreams
      .of(region)
      .intake.handOverResult({ caseId, handedOverBy: staff.username });
    return { case: this.view(requireCase(response.case)) };
  }

  async withdraw(
    region: string,
    staff: Api.Staff,
    caseId: string,
    body: unknown,
  ): Promise<Api.CaseResponse> {
    const { reason } = parseBody(withdrawal, body, '请填写撤回原因。');
    const response = await this.context.upstreams
      .of(region)
      .intake.withdrawCase({ caseId, reason, withdrawnBy: staff.username });
    return { case: this.view(requireCase(response.case)) };
  }

  private async fetch(region: string, caseId: string): Promise<Case> {
    const response = await this.context.upstreams.of(region).intake.getCase({ caseId });
    return requireCase(response.case);
  }

  private async catalogOf(region: string, partner: string): Promise<GetCatalogResponse> {
    const { directory } = this.context.upstreams.of(region);
    const response =
      partner === region
        ? await directory.getOwnCatalog({})
        : await directory.getPartnerCatalog({ region: partner });
    if (!response.catalog) {
      throw new ConsoleError(
        404,
        'CATALOG.NOT_FOUND',
        `没有${this.context.regions.name(partner)}的事项目录。`,
      );
    }
    return response.catalog;
  }

  private view(item: Case): Api.CaseView {
    return caseView(item, this.context.regions, (traceId) => this.context.traceUrl(traceId));
  }
}

function requireCase(item: Case | undefined): Case {
  if (!item) throw new ConsoleError(502, 'UPSTREAM.FAILED', '办件服务没有返回办件，请稍后重试。');
  return item;
}

/** The JSON part of a multipart form, or a JSON body sent as is. */
function parseJsonPart(value: unknown, part: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw invalidRequest(`表单的“${part}”部分不是有效的 JSON。`);
  }
}

function materialUploads(files: UploadedFile[], prefix: string): MaterialUpload[] {
  const seen = new Set<string>();
  return files.map((file) => {
    if (!file.fieldname.startsWith(prefix)) {
      throw invalidRequest(`无法识别上传的文件“${file.fieldname}”。`);
    }
    const code = file.fieldname.slice(prefix.length);
    if (seen.has(code)) throw invalidRequest(`材料 ${code} 上传了多个文件，请合并为一个文件。`);
    seen.add(code);
    // An empty name lets intake name the material as the catalog does (the receipt lists those).
    return { code, name: '', contentType: file.mimetype, content: file.buffer };
  });
}
