// What the windows of the demo regions hand in for the handling scenarios: synthetic but valid
// applicants, agents and materials for the items of deploy/regions/*.yaml.
import { ApplicantKind, Channel, DeliveryMethod } from '@tongban/contracts/tongban/case/v1/case';
import type {
  Case,
  MaterialUpload,
  SubmitCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { residentIdCheckCharacter, statusLabel } from '@tongban/domain';
import { eventually } from '@tongban/testing';
import { expect } from 'vitest';
import type { RegionNetwork } from '../pipeline/region-network';

/** A synthetic resident ID with a correct GB 11643 check digit, unique per `sequence`. */
export function residentId(birth: string, sequence: number): string {
  const first17 = `411722${birth}${String(sequence % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** The first bytes of a baseline JPEG (SOI + JFIF APP0) and its end marker. */
export function jpeg(label: string): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0'),
    Buffer.from(label),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** An MP4 file's leading `ftyp` box. */
export function mp4(label: string): Buffer {
  const box = Buffer.alloc(24);
  box.writeUInt32BE(24, 0);
  box.write('ftypisom', 4, 'latin1');
  box.writeUInt32BE(0x200, 12);
  box.write('isomiso2', 16, 'latin1');
  return Buffer.concat([box, Buffer.from(label)]);
}

export function pdfs(...codes: string[]): MaterialUpload[] {
  return codes.map((code) => ({ code, name: code, contentType: 'application/pdf', content: PDF }));
}

let counter = 0;

/** A window's request with everything shared; the item's parts come from `overrides`. */
export function application(
  overrides: Partial<SubmitCaseRequest> & Pick<SubmitCaseRequest, 'itemCode'>,
): SubmitCaseRequest {
  counter += 1;
  return {
    idempotencyKey: `e2e-handling-${String(Date.now())}-${String(counter)}`,
    handlingRegion: '429005',
    applicant: {
      kind: ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: residentId('19600101', counter),
      name: '王建国',
      phone: '13800000000',
    },
    materials: [],
    delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC, address: undefined },
    channel: Channel.CHANNEL_WINDOW,
    fields: {},
    submittedBy: 'zmd-window-01',
    agent: undefined,
    materialsPickup: undefined,
    ...overrides,
  };
}

export const ZHUMADIAN_HOME = {
  recipient: '王建国',
  phone: '13800000000',
  divisionCode: '411702',
  line: '驻马店市驿城区解放路1号',
  postalCode: '463000',
};

export function retireeWithdrawal(fields: Record<string, string> = {}): SubmitCaseRequest {
  return application({
    itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
    materials: pdfs('ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'),
    fields: {
      withdrawal_reason: 'RETIREMENT',
      account_number: '4290050001',
      bank_account: '6222000011112222',
      bank_name: '中国工商银行潜江支行',
      outstanding_loan: 'NO',
      ...fields,
    },
  });
}

export function pensionTransfer(overrides: Partial<SubmitCaseRequest> = {}): SubmitCaseRequest {
  return application({
    itemCode: 'PENSION_TRANSFER',
    materials: pdfs('ID_CARD', 'TRANSFER_APPLICATION', 'CONTRIBUTION_CERTIFICATE'),
    fields: { transfer_from: '驻马店市社会保险中心' },
    ...overrides,
  });
}

export async function waitForCase(
  network: RegionNetwork,
  origin: string,
  caseId: string,
  until: (found: Case) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<Case> {
  return eventually(
    async () => {
      const { case: found } = await network.intake(origin).getCase({ caseId });
      if (!found || !until(found)) {
        expect(`${what} (not yet: ${describe(found)})`).toBe(what);
        throw new Error(`${what}: not yet`);
      }
      return found;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export function waitForStatus(
  network: RegionNetwork,
  origin: string,
  caseId: string,
  wanted: CaseStatus,
  timeoutMs?: number,
): Promise<Case> {
  return waitForCase(
    network,
    origin,
    caseId,
    (found) => found.status === wanted,
    statusLabel(wanted),
    timeoutMs,
  );
}

function describe(found: Case | undefined): string {
  if (!found) return 'no case';
  return found.timeline
    .map((entry) =>
      entry.status === CaseStatus.CASE_STATUS_UNSPECIFIED
        ? `notice#${String(entry.kind)}`
        : statusLabel(entry.status),
    )
    .join(' → ');
}

/** The statuses of a case's timeline, notices left out. */
export function statusesOf(found: Case): CaseStatus[] {
  return found.timeline
    .filter((entry) => entry.status !== CaseStatus.CASE_STATUS_UNSPECIFIED)
    .map((entry) => entry.status);
}
