// ExchangeOperationsService, as the console's operator dashboard uses it, against two regions'
// exchanges — 411700 (origin, A) and 429005 (handler, B) — with real Kafka and PostgreSQL, each
// giving a message up after 3 attempts so a partner's outage fails one within the test.
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  HandlingMode,
} from '@tongban/contracts/tongban/case/v1/case';
import { CaseReceived, RemoteStatusChanged } from '@tongban/contracts/tongban/exchange/v1/events';
import {
  ExchangeOperationsServiceService,
  type PartnerDeliveryRow,
} from '@tongban/contracts/tongban/exchange/v1/operations';
import { CaseSubmitted, CaseWithdrawn } from '@tongban/contracts/tongban/intake/v1/events';
import { ReviewStarted } from '@tongban/contracts/tongban/review/v1/events';
import type { OutgoingEvent } from '@tongban/kafka';
import { grpcClient, type PromiseClient } from '@tongban/service-kit';
import { eventually } from '@tongban/testing';
import { clientCredentials, readLog, regionKeyFiles, verifyLog } from '@tongban/trust';
import {
  allDelivered,
  consumed,
  eventOf,
  eventsOf,
  outboundOf,
  outboxFlushedOf,
  payloadsOf,
  startTwoRegions,
  type RegionUnderTest,
  type TwoRegions,
} from './support';

const A = '411700';
const B = '429005';
const C = '430600';

let regions: TwoRegions;
let a: RegionUnderTest;
let operationsOfA: PromiseClient<typeof ExchangeOperationsServiceService>;

beforeAll(async () => {
  regions = await startTwoRegions('exchange_operations', {
    env: { EXCHANGE_MAX_ATTEMPTS: '3', EXCHANGE_POLL_MS: '500' },
  });
  a = regions.a;
  operationsOfA = grpcClient(ExchangeOperationsServiceService, a.grpcAddress);
});

afterAll(async () => {
  operationsOfA.close();
  await regions.close();
});

let caseNumber = 0;
function nextCaseId(): string {
  caseNumber += 1;
  return `${A}-20261216-${String(caseNumber).padStart(6, '0')}`;
}

async function happen(region: RegionUnderTest, service: string, events: OutgoingEvent[]) {
  await regions.producer.publish(region.naming.events(service), events);
  await consumed(region, events);
}

function submitted(id: string): OutgoingEvent {
  return eventOf(
    A,
    'intake',
    id,
    CaseSubmitted,
    CaseSubmitted.fromPartial({
      caseId: id,
      originRegion: A,
      handlingRegion: B,
      itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
      applicant: {
        kind: ApplicantKind.APPLICANT_KIND_PERSON,
        identifier: '110101199003070000',
        name: '赵某',
        phone: '13800000000',
      },
      delivery: { method: DeliveryMethod.DELIVERY_METHOD_MAIL },
      channel: Channel.CHANNEL_WINDOW,
      fields: { withdrawal_reason: 'RETIREMENT' },
    }),
  );
}

async function statisticsOf(region: RegionUnderTest): Promise<PartnerDeliveryRow[]> {
  const client = grpcClient(ExchangeOperationsServiceService, region.grpcAddress);
  try {
    return (await client.getDeliveryStatistics({})).partners;
  } finally {
    client.close();
  }
}

function quiet(partner: string, partnerName: string): PartnerDeliveryRow {
  return {
    partner,
    partnerName,
    pending: 0,
    failed: 0,
    delivered: 0,
    received: 0,
    oldestPendingAt: undefined,
  };
}

/** The case forwarded in the first test: its transfer is a DELIVERED message. */
let deliveredCase = '';

describe('exchange operations', () => {
  it('counts each partner’s traffic in both directions, partners without traffic included', async () => {
    deliveredCase = nextCaseId();
    await happen(a, 'intake', [submitted(deliveredCase)]);
    await allDelivered(a, deliveredCase);
    // B reports UNDER_REVIEW back to A: one message B delivered, one A received.
    await happen(regions.b, 'review', [
      eventOf(
        B,
        'review',
        deliveredCase,
        ReviewStarted,
        ReviewStarted.fromPartial({
          caseId: deliveredCase,
          originRegion: A,
          taskId: randomUUID(),
          mode: HandlingMode.HANDLING_MODE_INSTANT,
        }),
      ),
    ]);
    await allDelivered(regions.b, deliveredCase);

    // In the order of the region files.
    expect(await statisticsOf(a)).toEqual([
      { ...quiet(B, '潜江市'), delivered: 1, received: 1 },
      quiet(C, '岳阳市'),
    ]);
    expect(await statisticsOf(regions.b)).toEqual([
      { ...quiet(A, '驻马店市'), delivered: 1, received: 1 },
      quiet(C, '岳阳市'),
    ]);
  });

  it('lists a message given up while its partner was down, and delivers it and the one held behind it in order once an operator retries it', async () => {
    const id = nextCaseId();
    await regions.stopB();
    await happen(a, 'intake', [
      submitted(id),
      eventOf(A, 'intake', id, CaseWithdrawn, { caseId: id, handlingRegion: B, reason: '撤回' }),
    ]);
    // The withdrawal waits behind the transfer, untried: it never overtakes the case.
    await eventually(async () => {
      const rows = await outboundOf(a, id);
      expect(rows.map((row) => [row.sequence, row.state, row.error_code])).toEqual([
        [1, 'FAILED', 'EXCHANGE.RETRY_BUDGET_SPENT'],
        [2, 'PENDING', null],
      ]);
    });
    const [transfer, withdrawal] = await a.database.pool
      .query<{ message_id: string; attempts: number; created_at: Date }>(
        'SELECT message_id::text, attempts, created_at FROM outbound_message WHERE case_id = $1 ORDER BY sequence',
        [id],
      )
      .then((result) => result.rows);
    expect([transfer?.attempts, withdrawal?.attempts]).toEqual([3, 0]);

    const [toB, toC] = await statisticsOf(a);
    expect(toB).toMatchObject({ partner: B, pending: 1, failed: 1, delivered: 1, received: 1 });
    // The withdrawal is the oldest pending message (both sides read at millisecond precision).
    const oldest = toB?.oldestPendingAt?.getTime() ?? 0;
    expect(Math.abs(oldest - (withdrawal?.created_at.getTime() ?? 0))).toBeLessThanOrEqual(1);
    expect(toC).toEqual(quiet(C, '岳阳市'));

    const listed = await operationsOfA.listFailedDeliveries({
      partner: B,
      pageSize: 0,
      pageToken: '',
    });
    expect(listed.nextPageToken).toBe('');
    expect(listed.deliveries).toHaveLength(1);
    const [failed] = listed.deliveries;
    expect(failed).toMatchObject({
      messageId: transfer?.message_id,
      caseId: id,
      partner: B,
      bodyKind: 'case_transfer',
      attempts: 3,
      sequence: 1,
      heldBehind: 1,
    });
    expect(failed?.lastError).not.toBe('');
    expect(failed?.failedAt).toBeInstanceOf(Date);
    const everyPartner = await operationsOfA.listFailedDeliveries({
      partner: '',
      pageSize: 0,
      pageToken: '',
    });
    expect(everyPartner.deliveries.map((delivery) => delivery.messageId)).toEqual([
      transfer?.message_id,
    ]);
    expect(
      (await operationsOfA.listFailedDeliveries({ partner: C, pageSize: 0, pageToken: '' }))
        .deliveries,
    ).toEqual([]);
    expect(
      await operationsOfA
        .listFailedDeliveries({ partner: '110000', pageSize: 0, pageToken: '' })
        .catch((error: unknown) => error),
    ).toMatchObject({ grpcCode: status.NOT_FOUND, errorCode: 'EXCHANGE.UNKNOWN_PARTNER' });

    // Who asks must be known.
    expect(
      await operationsOfA
        .retryDelivery({ messageId: transfer?.message_id ?? '', requestedBy: ' ' })
        .catch((error: unknown) => error),
    ).toMatchObject({
      grpcCode: status.INVALID_ARGUMENT,
      errorCode: 'EXCHANGE.REQUESTER_REQUIRED',
    });

    await regions.startB();
    const retried = await operationsOfA.retryDelivery({
      messageId: transfer?.message_id ?? '',
      requestedBy: 'operator-li',
    });
    expect(retried).toMatchObject({
      messageId: transfer?.message_id,
      caseId: id,
      partner: B,
      heldBehind: 1,
    });
    expect(retried.requeuedAt).toBeInstanceOf(Date);

    await allDelivered(a, id);
    // Counted afresh, and through at the first attempt: the retry dropped A's channel to B that
    // was still backing off from the outage.
    const afterRetry = await a.database.pool.query<{ attempts: number }>(
      'SELECT attempts FROM outbound_message WHERE case_id = $1 ORDER BY sequence',
      [id],
    );
    expect(afterRetry.rows).toEqual([{ attempts: 1 }, { attempts: 1 }]);
    // B took the case before its withdrawal.
    await outboxFlushedOf(regions.b);
    const atB = await eventsOf(regions.b.naming, 'exchange');
    expect(atB.filter((e) => e.metadata.caseId === id).map((e) => e.typeName)).toEqual([
      CaseReceived.$type,
      RemoteStatusChanged.$type,
    ]);
    expect(payloadsOf(atB, RemoteStatusChanged, id)[0]?.status).toBe(
      CaseStatus.CASE_STATUS_WITHDRAWN,
    );
    // The log tells the whole story: sent, given up, put back, accepted.
    const log = await readLog(a.database.pool, { messageId: transfer?.message_id ?? '' });
    expect(log.map((entry) => entry.status)).toEqual(['PENDING', 'FAILED', 'PENDING', 'ACCEPTED']);
    expect(await verifyLog(a.database.pool, { keys: regions.ring })).toMatchObject({ ok: true });
    const { rows: requeued } = await a.database.pool.query(
      'SELECT requeued_by FROM outbound_message WHERE message_id = $1',
      [transfer?.message_id],
    );
    expect(requeued).toEqual([{ requeued_by: 'operator-li' }]);

    expect(await statisticsOf(a)).toEqual([
      { ...quiet(B, '潜江市'), delivered: 3, received: 1 },
      quiet(C, '岳阳市'),
    ]);
    expect(
      (await operationsOfA.listFailedDeliveries({ partner: B, pageSize: 0, pageToken: '' }))
        .deliveries,
    ).toEqual([]);
  });

  it('retries only a FAILED message, naming an unknown one', async () => {
    const [delivered] = await outboundOf(a, deliveredCase);
    const refusals = await Promise.all(
      [delivered?.message_id ?? '', randomUUID(), 'no-such-message'].map((messageId) =>
        operationsOfA
          .retryDelivery({ messageId, requestedBy: 'operator-li' })
          .catch((error: unknown) => error),
      ),
    );
    expect(refusals).toMatchObject([
      { grpcCode: status.FAILED_PRECONDITION, errorCode: 'EXCHANGE.NOT_FAILED' },
      { grpcCode: status.NOT_FOUND, errorCode: 'EXCHANGE.MESSAGE_NOT_FOUND' },
      { grpcCode: status.NOT_FOUND, errorCode: 'EXCHANGE.MESSAGE_NOT_FOUND' },
    ]);
    expect((refusals[0] as Error).message).toContain('已送达');
    const [unchanged] = await outboundOf(a, deliveredCase);
    expect(unchanged?.state).toBe('DELIVERED');
  });

  it('is not served on the partner-facing port', async () => {
    const channel = clientCredentials({
      keysDir: regions.keysDir,
      region: B,
      partnerCa: regionKeyFiles(regions.keysDir, A).caCert,
      partnerIdentity: `exchange.${A}.tongban.local`,
    });
    const fromPartner = grpcClient(
      ExchangeOperationsServiceService,
      `127.0.0.1:${String(a.partnerPort)}`,
      { credentials: channel.credentials, channelOptions: channel.options },
    );
    try {
      expect(
        await fromPartner.getDeliveryStatistics({}).catch((error: unknown) => error),
      ).toMatchObject({ grpcCode: status.UNIMPLEMENTED });
    } finally {
      fromPartner.close();
    }
  });
});
