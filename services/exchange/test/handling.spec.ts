// Handling a case across two regions as the seeds describe: status reports through rounds of
// supplements (补正) and remote surveys (远程踏勘), the materials and media that answer them, timeline
// notices, results mailed to the origin window, and the catalog with seed 002's lists. 411700 (A)
// is the origin, 429005 (B) handles; both exchanges run in this process with real mTLS, Kafka and
// PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemBlobStore } from '@tongban/blobs';
import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  HandlingMode,
  ServiceList,
  TimelineKind,
  type MaterialRef,
  type SurveyMedium,
} from '@tongban/contracts/tongban/case/v1/case';
import {
  CertificateExpiring,
  CertificateIssued,
  CertificateRevoked,
} from '@tongban/contracts/tongban/certificate/v1/events';
import { DirectoryServiceService } from '@tongban/contracts/tongban/exchange/v1/directory';
import {
  RemoteNotice,
  RemoteStatusChanged,
  SupplementArrived,
  SurveyMediaArrived,
} from '@tongban/contracts/tongban/exchange/v1/events';
import {
  Envelope,
  ReceiptStatus,
  type CatalogItem,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import {
  CaseSubmitted,
  SupplementSubmitted,
  SurveyMediaSubmitted,
} from '@tongban/contracts/tongban/intake/v1/events';
import {
  ShipmentDelivered,
  ShipmentDispatched,
  ShipmentException,
  ShipmentExceptionResolved,
  ShipmentTracked,
} from '@tongban/contracts/tongban/logistics/v1/events';
import {
  Resolution,
  ShipmentKind,
  ShipmentState,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import {
  CaseApproved,
  DeadlineApproaching,
  DeadlineOverdue,
  PreReviewPassed,
  ReviewStarted,
  SupplementReceived,
  SupplementRequested,
  SurveyAccepted,
  SurveyEvidenceReceived,
  SurveyRequested,
} from '@tongban/contracts/tongban/review/v1/events';
import type { OutgoingEvent } from '@tongban/kafka';
import { grpcClient } from '@tongban/service-kit';
import { eventually } from '@tongban/testing';
import { openReceipt, readLog, sealEnvelope, sha256Hex, verifyLog } from '@tongban/trust';
import {
  allDelivered,
  consumed,
  eventOf,
  eventsOf,
  outboundOf,
  outboxFlushedOf,
  partnerClientOf,
  payloadsOf,
  startTwoRegions,
  type RegionUnderTest,
  type TwoRegions,
} from './support';

const A = '411700';
const B = '429005';
const S = CaseStatus;
const K = TimelineKind;

let regions: TwoRegions;
let a: RegionUnderTest;
let b: RegionUnderTest;

beforeAll(async () => {
  regions = await startTwoRegions('exchange_handling');
  ({ a, b } = regions);
});

afterAll(async () => {
  await regions.close();
});

let caseNumber = 0;
function nextCaseId(): string {
  caseNumber += 1;
  return `${A}-20261205-${String(caseNumber).padStart(6, '0')}`;
}

/** Publishes events of one service of a region and waits until that region's exchange took them. */
async function happen(region: RegionUnderTest, service: string, events: OutgoingEvent[]) {
  await regions.producer.publish(region.naming.events(service), events);
  await consumed(region, events);
}

/** B's review, certificate or logistics tells about a case. */
function atB<T>(service: string, id: string, type: OutgoingEvent<T>['type'], payload: T) {
  return eventOf(B, service, id, type, payload);
}

/** A's intake tells about a case. */
function atA<T>(id: string, type: OutgoingEvent<T>['type'], payload: T) {
  return eventOf(A, 'intake', id, type, payload);
}

/** A case submitted at A's window for one of B's items, forwarded and receipted. */
async function forwardedCase(itemCode: string, method: DeliveryMethod): Promise<string> {
  const id = nextCaseId();
  await happen(a, 'intake', [
    atA(
      id,
      CaseSubmitted,
      CaseSubmitted.fromPartial({
        caseId: id,
        originRegion: A,
        handlingRegion: B,
        itemCode,
        applicant: {
          kind: ApplicantKind.APPLICANT_KIND_PERSON,
          identifier: '110101199003070000',
          name: '李某',
          phone: '13800000000',
        },
        delivery: { method },
        channel: Channel.CHANNEL_WINDOW,
      }),
    ),
  ]);
  await eventually(async () => {
    expect((await outboundOf(a, id)).map((row) => row.state)).toEqual(['DELIVERED']);
  });
  return id;
}

async function stored(region: RegionUnderTest, content: string) {
  return new FilesystemBlobStore(region.blobDir).put(Buffer.from(content));
}

async function material(code: string, content: string): Promise<MaterialRef> {
  const blob = await stored(a, content);
  return {
    code,
    name: code,
    sha256: blob.sha256,
    sizeBytes: blob.sizeBytes,
    contentType: 'image/jpeg',
  };
}

async function medium(
  checkpoint: string,
  content: string,
  contentType: string,
): Promise<SurveyMedium> {
  const blob = await stored(a, content);
  return {
    checkpoint,
    sha256: blob.sha256,
    sizeBytes: blob.sizeBytes,
    contentType,
    capturedAt: new Date(),
    description: `${checkpoint} 现场`,
  };
}

/** Waits until the region applied `count` inbound messages of this kind about the case. */
async function applied(region: RegionUnderTest, id: string, kind: string, count: number) {
  await eventually(async () => {
    const { rows } = await region.database.pool.query(
      "SELECT 1 FROM inbound_message WHERE case_id = $1 AND kind = $2 AND state = 'APPLIED'",
      [id, kind],
    );
    expect(rows).toHaveLength(count);
  });
}

/** The statuses (with rounds) B reported about a case so far, in sequence order. */
async function reportedByB(id: string): Promise<string[]> {
  return (await outboundOf(b, id))
    .filter((row) => row.kind === 'STATUS_REPORT')
    .map((row) =>
      row.round > 0 ? `${row.status ?? ''}#${String(row.round)}` : (row.status ?? ''),
    );
}

async function heldAtB(id: string): Promise<string[]> {
  const { rows } = await b.database.pool.query<{ status: string; round: number }>(
    'SELECT status, round FROM held_status WHERE case_id = $1 ORDER BY id',
    [id],
  );
  return rows.map((row) => `${row.status}#${String(row.round)}`);
}

/** What A's exchange published about a case: status changes and notices, once all arrived. */
async function atOrigin(id: string) {
  await allDelivered(b, id);
  await outboxFlushedOf(a);
  const events = await eventsOf(a.naming, 'exchange');
  return {
    statuses: payloadsOf(events, RemoteStatusChanged, id),
    notices: payloadsOf(events, RemoteNotice, id),
  };
}

const due = {
  first: new Date('2026-12-19T09:00:00Z'),
  afterSupplement: new Date('2026-12-22T09:00:00Z'),
  afterSurvey: new Date('2026-12-24T09:00:00Z'),
  afterSecondSurvey: new Date('2026-12-26T09:00:00Z'),
  afterSecondSupplement: new Date('2026-12-29T09:00:00Z'),
};

/** One small catering licence, followed from review to the result at the origin window. */
const flow = {
  id: '',
  supplement: [] as MaterialRef[],
  media: [] as SurveyMedium[],
  secondMedia: [] as SurveyMedium[],
};

describe('handling a partner’s case', () => {
  it('reports review and a supplement request; the supplement crosses with its materials, pushed before the envelope', async () => {
    const id = await forwardedCase(
      'SMALL_CATERING_LICENSE',
      DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP,
    );
    flow.id = id;
    await happen(b, 'review', [
      atB(
        'review',
        id,
        ReviewStarted,
        ReviewStarted.fromPartial({
          caseId: id,
          originRegion: A,
          taskId: randomUUID(),
          mode: HandlingMode.HANDLING_MODE_STANDARD,
          dueAt: due.first,
        }),
      ),
      atB(
        'review',
        id,
        SupplementRequested,
        SupplementRequested.fromPartial({
          caseId: id,
          originRegion: A,
          request: {
            round: 1,
            materials: [
              { code: 'HEALTH_CERTIFICATE', name: '从业人员健康证明', reason: '健康证明已过期' },
            ],
            note: '请补交有效期内的健康证明',
            requestedBy: 'reviewer-1',
            requestedAt: new Date(),
          },
        }),
      ),
    ]);
    expect(await reportedByB(id)).toEqual(['UNDER_REVIEW', 'SUPPLEMENT_REQUESTED#1']);

    flow.supplement = [await material('HEALTH_CERTIFICATE', `新健康证明 ${id}`)];
    await happen(a, 'intake', [
      atA(
        id,
        SupplementSubmitted,
        SupplementSubmitted.fromPartial({
          caseId: id,
          handlingRegion: B,
          round: 1,
          materials: flow.supplement,
          note: '已补交',
          submittedBy: 'clerk-a',
        }),
      ),
    ]);
    await applied(b, id, 'SUPPLEMENT', 1);
    await outboxFlushedOf(b);
    const arrived = payloadsOf(await eventsOf(b.naming, 'exchange'), SupplementArrived, id);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]).toMatchObject({
      caseId: id,
      originRegion: A,
      supplement: { round: 1, materials: flow.supplement, note: '已补交' },
    });
    const blobsOfB = new FilesystemBlobStore(b.blobDir);
    expect((await blobsOfB.get(flow.supplement[0]!.sha256)).toString()).toBe(`新健康证明 ${id}`);

    await happen(b, 'review', [
      atB(
        'review',
        id,
        SupplementReceived,
        SupplementReceived.fromPartial({
          caseId: id,
          originRegion: A,
          round: 1,
          dueAt: due.afterSupplement,
        }),
      ),
    ]);
    const { statuses } = await atOrigin(id);
    expect(statuses.map((s) => s.status)).toEqual([
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SUPPLEMENTED,
    ]);
    expect(statuses[1]).toMatchObject({ handlingRegion: B, dueAt: due.first });
    expect(statuses[2]?.supplementRequest).toMatchObject({
      round: 1,
      materials: [{ code: 'HEALTH_CERTIFICATE', reason: '健康证明已过期' }],
      requestedBy: 'reviewer-1',
    });
    expect(statuses[2]?.note).toContain('从业人员健康证明');
    expect(statuses[3]?.dueAt).toEqual(due.afterSupplement);
  });

  it('carries survey media named by hash: the receiver’s log entry recovers every medium’s SHA-256 and both logs verify', async () => {
    const id = flow.id;
    await happen(b, 'review', [
      atB(
        'review',
        id,
        SurveyRequested,
        SurveyRequested.fromPartial({
          caseId: id,
          originRegion: A,
          request: {
            round: 1,
            checkpoints: [
              { code: 'KITCHEN', description: '后厨操作间全景' },
              { code: 'STORAGE', description: '食品库房' },
            ],
            note: '请拍摄后厨和库房',
            requestedBy: 'reviewer-1',
            requestedAt: new Date(),
          },
        }),
      ),
    ]);
    expect((await reportedByB(id)).at(-1)).toBe('SURVEY_REQUIRED#1');

    flow.media = [
      await medium('KITCHEN', `后厨照片 ${id}`, 'image/jpeg'),
      await medium('STORAGE', `库房视频 ${id}`, 'video/mp4'),
    ];
    await happen(a, 'intake', [
      atA(
        id,
        SurveyMediaSubmitted,
        SurveyMediaSubmitted.fromPartial({
          caseId: id,
          handlingRegion: B,
          round: 1,
          media: flow.media,
          submittedBy: 'clerk-a',
        }),
      ),
    ]);
    await applied(b, id, 'SURVEY_EVIDENCE', 1);
    await outboxFlushedOf(b);
    const arrived = payloadsOf(await eventsOf(b.naming, 'exchange'), SurveyMediaArrived, id);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]).toMatchObject({
      originRegion: A,
      evidence: { round: 1, media: flow.media },
    });

    // The receiver's log holds the signed envelope exactly as received: decoding it gives back
    // every medium's hash, and the content B stored hashes to it.
    const logged = (await readLog(b.database.pool, { caseId: id, direction: 'IN' }))
      .filter((entry) => entry.status === 'ACCEPTED')
      .map((entry) => ({ entry, envelope: Envelope.decode(entry.envelope.envelope) }))
      .filter(({ envelope }) => envelope.surveyEvidence !== undefined);
    expect(logged).toHaveLength(1);
    const { entry, envelope } = logged[0]!;
    expect(entry.envelopeSha256).toBe(sha256Hex(entry.envelope.envelope));
    const hashes = envelope.surveyEvidence!.media.map((m) => m.sha256);
    expect(hashes).toEqual(flow.media.map((m) => m.sha256));
    const blobsOfB = new FilesystemBlobStore(b.blobDir);
    for (const hash of hashes) {
      const content = await blobsOfB.get(hash);
      expect(createHash('sha256').update(content).digest('hex')).toBe(hash);
    }
    for (const region of [a, b]) {
      expect(await verifyLog(region.database.pool, { keys: regions.ring })).toMatchObject({
        ok: true,
      });
    }
  });

  it('reports a second survey round asked for after SURVEYED even when its event overtakes the first round’s, and drops a stale repeat', async () => {
    const id = flow.id;
    const surveyRequest = (round: number) =>
      atB(
        'review',
        id,
        SurveyRequested,
        SurveyRequested.fromPartial({
          caseId: id,
          originRegion: A,
          request: {
            round,
            checkpoints: [{ code: 'KITCHEN', description: '后厨排烟设施特写' }],
            requestedBy: 'reviewer-1',
            requestedAt: new Date(),
          },
        }),
      );
    const evidenceReceived = (round: number, dueAt: Date) =>
      atB(
        'review',
        id,
        SurveyEvidenceReceived,
        SurveyEvidenceReceived.fromPartial({ caseId: id, originRegion: A, round, media: 2, dueAt }),
      );
    // Round 2's request before round 1's evidence was reported: a different round is no repeat;
    // it waits for SURVEYED.
    await happen(b, 'review', [surveyRequest(2)]);
    expect(await heldAtB(id)).toEqual(['SURVEY_REQUIRED#2']);
    await happen(b, 'review', [evidenceReceived(1, due.afterSurvey)]);
    expect(await heldAtB(id)).toEqual([]);
    expect((await reportedByB(id)).slice(-2)).toEqual(['SURVEYED#1', 'SURVEY_REQUIRED#2']);
    // Round 1's request once more (re-emitted): round 2 is reported already, so it is stale.
    await happen(b, 'review', [surveyRequest(1)]);
    expect(await heldAtB(id)).toEqual([]);
    expect((await reportedByB(id)).at(-1)).toBe('SURVEY_REQUIRED#2');

    flow.secondMedia = [await medium('KITCHEN', `排烟设施特写 ${id}`, 'image/png')];
    await happen(a, 'intake', [
      atA(
        id,
        SurveyMediaSubmitted,
        SurveyMediaSubmitted.fromPartial({
          caseId: id,
          handlingRegion: B,
          round: 2,
          media: flow.secondMedia,
        }),
      ),
    ]);
    await applied(b, id, 'SURVEY_EVIDENCE', 2);
    await happen(b, 'review', [
      evidenceReceived(2, due.afterSecondSurvey),
      // The same fact twice: reported once.
      evidenceReceived(2, due.afterSecondSurvey),
      atB(
        'review',
        id,
        SurveyAccepted,
        SurveyAccepted.fromPartial({ caseId: id, originRegion: A, round: 2, reviewer: 'r-1' }),
      ),
      // A second supplement round, after the survey.
      atB(
        'review',
        id,
        SupplementRequested,
        SupplementRequested.fromPartial({
          caseId: id,
          originRegion: A,
          request: {
            round: 2,
            materials: [
              { code: 'PREMISES_LAYOUT', name: '经营场所平面图', reason: '未标注排烟口' },
            ],
            requestedAt: new Date(),
          },
        }),
      ),
    ]);
    expect((await reportedByB(id)).slice(-2)).toEqual(['SURVEYED#2', 'SUPPLEMENT_REQUESTED#2']);
    expect(await heldAtB(id)).toEqual([]);

    await happen(a, 'intake', [
      atA(
        id,
        SupplementSubmitted,
        SupplementSubmitted.fromPartial({
          caseId: id,
          handlingRegion: B,
          round: 2,
          materials: [await material('PREMISES_LAYOUT', `新平面图 ${id}`)],
        }),
      ),
    ]);
    await applied(b, id, 'SUPPLEMENT', 2);
    await happen(b, 'review', [
      atB(
        'review',
        id,
        SupplementReceived,
        SupplementReceived.fromPartial({
          caseId: id,
          originRegion: A,
          round: 2,
          dueAt: due.afterSecondSupplement,
        }),
      ),
    ]);
    const { statuses, notices } = await atOrigin(id);
    expect(statuses.map((s) => s.status)).toEqual([
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SUPPLEMENTED,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_SURVEYED,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_SURVEYED,
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SUPPLEMENTED,
    ]);
    expect(statuses.map((s) => s.surveyRequest?.round ?? s.supplementRequest?.round ?? 0)).toEqual([
      0, 0, 1, 0, 1, 0, 2, 0, 2, 0,
    ]);
    expect(statuses[4]?.surveyRequest?.checkpoints.map((c) => c.code)).toEqual([
      'KITCHEN',
      'STORAGE',
    ]);
    expect(statuses[5]?.dueAt).toEqual(due.afterSurvey);
    expect(statuses[7]?.dueAt).toEqual(due.afterSecondSurvey);
    expect(statuses[9]?.dueAt).toEqual(due.afterSecondSupplement);
    expect(notices.map((n) => [n.handlingRegion, n.notice?.kind, n.notice?.note])).toEqual([
      [B, K.TIMELINE_KIND_SURVEY_EVIDENCE, '踏勘合格，无需实地踏勘'],
    ]);
  });

  it('reports PRE_REVIEWED and tells the origin about the originals’ pickup and the deadline as notices, without a status change', async () => {
    const id = flow.id;
    const passed = () =>
      atB(
        'review',
        id,
        PreReviewPassed,
        PreReviewPassed.fromPartial({
          caseId: id,
          originRegion: A,
          reviewer: 'reviewer-1',
          itemCode: 'SMALL_CATERING_LICENSE',
          materialsPickup: {
            recipient: '李某',
            phone: '13800000000',
            divisionCode: '411702',
            line: '驿城区解放路 1 号',
            postalCode: '463000',
          },
        }),
      );
    // Published twice (the same fact under two event ids): reported once.
    await happen(b, 'review', [passed(), passed()]);
    expect(await heldAtB(id)).toEqual([]);
    const pickup = { caseId: id, originRegion: A, shipmentId: 'p1', trackingNumber: 'SFP001' };
    await happen(b, 'logistics', [
      atB(
        'logistics',
        id,
        ShipmentDispatched,
        ShipmentDispatched.fromPartial({
          ...pickup,
          carrier: 'SIM',
          kind: ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentTracked,
        ShipmentTracked.fromPartial({
          ...pickup,
          kind: ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
          event: {
            state: ShipmentState.SHIPMENT_STATE_PICKED_UP,
            at: new Date('2026-12-20T02:00:00Z'),
            location: '驻马店市驿城区',
            description: '快递员已揽收原件',
          },
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentDelivered,
        ShipmentDelivered.fromPartial({
          ...pickup,
          kind: ShipmentKind.SHIPMENT_KIND_MATERIALS_PICKUP,
        }),
      ),
    ]);
    await happen(b, 'review', [
      atB(
        'review',
        id,
        DeadlineApproaching,
        DeadlineApproaching.fromPartial({
          caseId: id,
          originRegion: A,
          itemCode: 'SMALL_CATERING_LICENSE',
          dueAt: due.afterSecondSupplement,
        }),
      ),
      atB(
        'review',
        id,
        DeadlineOverdue,
        DeadlineOverdue.fromPartial({
          caseId: id,
          originRegion: A,
          itemCode: 'SMALL_CATERING_LICENSE',
          dueAt: due.afterSecondSupplement,
        }),
      ),
    ]);
    const { statuses, notices } = await atOrigin(id);
    expect(statuses.filter((s) => s.status === S.CASE_STATUS_PRE_REVIEWED)).toHaveLength(1);
    expect(statuses.at(-1)?.status).toBe(S.CASE_STATUS_PRE_REVIEWED);
    expect(statuses.at(-1)?.note).toContain('上门收取原件');
    // The carrier's pickup scan is the notice; its ShipmentDispatched adds nothing to the timeline.
    expect(
      notices.slice(1).map((n) => [n.notice?.kind, n.notice?.trackingNumber, n.notice?.note]),
    ).toEqual([
      [K.TIMELINE_KIND_TRACKING, 'SFP001', '原件取件：驻马店市驿城区 快递员已揽收原件'],
      [K.TIMELINE_KIND_HANDOVER, 'SFP001', '原件已送达审批部门'],
      [K.TIMELINE_KIND_DEADLINE_APPROACHING, '', '办理时限即将届满（2026-12-29 前须作出决定）'],
      [K.TIMELINE_KIND_OVERDUE, '', '已超过办理时限（应于 2026-12-29 前作出决定）'],
    ]);
    expect(notices[1]?.notice?.at).toEqual(new Date('2026-12-20T02:00:00Z'));
    expect(notices.slice(3).map((n) => n.notice?.dueAt)).toEqual([
      due.afterSecondSupplement,
      due.afterSecondSupplement,
    ]);
  });

  it('mails a window-pickup result to the origin window: issued without completing, a lost parcel resent under a new number, delivered without completing', async () => {
    const id = flow.id;
    await happen(b, 'review', [
      atB(
        'review',
        id,
        CaseApproved,
        CaseApproved.fromPartial({ caseId: id, originRegion: A, decidedBy: 'approver-1' }),
      ),
    ]);
    const result = { caseId: id, originRegion: A, kind: ShipmentKind.SHIPMENT_KIND_RESULT };
    await happen(b, 'certificate', [
      atB(
        'certificate',
        id,
        CertificateIssued,
        CertificateIssued.fromPartial({
          caseId: id,
          originRegion: A,
          certificateId: 'JY-429005-0001',
          delivery: { method: DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP },
        }),
      ),
    ]);
    await happen(b, 'logistics', [
      atB(
        'logistics',
        id,
        ShipmentDispatched,
        ShipmentDispatched.fromPartial({
          ...result,
          shipmentId: 'r1',
          carrier: 'SIM',
          trackingNumber: 'SF001',
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentTracked,
        ShipmentTracked.fromPartial({
          ...result,
          shipmentId: 'r1',
          trackingNumber: 'SF001',
          event: {
            state: ShipmentState.SHIPMENT_STATE_IN_TRANSIT,
            location: '武汉转运中心',
            description: '运输中',
          },
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentException,
        ShipmentException.fromPartial({
          ...result,
          shipmentId: 'r1',
          trackingNumber: 'SF001',
          reason: '包裹丢失',
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentExceptionResolved,
        ShipmentExceptionResolved.fromPartial({
          caseId: id,
          originRegion: A,
          shipmentId: 'r1',
          resolution: Resolution.RESOLUTION_RESEND,
          note: '已核实收件地址',
          resolvedBy: 'ops-1',
          replacementShipmentId: 'r2',
          replacementTrackingNumber: 'SF002',
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentDispatched,
        ShipmentDispatched.fromPartial({
          ...result,
          shipmentId: 'r2',
          carrier: 'SIM',
          trackingNumber: 'SF002',
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentTracked,
        ShipmentTracked.fromPartial({
          ...result,
          shipmentId: 'r2',
          trackingNumber: 'SF002',
          event: {
            state: ShipmentState.SHIPMENT_STATE_PICKED_UP,
            location: '潜江市',
            description: '已揽收',
          },
        }),
      ),
      atB(
        'logistics',
        id,
        ShipmentDelivered,
        ShipmentDelivered.fromPartial({
          ...result,
          shipmentId: 'r2',
          trackingNumber: 'SF002',
          toWindow: true,
        }),
      ),
    ]);
    const { statuses, notices } = await atOrigin(id);
    expect(statuses.slice(-4).map((s) => [s.status, s.trackingNumber])).toEqual([
      [S.CASE_STATUS_APPROVED, ''],
      [S.CASE_STATUS_CERTIFICATE_ISSUED, ''],
      [S.CASE_STATUS_DISPATCHED, 'SF001'],
      [S.CASE_STATUS_DELIVERED, 'SF002'],
    ]);
    expect(statuses.at(-3)?.certificateId).toBe('JY-429005-0001');
    // The replacement's DISPATCHED repeats a reported status: its number came with the resolution.
    expect(
      notices.slice(-4).map((n) => [n.notice?.kind, n.notice?.trackingNumber, n.notice?.note]),
    ).toEqual([
      [K.TIMELINE_KIND_TRACKING, 'SF001', '武汉转运中心 运输中'],
      [K.TIMELINE_KIND_MAIL_EXCEPTION, 'SF001', '邮件异常：包裹丢失，待工作人员处理'],
      [
        K.TIMELINE_KIND_MAIL_EXCEPTION_RESOLVED,
        'SF002',
        '邮件异常已处理：已重新寄出，新运单号 SF002（已核实收件地址）',
      ],
      [K.TIMELINE_KIND_TRACKING, 'SF002', '潜江市 已揽收'],
    ]);
    // The clerk hands the result over at A: B never reports COMPLETED for it.
    const { rows } = await b.database.pool.query<{ reported_status: string }>(
      'SELECT reported_status FROM case_channel WHERE case_id = $1',
      [id],
    );
    expect(rows).toEqual([{ reported_status: 'DELIVERED' }]);
  });

  it('completes an electronic result at issue and still sends notices after the end: renewal offered, certificate revoked', async () => {
    const id = await forwardedCase(
      'SMALL_CATERING_LICENSE',
      DeliveryMethod.DELIVERY_METHOD_ELECTRONIC,
    );
    const validUntil = new Date('2029-12-05T16:00:00Z');
    await happen(b, 'review', [
      atB(
        'review',
        id,
        ReviewStarted,
        ReviewStarted.fromPartial({ caseId: id, originRegion: A, dueAt: due.first }),
      ),
      atB('review', id, CaseApproved, CaseApproved.fromPartial({ caseId: id, originRegion: A })),
    ]);
    await happen(b, 'certificate', [
      atB(
        'certificate',
        id,
        CertificateIssued,
        CertificateIssued.fromPartial({
          caseId: id,
          originRegion: A,
          certificateId: 'JY-429005-0002',
          delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
        }),
      ),
      atB(
        'certificate',
        id,
        CertificateExpiring,
        CertificateExpiring.fromPartial({
          caseId: id,
          originRegion: A,
          certificateId: 'JY-429005-0002',
          itemCode: 'SMALL_CATERING_LICENSE',
          validUntil,
          renewalItemCode: 'SMALL_CATERING_RENEWAL',
        }),
      ),
      atB(
        'certificate',
        id,
        CertificateRevoked,
        CertificateRevoked.fromPartial({
          caseId: id,
          originRegion: A,
          certificateId: 'JY-429005-0002',
          reason: '经营场所已变更',
          revokedAt: new Date('2027-03-01T01:00:00Z'),
        }),
      ),
    ]);
    const { statuses, notices } = await atOrigin(id);
    expect(statuses.map((s) => s.status)).toEqual([
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_CERTIFICATE_ISSUED,
      S.CASE_STATUS_COMPLETED,
    ]);
    expect(notices.map((n) => n.notice)).toEqual([
      expect.objectContaining({
        kind: K.TIMELINE_KIND_RENEWAL_OFFERED,
        note: '证照 JY-429005-0002 将于 2029-12-06 到期，可申请续办',
        renewal: {
          certificateId: 'JY-429005-0002',
          validUntil,
          renewalItemCode: 'SMALL_CATERING_RENEWAL',
        },
      }),
      expect.objectContaining({
        kind: K.TIMELINE_KIND_CERTIFICATE_REVOKED,
        certificateId: 'JY-429005-0002',
        at: new Date('2027-03-01T01:00:00Z'),
        note: '证照 JY-429005-0002 已被撤销：经营场所已变更',
      }),
    ]);
  });

  it('refuses bodies sent the wrong way or answering no open round, with signed receipts and stable codes, publishing nothing', async () => {
    const id = await forwardedCase('SMALL_CATERING_LICENSE', DeliveryMethod.DELIVERY_METHOD_MAIL);
    await happen(b, 'review', [
      atB(
        'review',
        id,
        ReviewStarted,
        ReviewStarted.fromPartial({ caseId: id, originRegion: A, dueAt: due.first }),
      ),
      atB(
        'review',
        id,
        SurveyRequested,
        SurveyRequested.fromPartial({
          caseId: id,
          originRegion: A,
          request: { round: 1, checkpoints: [{ code: 'KITCHEN', description: '后厨' }] },
        }),
      ),
    ]);
    await allDelivered(b, id);
    expect(await reportedByB(id)).toEqual(['UNDER_REVIEW', 'SURVEY_REQUIRED#1']);
    const photo = await medium('KITCHEN', `后厨 ${id}`, 'image/jpeg');
    const neverPushed: SurveyMedium = { ...photo, sha256: sha256Hex(Buffer.from(randomUUID())) };
    const supplement = { round: 1, materials: [await material('ID_CARD', `身份证 ${id}`)] };
    // A's own sequence numbers go on from the transfer (1); B's from its two reports.
    const fromA = (sequence: number, body: Parameters<typeof Envelope.fromPartial>[0]) =>
      sealEnvelope(
        Envelope.fromPartial({
          messageId: randomUUID(),
          senderRegion: A,
          recipientRegion: B,
          caseId: id,
          sequence,
          createdAt: new Date(),
          ...body,
        }),
        regions.signerA,
      );
    const attempts: [string, ReturnType<typeof fromA>][] = [
      [
        'EXCHANGE.WRONG_DIRECTION',
        fromA(2, { notice: { kind: K.TIMELINE_KIND_TRACKING, note: '起始地不能发通知' } }),
      ],
      ['EXCHANGE.SUPPLEMENT_NOT_REQUESTED', fromA(3, { supplement })],
      ['EXCHANGE.SURVEY_NOT_REQUESTED', fromA(4, { surveyEvidence: { round: 2, media: [photo] } })],
      [
        'EXCHANGE.MALFORMED',
        fromA(5, {
          surveyEvidence: { round: 1, media: [{ ...photo, contentType: 'application/pdf' }] },
        }),
      ],
      ['EXCHANGE.MISSING_BLOB', fromA(6, { surveyEvidence: { round: 1, media: [neverPushed] } })],
    ];
    const toB = partnerClientOf(regions.keysDir, A, b);
    try {
      for (const [code, envelope] of attempts) {
        const answer = await toB.deliver({ envelope });
        const { receipt } = openReceipt(answer.receipt!, regions.ring);
        expect(receipt).toMatchObject({
          status: ReceiptStatus.RECEIPT_STATUS_REJECTED,
          errorCode: code,
          receiverRegion: B,
        });
        expect(receipt.errorMessage).toMatch(/拒收/);
      }
    } finally {
      toB.close();
    }
    // The handler cannot hand the origin a supplement: supplements go origin → handler only.
    const toA = partnerClientOf(regions.keysDir, B, a);
    try {
      const backwards = sealEnvelope(
        Envelope.fromPartial({
          messageId: randomUUID(),
          senderRegion: B,
          recipientRegion: A,
          caseId: id,
          sequence: 3,
          createdAt: new Date(),
          supplement,
        }),
        regions.signerB,
      );
      const answer = await toA.deliver({ envelope: backwards });
      const { receipt } = openReceipt(answer.receipt!, regions.ring);
      expect(receipt).toMatchObject({
        status: ReceiptStatus.RECEIPT_STATUS_REJECTED,
        errorCode: 'EXCHANGE.WRONG_DIRECTION',
        receiverRegion: A,
      });
      expect(receipt.errorMessage).toContain('补正材料');
    } finally {
      toA.close();
    }
    const states = async (region: RegionUnderTest, sender: string) =>
      (
        await region.database.pool.query<{ sequence: number; state: string; error_code: string }>(
          `SELECT sequence, state, error_code FROM inbound_message
            WHERE case_id = $1 AND sender_region = $2 AND sequence > $3 ORDER BY sequence`,
          [id, sender, sender === A ? 1 : 2],
        )
      ).rows.map((row) => [row.sequence, row.state, row.error_code]);
    expect(await states(b, A)).toEqual([
      [2, 'REJECTED', 'EXCHANGE.WRONG_DIRECTION'],
      [3, 'REJECTED', 'EXCHANGE.SUPPLEMENT_NOT_REQUESTED'],
      [4, 'REJECTED', 'EXCHANGE.SURVEY_NOT_REQUESTED'],
      [5, 'REJECTED', 'EXCHANGE.MALFORMED'],
      [6, 'REJECTED', 'EXCHANGE.MISSING_BLOB'],
    ]);
    expect(await states(a, B)).toEqual([[3, 'REJECTED', 'EXCHANGE.WRONG_DIRECTION']]);
    await outboxFlushedOf(b);
    const atHandler = await eventsOf(b.naming, 'exchange');
    expect(payloadsOf(atHandler, SupplementArrived, id)).toEqual([]);
    expect(payloadsOf(atHandler, SurveyMediaArrived, id)).toEqual([]);
    const { notices } = await atOrigin(id);
    expect(notices).toEqual([]);
    for (const region of [a, b]) {
      expect(await verifyLog(region.database.pool, { keys: regions.ring })).toMatchObject({
        ok: true,
      });
    }
  });

  it('publishes each item with its pre-review promise, survey and originals, lists, approval level and form fields — to partners and to the region itself', async () => {
    const ownDirectory = grpcClient(DirectoryServiceService, b.grpcAddress);
    const partnerDirectory = grpcClient(DirectoryServiceService, a.grpcAddress);
    try {
      const { catalog: own } = await ownDirectory.getOwnCatalog({});
      expect(own?.region).toBe(B);
      const byCode = new Map((own?.items ?? []).map((item) => [item.code, item]));
      expect([...byCode.keys()]).toEqual([
        'HPF_RETIREMENT_WITHDRAWAL',
        'PENSION_TRANSFER',
        'FOOD_BUSINESS_LICENSE',
        'FUNERAL_SUBSIDY',
        'SMALL_CATERING_LICENSE',
        'SMALL_CATERING_RENEWAL',
      ]);
      const summary = (item: CatalogItem | undefined) => ({
        mode: item?.mode,
        preReviewWorkingDays: item?.preReviewWorkingDays,
        surveyRequired: item?.surveyRequired,
        originalsRequired: item?.originalsRequired,
        lists: item?.lists,
        approvalDepartment: item?.approvalDepartment,
      });
      const L = ServiceList;
      expect(summary(byCode.get('HPF_RETIREMENT_WITHDRAWAL'))).toEqual({
        mode: HandlingMode.HANDLING_MODE_INSTANT,
        // No promise of its own: pre-review within the time limit.
        preReviewWorkingDays: 1,
        surveyRequired: false,
        originalsRequired: false,
        lists: [
          L.SERVICE_LIST_ZERO_VISIT,
          L.SERVICE_LIST_ON_THE_SPOT,
          L.SERVICE_LIST_SIMPLE_APPROVAL,
        ],
        approvalDepartment: '',
      });
      expect(summary(byCode.get('PENSION_TRANSFER'))).toMatchObject({
        preReviewWorkingDays: 2,
        lists: [L.SERVICE_LIST_ZERO_VISIT, L.SERVICE_LIST_SIMPLE_APPROVAL],
      });
      // The applicant must come in person: on no list (and the survey keeps it off 简易审批).
      expect(summary(byCode.get('FOOD_BUSINESS_LICENSE'))).toMatchObject({
        surveyRequired: true,
        lists: [],
      });
      expect(summary(byCode.get('FUNERAL_SUBSIDY'))).toEqual({
        mode: HandlingMode.HANDLING_MODE_TWO_LEVEL,
        preReviewWorkingDays: 2,
        surveyRequired: false,
        originalsRequired: false,
        lists: [L.SERVICE_LIST_ZERO_VISIT],
        approvalDepartment: '潜江市民政局',
      });
      expect(summary(byCode.get('SMALL_CATERING_LICENSE'))).toMatchObject({
        surveyRequired: true,
        originalsRequired: true,
        lists: [L.SERVICE_LIST_ZERO_VISIT],
      });
      expect(byCode.get('HPF_RETIREMENT_WITHDRAWAL')?.fields.slice(0, 2)).toEqual([
        {
          name: 'withdrawal_reason',
          label: '提取原因',
          required: true,
          values: [{ value: 'RETIREMENT', label: '离休或退休' }],
        },
        { name: 'account_number', label: '住房公积金个人账号', required: true, values: [] },
      ]);

      // A partner sees the same entries, for the items of its agreement only.
      const { catalog: published } = await partnerDirectory.getPartnerCatalog({ region: B });
      expect(published?.items.map((item) => item.code)).not.toContain('FOOD_BUSINESS_LICENSE');
      for (const item of published?.items ?? []) {
        expect(item).toEqual(byCode.get(item.code));
      }
    } finally {
      ownDirectory.close();
      partnerDirectory.close();
    }
  });
});
