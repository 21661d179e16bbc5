// The cross-region case pipeline end to end: real processes for every service of three regions,
// real Kafka, PostgreSQL and Zipkin, gRPC over mutual TLS between the regions' exchanges.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
} from '@tongban/contracts/tongban/case/v1/case';
import {
  Certificate,
  VerificationResult,
} from '@tongban/contracts/tongban/certificate/v1/certificate';
import type { Case, SubmitCaseRequest } from '@tongban/contracts/tongban/intake/v1/intake';
import { Decision, TaskState } from '@tongban/contracts/tongban/review/v1/review';
import { residentIdCheckCharacter, statusLabel } from '@tongban/domain';
import { pgExecutor } from '@tongban/persistence';
import { GrpcCallError } from '@tongban/service-kit';
import { eventually, testInfrastructure } from '@tongban/testing';
import { readLog, verifyLog } from '@tongban/trust';
import { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChannelCredentials } from '@grpc/grpc-js';
import {
  PartnerExchangeServiceService,
  ReceiptStatus,
  Receipt,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import { issueRogueCertificate } from '@tongban/infra';
import { grpcClient } from '@tongban/service-kit';
import {
  clientCredentials,
  generateSigningKeyPair,
  loadRegionSigningKeys,
  sealEnvelope,
  signerOf,
} from '@tongban/trust';
import { startRegionNetwork, type RegionNetwork } from './region-network';

let network: RegionNetwork;

beforeAll(async () => {
  network = await startRegionNetwork();
}, 240_000);

afterAll(async () => {
  // Undefined when the regions failed to start (the failure is reported by beforeAll).
  await (network as RegionNetwork | undefined)?.stop();
}, 120_000);

/** A synthetic resident ID (born 1960-01-01 in 上蔡县) with a correct GB 11643 check digit. */
function residentId(sequence: number): string {
  const first17 = `411722196001011${String(sequence % 100).padStart(2, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
let counter = 0;

function retireeWithdrawal(overrides: Partial<SubmitCaseRequest> = {}): SubmitCaseRequest {
  counter += 1;
  return {
    idempotencyKey: `e2e-${String(Date.now())}-${String(counter)}`,
    handlingRegion: '429005',
    itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
    applicant: {
      kind: ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: residentId(counter),
      name: '王建国',
      phone: '13800000000',
    },
    materials: ['ID_CARD', 'RETIREMENT_PROOF', 'BANK_CARD'].map((code) => ({
      code,
      name: code,
      contentType: 'application/pdf',
      content: PDF,
    })),
    delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC, address: undefined },
    channel: Channel.CHANNEL_WINDOW,
    fields: {
      withdrawal_reason: 'RETIREMENT',
      account_number: '4290050001',
      bank_account: '6222000011112222',
      bank_name: '中国工商银行潜江支行',
      outstanding_loan: 'NO',
    },
    submittedBy: 'zmd-window-01',
    agent: undefined,
    materialsPickup: undefined,
    ...overrides,
  };
}

async function waitForStatus(
  origin: string,
  caseId: string,
  wanted: CaseStatus,
  timeoutMs = 90_000,
): Promise<Case> {
  const intake = network.intake(origin);
  return eventually(
    async () => {
      const { case: found } = await intake.getCase({ caseId });
      expect(found ? statusLabel(found.status) : 'none').toBe(statusLabel(wanted));
      return found!;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

function pensionMaterials(): SubmitCaseRequest['materials'] {
  return ['ID_CARD', 'TRANSFER_APPLICATION', 'CONTRIBUTION_CERTIFICATE'].map((code) => ({
    code,
    name: code,
    contentType: 'application/pdf',
    content: PDF,
  }));
}

/** The open review task of a case in 429005. */
async function openTaskOf(caseId: string) {
  const { tasks } = await network
    .review('429005')
    .listTasks({ states: [TaskState.TASK_STATE_OPEN], pageSize: 500, pageToken: '' });
  const task = tasks.find((candidate) => candidate.caseId === caseId);
  expect(task).toBeDefined();
  return task!;
}

/** The status changes of a case's timeline; notices (carrier scans, deadlines) left out. */
function timelineOf(found: Case): CaseStatus[] {
  return found.timeline
    .filter((entry) => entry.status !== CaseStatus.CASE_STATUS_UNSPECIFIED)
    .map((entry) => entry.status);
}

describe('a case received at one region and completed by its partner', () => {
  it('completes an INSTANT item of 429005 submitted at 411700 with no human step, and its certificate verifies at 411700', async () => {
    const started = Date.now();
    const { case: submitted } = await network.intake('411700').submitCase(retireeWithdrawal());
    expect(submitted?.caseId).toMatch(/^411700-\d{8}-\d{6}$/);
    const completed = await waitForStatus(
      '411700',
      submitted!.caseId,
      CaseStatus.CASE_STATUS_COMPLETED,
    );
    console.log(
      `INSTANT case ${completed.caseId}: submitted → COMPLETED in ${String(Date.now() - started)} ms`,
    );

    expect(timelineOf(completed)).toEqual([
      CaseStatus.CASE_STATUS_SUBMITTED,
      CaseStatus.CASE_STATUS_FORWARDED,
      CaseStatus.CASE_STATUS_RECEIVED,
      CaseStatus.CASE_STATUS_UNDER_REVIEW,
      CaseStatus.CASE_STATUS_APPROVED,
      CaseStatus.CASE_STATUS_CERTIFICATE_ISSUED,
      CaseStatus.CASE_STATUS_COMPLETED,
    ]);
    expect(completed.timeline.every((entry) => entry.at instanceof Date)).toBe(true);
    expect(completed.certificateId).not.toBe('');

    const issued = completed.timeline.find(
      (entry) => entry.status === CaseStatus.CASE_STATUS_CERTIFICATE_ISSUED,
    );
    expect(issued?.region).toBe('429005');

    // The certificate travelled back with the status; 411700 verifies it with 429005's key.
    const certificate = Certificate.decode(completed.certificate);
    const verified = await network
      .certificate('411700')
      .verifyCertificate({ certificate, code: undefined });
    expect(verified.result).toBe(VerificationResult.VERIFICATION_RESULT_VALID);
    expect(verified.decoded?.issuerRegion).toBe('429005');
    expect(verified.decoded?.caseId).toBe(completed.caseId);

    // A forged copy (bytes changed after signing) does not verify.
    const forgedBody = Buffer.from(certificate.body);
    forgedBody[forgedBody.length - 1] = (forgedBody[forgedBody.length - 1] ?? 0) ^ 0xff;
    const refused = await network
      .certificate('411700')
      .verifyCertificate({ certificate: { ...certificate, body: forgedBody }, code: undefined });
    expect(refused.result).not.toBe(VerificationResult.VERIFICATION_RESULT_VALID);
  });

  it('holds a STANDARD item for a reviewer; an approval completes it and the result is mailed', async () => {
    const { case: submitted } = await network.intake('411700').submitCase(
      retireeWithdrawal({
        itemCode: 'PENSION_TRANSFER',
        materials: pensionMaterials(),
        fields: { transfer_from: '驻马店市社会保险中心' },
        delivery: {
          method: DeliveryMethod.DELIVERY_METHOD_MAIL,
          address: {
            recipient: '王建国',
            phone: '13800000000',
            divisionCode: '411702',
            line: '驻马店市驿城区解放路1号',
            postalCode: '463000',
          },
        },
      }),
    );
    const caseId = submitted!.caseId;
    await waitForStatus('411700', caseId, CaseStatus.CASE_STATUS_UNDER_REVIEW);

    const reviewer = network.review('429005');
    const task = await openTaskOf(caseId);
    await reviewer.decide({
      taskId: task.taskId,
      decision: Decision.DECISION_APPROVE,
      reason: '',
      reviewer: 'qj-reviewer-1',
    });

    const completed = await waitForStatus('411700', caseId, CaseStatus.CASE_STATUS_COMPLETED);
    expect(timelineOf(completed)).toEqual([
      CaseStatus.CASE_STATUS_SUBMITTED,
      CaseStatus.CASE_STATUS_FORWARDED,
      CaseStatus.CASE_STATUS_RECEIVED,
      CaseStatus.CASE_STATUS_UNDER_REVIEW,
      CaseStatus.CASE_STATUS_APPROVED,
      CaseStatus.CASE_STATUS_CERTIFICATE_ISSUED,
      CaseStatus.CASE_STATUS_DISPATCHED,
      CaseStatus.CASE_STATUS_DELIVERED,
      CaseStatus.CASE_STATUS_COMPLETED,
    ]);
    const dispatched = completed.timeline.find(
      (entry) => entry.status === CaseStatus.CASE_STATUS_DISPATCHED,
    );
    expect(dispatched?.note).toMatch(/SIM\d{12}/);
  });

  it('brings a reviewer’s rejection back to the origin with its reason', async () => {
    const { case: submitted } = await network.intake('411700').submitCase(
      retireeWithdrawal({
        itemCode: 'PENSION_TRANSFER',
        materials: pensionMaterials(),
        fields: { transfer_from: '驻马店市社会保险中心' },
      }),
    );
    const caseId = submitted!.caseId;
    await waitForStatus('411700', caseId, CaseStatus.CASE_STATUS_UNDER_REVIEW);
    const task = await openTaskOf(caseId);
    const reason = '参保缴费凭证与转出地记录不一致，请核对后重新申请。';
    await network.review('429005').decide({
      taskId: task.taskId,
      decision: Decision.DECISION_REJECT,
      reason,
      reviewer: 'qj-reviewer-2',
    });

    const rejected = await waitForStatus('411700', caseId, CaseStatus.CASE_STATUS_REJECTED);
    expect(rejected.rejectionReason).toBe(reason);
    expect(rejected.timeline.at(-1)?.note).toBe(reason);
  });

  it('routes by the item’s owner: a case from 430600 is handled by 429005 in the same run', async () => {
    const { case: submitted } = await network
      .intake('430600')
      .submitCase(retireeWithdrawal({ submittedBy: 'yy-window-01' }));
    expect(submitted?.caseId).toMatch(/^430600-/);
    const completed = await waitForStatus(
      '430600',
      submitted!.caseId,
      CaseStatus.CASE_STATUS_COMPLETED,
    );
    expect(completed.handlingRegion).toBe('429005');
  });

  it('shows the case as one trace across both regions in Zipkin, found by its case id', async () => {
    const { case: submitted } = await network.intake('411700').submitCase(retireeWithdrawal());
    const caseId = submitted!.caseId;
    await waitForStatus('411700', caseId, CaseStatus.CASE_STATUS_COMPLETED);
    const { zipkinUrl } = testInfrastructure();
    const services = await eventually(
      async () => {
        const query = new URLSearchParams({
          annotationQuery: `case.id=${caseId}`,
          limit: '10',
          lookback: '3600000',
        });
        const response = await fetch(`${zipkinUrl}/api/v2/traces?${query.toString()}`);
        const traces = (await response.json()) as { localEndpoint?: { serviceName?: string } }[][];
        const names = new Set(traces.flat().map((span) => span.localEndpoint?.serviceName ?? ''));
        expect([...names].some((name) => name.startsWith('411700/'))).toBe(true);
        expect([...names].some((name) => name.startsWith('429005/'))).toBe(true);
        return names;
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    console.log(`trace of ${caseId} spans services: ${[...services].sort().join(', ')}`);
    expect(services.size).toBeGreaterThanOrEqual(4);
  });

  it('keeps the same signed, receipted, hash-chained log on both sides of an exchange', async () => {
    const logs = await Promise.all(
      ['411700', '429005'].map(async (region) => {
        const pool = new Pool({
          connectionString: network.databaseUrl(region, 'exchange'),
          max: 1,
        });
        try {
          const verification = await verifyLog(pgExecutor(pool));
          expect(verification.ok).toBe(true);
          return await readLog(pgExecutor(pool), { limit: 10_000 });
        } finally {
          await pool.end();
        }
      }),
    );
    const sent = new Set(
      logs[0]!
        .filter((entry) => entry.peerRegion === '429005' && entry.direction === 'OUT')
        .map((entry) => entry.messageId),
    );
    const received = new Set(
      logs[1]!
        .filter((entry) => entry.peerRegion === '411700' && entry.direction === 'IN')
        .map((entry) => entry.messageId),
    );
    expect(sent.size).toBeGreaterThan(0);
    expect([...sent].filter((messageId) => !received.has(messageId))).toEqual([]);
  });

  it('refuses bad input at the window with a clear code and records nothing', async () => {
    const intake = network.intake('411700');
    const countCases = async () =>
      (
        await intake.listCases({
          statuses: [],
          handlingRegion: '',
          pageSize: 500,
          pageToken: '',
          query: '',
          overdueOnly: false,
        })
      ).cases.length;
    const before = await countCases();
    const wrongCheckDigit = retireeWithdrawal();
    const identifier = wrongCheckDigit.applicant!.identifier;
    wrongCheckDigit.applicant!.identifier =
      identifier.slice(0, 17) + (identifier.endsWith('1') ? '2' : '1');
    const attempts: [string, SubmitCaseRequest][] = [
      ['wrong check digit', wrongCheckDigit],
      ['unknown item', retireeWithdrawal({ itemCode: 'NO_SUCH_ITEM' })],
      ['item outside the agreement', retireeWithdrawal({ itemCode: 'FOOD_BUSINESS_LICENSE' })],
      ['missing mandatory material', retireeWithdrawal({ materials: [] })],
    ];
    for (const [what, request] of attempts) {
      const error = await intake.submitCase(request).catch((caught: unknown) => caught);
      expect(error, what).toBeInstanceOf(GrpcCallError);
      expect((error as GrpcCallError).grpcCode, what).toBeOneOf([
        status.INVALID_ARGUMENT,
        status.FAILED_PRECONDITION,
      ]);
      expect((error as GrpcCallError).errorCode, what).toMatch(/^INTAKE\.[A-Z_]+$/);
      expect((error as GrpcCallError).message, what).not.toBe('');
    }
    expect(await countCases()).toBe(before);
  });

  describe('the exchange refuses what it must not accept, with a signed receipt', () => {
    const partnerClient = (region: string, credentials: ChannelCredentials, options = {}) =>
      grpcClient(
        PartnerExchangeServiceService,
        `127.0.0.1:${String(network.stack.regions[region]!.partnerPort)}`,
        {
          credentials,
          channelOptions: options,
        },
      );
    const as411700 = () => {
      const channel = clientCredentials({
        keysDir: network.keysDir,
        region: '411700',
        partnerCa: path.join(network.keysDir, '429005/ca.crt'),
        partnerIdentity: 'exchange.429005.tongban.local',
      });
      return partnerClient('429005', channel.credentials, channel.options);
    };
    const transfer = (sender: string, caseId: string, itemCode: string) => ({
      messageId: randomUUID(),
      senderRegion: sender,
      recipientRegion: '429005',
      caseId,
      sequence: 1,
      createdAt: new Date(),
      traceparent: '',
      tracestate: '',
      caseTransfer: {
        case: CaseSubmitted.fromPartial({
          caseId,
          originRegion: sender,
          handlingRegion: '429005',
          itemCode,
        }),
      },
    });

    async function expectRefused(
      envelopeSigner: ReturnType<typeof signerOf>,
      sender: string,
      code: string,
      itemCode = 'HPF_RETIREMENT_WITHDRAWAL',
    ) {
      const caseId = `${sender}-20261122-9${String(Math.floor(Math.random() * 99_999)).padStart(5, '0')}`;
      const client = as411700();
      try {
        const { receipt } = await client.deliver({
          envelope: sealEnvelope(transfer(sender, caseId, itemCode), envelopeSigner),
        });
        const decoded = Receipt.decode(receipt!.receipt);
        expect(decoded.status).toBe(ReceiptStatus.RECEIPT_STATUS_REJECTED);
        expect(decoded.errorCode).toBe(code);
        expect(decoded.errorMessage).not.toBe('');
      } finally {
        client.close();
      }
      // Nothing reached review in 429005.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const { tasks } = await network
        .review('429005')
        .listTasks({ states: [], pageSize: 500, pageToken: '' });
      expect(tasks.some((task) => task.caseId === caseId)).toBe(false);
    }

    it('answers a second delivery of the same envelope with the first receipt, and makes one case', async () => {
      const caseId = `411700-20261122-8${String(Math.floor(Math.random() * 99_999)).padStart(5, '0')}`;
      const sealed = sealEnvelope(
        {
          ...transfer('411700', caseId, 'HPF_RETIREMENT_WITHDRAWAL'),
          caseTransfer: {
            case: CaseSubmitted.fromPartial({
              caseId,
              originRegion: '411700',
              handlingRegion: '429005',
              itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
              applicant: {
                kind: ApplicantKind.APPLICANT_KIND_PERSON,
                identifier: residentId(98),
                name: '王建国',
              },
              fields: { withdrawal_reason: 'RETIREMENT', outstanding_loan: 'NO' },
            }),
          },
        },
        loadRegionSigningKeys(network.keysDir, '411700'),
      );
      const client = as411700();
      try {
        const first = await client.deliver({ envelope: sealed });
        const second = await client.deliver({ envelope: sealed });
        expect(Receipt.decode(first.receipt!.receipt).status).toBe(
          ReceiptStatus.RECEIPT_STATUS_ACCEPTED,
        );
        expect(
          Buffer.compare(Buffer.from(second.receipt!.receipt), Buffer.from(first.receipt!.receipt)),
        ).toBe(0);
        expect(
          Buffer.compare(
            Buffer.from(second.receipt!.signature),
            Buffer.from(first.receipt!.signature),
          ),
        ).toBe(0);
      } finally {
        client.close();
      }
      const tasksOf = async () =>
        (
          await network.review('429005').listTasks({ states: [], pageSize: 500, pageToken: '' })
        ).tasks.filter((task) => task.caseId === caseId);
      await eventually(async () => {
        expect((await tasksOf()).length).toBeGreaterThan(0);
      });
      // Give a wrongly applied second copy time to show up.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await tasksOf()).toHaveLength(1);
    });

    it('refuses an envelope with a forged signature', async () => {
      // Signed by someone else's key but claiming to be 411700's key.
      const forger = signerOf(generateSigningKeyPair().privateKey);
      const real = loadRegionSigningKeys(network.keysDir, '411700');
      await expectRefused({ ...forger, keyId: real.keyId }, '411700', 'EXCHANGE.BAD_SIGNATURE');
    });

    it('refuses an envelope from a region that is not a partner', async () => {
      await expectRefused(
        signerOf(generateSigningKeyPair().privateKey),
        '999999',
        'EXCHANGE.UNKNOWN_SENDER',
      );
    });

    it('refuses a correctly signed case for an item outside the agreement', async () => {
      const keys = loadRegionSigningKeys(network.keysDir, '411700');
      await expectRefused(
        signerOf(keys.privateKey),
        '411700',
        'EXCHANGE.ITEM_NOT_IN_AGREEMENT',
        'FOOD_BUSINESS_LICENSE',
      );
    });

    it('refuses a client certificate not issued by a partner’s regional CA at the handshake', async () => {
      const rogue = await issueRogueCertificate({
        outDir: path.join(network.keysDir, 'rogue'),
        identity: 'exchange.411700.tongban.local',
      });
      const credentials = ChannelCredentials.createSsl(
        readFileSync(path.join(network.keysDir, '429005/ca.crt')),
        readFileSync(rogue.keyPath),
        readFileSync(rogue.certPath),
      );
      const client = partnerClient('429005', credentials, {
        'grpc.ssl_target_name_override': 'exchange.429005.tongban.local',
      });
      try {
        const error = await client
          .getPublicKeys({}, { deadlineMs: 5_000 })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(GrpcCallError);
        expect((error as GrpcCallError).grpcCode).toBe(status.UNAVAILABLE);
      } finally {
        client.close();
      }
    });
  });

  it('delivers cases submitted while 429005 was down for 30 s, once each and in order, when it returns', async () => {
    await network.stack.stopService('429005', 'exchange');
    const intake = network.intake('411700');
    const submitted: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { case: accepted } = await intake.submitCase(retireeWithdrawal());
      submitted.push(accepted!.caseId);
    }
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    for (const caseId of submitted) {
      const { case: waiting } = await intake.getCase({ caseId });
      expect(waiting?.status).toBe(CaseStatus.CASE_STATUS_FORWARDED);
    }
    await network.stack.startService('429005', 'exchange');

    for (const caseId of submitted) {
      const completed = await waitForStatus(
        '411700',
        caseId,
        CaseStatus.CASE_STATUS_COMPLETED,
        120_000,
      );
      const statuses = timelineOf(completed);
      expect(new Set(statuses).size).toBe(statuses.length); // nothing applied twice
    }
    const { tasks } = await network
      .review('429005')
      .listTasks({ states: [], pageSize: 500, pageToken: '' });
    for (const caseId of submitted) {
      expect(tasks.filter((task) => task.caseId === caseId)).toHaveLength(1); // nothing doubled
    }
  }, 240_000);
});
