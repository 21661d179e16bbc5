import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import {
  ApplicantKind,
  Channel,
  DeliveryMethod,
  ServiceList,
} from '@tongban/contracts/tongban/case/v1/case';
import {
  DirectoryServiceService,
  type DirectoryServiceServer,
} from '@tongban/contracts/tongban/exchange/v1/directory';
import type { CatalogItem } from '@tongban/contracts/tongban/exchange/v1/exchange';
import { MaterialUpload, SubmitCaseRequest } from '@tongban/contracts/tongban/intake/v1/intake';
import {
  creditCodeCheckCharacter,
  itemsForPartner,
  loadRegion,
  organizationCodeCheckCharacter,
  residentIdCheckCharacter,
  serviceLists,
  toDeliveryMethod,
  toHandlingMode,
  type Region,
} from '@tongban/domain';
import { GrpcHost } from '@tongban/service-kit';

export const ORIGIN = '411700';
export const HANDLER = '429005';
export const repo = path.resolve(__dirname, '../../..');

export function regionFile(code: string): Region {
  return loadRegion(path.join(repo, `deploy/regions/${code}.yaml`));
}

/** A synthetic resident ID (no real person's number), valid check digit. */
export function residentId(body17 = '42900519580312271'): string {
  return body17 + residentIdCheckCharacter(body17);
}

/** The same ID with a wrong last character. */
export function withWrongCheckDigit(id: string): string {
  const wrong = '0123456789X'.split('').find((c) => c !== id.charAt(17)) ?? '0';
  return id.slice(0, 17) + wrong;
}

/** A synthetic unified social credit code (enterprise registered in 驻马店), both checks valid. */
export function creditCode(body8 = 'MA45B7Q2'): string {
  const first17 = `91411700${body8}${organizationCodeCheckCharacter(body8)}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** Scans as a window's scanner produces them: real signatures, unique content per call. */
export const scan = {
  jpeg: () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(256)]),
  pdf: () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(256)]),
  png: () =>
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(256),
    ]),
  /** An MP4 as phones record it: a 32-byte `ftyp` box (brand isom), then media data. */
  mp4: () =>
    Buffer.concat([
      Buffer.from([0x00, 0x00, 0x00, 0x20]),
      Buffer.from('ftypisom'),
      Buffer.alloc(20),
      randomBytes(256),
    ]),
};

export function upload(code: string, contentType: string, content: Buffer): MaterialUpload {
  return MaterialUpload.fromPartial({ code, name: '', contentType, content });
}

/** 王先生's retirement withdrawal at the 驻马店 window (seed 003), complete and valid. */
export function retireeSubmit(overrides: Partial<SubmitCaseRequest> = {}): SubmitCaseRequest {
  return SubmitCaseRequest.fromPartial({
    idempotencyKey: '',
    handlingRegion: HANDLER,
    itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
    applicant: {
      kind: ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: residentId(),
      name: '王某',
      phone: '13800000000',
    },
    materials: [
      upload('ID_CARD', 'image/jpeg', scan.jpeg()),
      upload('RETIREMENT_PROOF', 'application/pdf', scan.pdf()),
      upload('BANK_CARD', 'image/png', scan.png()),
    ],
    delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
    channel: Channel.CHANNEL_WINDOW,
    fields: {
      withdrawal_reason: 'RETIREMENT',
      account_number: '4290050001',
      bank_account: '6222000011112222',
      bank_name: '中国工商银行潜江支行',
      outstanding_loan: 'NO',
    },
    submittedBy: 'zmd-window-07',
    ...overrides,
  });
}

/** What a partner's exchange publishes to `partner`: its items in the agreement. */
export function catalogFor(handler: Region, partner: string): CatalogItem[] {
  return itemsForPartner(handler, partner).map((item) => ({
    code: item.code,
    name: item.name,
    department: item.department,
    mode: toHandlingMode(item.mode),
    materials: item.materials.map((material) => ({ ...material })),
    timeLimitWorkingDays: item.timeLimitWorkingDays,
    certificateType: item.certificateType,
    deliveryMethods: item.delivery.map(toDeliveryMethod),
    preReviewWorkingDays: item.preReviewWorkingDays ?? item.timeLimitWorkingDays,
    surveyRequired: item.surveyRequired,
    originalsRequired: item.originalsRequired,
    lists: serviceLists(item).map((list) => ServiceList[`SERVICE_LIST_${list}`]),
    approvalDepartment: item.approvalDepartment ?? '',
    fields: item.fields.map((field) => ({
      name: field.name,
      label: field.label,
      required: field.required,
      values: (field.values ?? []).map((value) => ({ ...value })),
    })),
  }));
}

/**
 * The region's exchange DirectoryService as intake sees it, served over real grpc-js: the
 * catalogs of the reachable partners for 411700 from their region files (429005 by default);
 * every other partner unreachable.
 */
export async function startDirectory(reachable: readonly string[] = [HANDLER]): Promise<{
  address: string;
  calls: Map<string, number>;
  stop: () => Promise<void>;
}> {
  const calls = new Map<string, number>();
  const implementation: DirectoryServiceServer = {
    getPartnerCatalog: (call, callback) => {
      const region = call.request.region;
      calls.set(region, (calls.get(region) ?? 0) + 1);
      if (!reachable.includes(region)) {
        const error: Partial<ServiceError> = {
          code: status.UNAVAILABLE,
          details: `partner ${region} unreachable`,
        };
        callback(error);
        return;
      }
      const handler = regionFile(region);
      callback(null, {
        catalog: {
          region,
          regionName: handler.name,
          items: catalogFor(handler, ORIGIN),
          publishedAt: new Date(),
        },
      });
    },
    getPartnerKeys: (_call, callback) => {
      callback({ code: status.UNIMPLEMENTED, details: 'not used by intake' });
    },
    getOwnCatalog: (_call, callback) => {
      callback({ code: status.UNIMPLEMENTED, details: 'not used by intake' });
    },
  };
  const host = new GrpcHost(() => true);
  host.addService(DirectoryServiceService, implementation);
  const port = await host.start('127.0.0.1', 0);
  return { address: `127.0.0.1:${String(port)}`, calls, stop: () => host.stop(1_000) };
}
