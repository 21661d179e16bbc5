import { createHash, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicantKind,
  CaseStatus,
  Channel,
  DeliveryMethod,
  TimelineKind,
  type Agent,
  type PostalAddress,
  type SupplementRequest,
  type SurveyRequest,
} from '@tongban/contracts/tongban/case/v1/case';
import { RemoteStatusChanged } from '@tongban/contracts/tongban/exchange/v1/events';
import {
  CaseSubmitted,
  SupplementSubmitted,
  SurveyMediaSubmitted,
} from '@tongban/contracts/tongban/intake/v1/events';
import {
  BundleStatus,
  SubmitBundleRequest,
  SurveyUpload,
  type Case,
  type SubmitCaseRequest,
} from '@tongban/contracts/tongban/intake/v1/intake';
import { decodePayload } from '@tongban/kafka';
import { eventually } from '@tongban/testing';
import { bundleStatus } from '../src/bundles/bundle-view';
import {
  forwarded,
  fromExchange,
  noticed,
  refusal,
  reported,
  startIntake,
  type IntakeHarness,
} from './harness';
import {
  HANDLER,
  ORIGIN,
  regionFile,
  residentId,
  retireeSubmit,
  scan,
  upload,
  withWrongCheckDigit,
} from './support';

const S = CaseStatus;
const K = TimelineKind;
const CLERK = 'zmd-window-07';

let h: IntakeHarness;

beforeAll(async () => {
  // 岳阳 (430600) is reachable here: the retirement bundle has one of its items.
  h = await startIntake([HANDLER, '430600']);
});

afterAll(async () => {
  await h.stop();
});

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

async function submit(request: SubmitCaseRequest): Promise<Case> {
  const response = await h.intake.submitCase(request);
  if (!response.case) throw new Error('SubmitCase answered without a case');
  return response.case;
}

/** 王先生's son applies for him (seed 000: 帮代办). Synthetic numbers. */
const AGENT: Agent = {
  name: '王小明',
  identifier: residentId('41170219850615123'),
  phone: '13900000000',
  relation: '子女',
  authorizationMaterial: 'AUTHORIZATION',
};

const ADDRESS: PostalAddress = {
  recipient: '李某',
  phone: '13700000000',
  divisionCode: '411702',
  line: '驻马店市驿城区某路 8 号',
  postalCode: '463000',
};

/** 李某 opens a small eatery in 潜江 from 驻马店 (seeds 000 and 002): survey, originals, renewal. */
function cateringSubmit(overrides: Partial<SubmitCaseRequest> = {}): SubmitCaseRequest {
  return retireeSubmit({
    itemCode: 'SMALL_CATERING_LICENSE',
    applicant: {
      kind: ApplicantKind.APPLICANT_KIND_PERSON,
      identifier: residentId('42900519800101123'),
      name: '李某',
      phone: '13700000000',
    },
    materials: [
      upload('APPLICATION_FORM', 'application/pdf', scan.pdf()),
      upload('BUSINESS_LICENSE', 'image/jpeg', scan.jpeg()),
      upload('PREMISES_LAYOUT', 'application/pdf', scan.pdf()),
      upload('HEALTH_CERTIFICATE', 'image/png', scan.png()),
    ],
    fields: { shop_name: '李记小吃', premises_address: '潜江市园林街道某路 1 号', seats: '20' },
    delivery: { method: DeliveryMethod.DELIVERY_METHOD_MAIL, address: ADDRESS },
    ...overrides,
  });
}

/** Reports up to UNDER_REVIEW, the usual start of every scenario. */
async function underReview(caseId: string, extra: Partial<RemoteStatusChanged> = {}) {
  await h.publish(
    forwarded(caseId),
    reported(caseId, S.CASE_STATUS_RECEIVED),
    reported(caseId, S.CASE_STATUS_UNDER_REVIEW, extra),
  );
}

// ---------------------------------------------------------------------------------------------

describe('proxy (帮代办)', () => {
  it('accepts an agent with the authorization, even unlisted; carried in CaseSubmitted', async () => {
    const request = retireeSubmit({ agent: AGENT });
    const authorization = scan.pdf();
    request.materials.push(upload('AUTHORIZATION', 'application/pdf', authorization));
    const accepted = await submit(request);

    expect(accepted.agent).toEqual(AGENT);
    expect(accepted.materials.at(-1)).toMatchObject({
      code: 'AUTHORIZATION',
      name: '授权委托书',
      sha256: sha256(authorization),
    });
    expect(accepted.timeline[0]?.note).toContain('子女代办');
    const [event] = await h.intakeEvents(accepted.caseId, 1);
    const submitted = decodePayload(CaseSubmitted, event!);
    expect(submitted.agent).toEqual(AGENT);
    expect(submitted.materials.map((material) => material.code)).toContain('AUTHORIZATION');
    expect((await h.intake.getCase({ caseId: accepted.caseId })).case?.agent).toEqual(AGENT);
    // The case was logged, the agent's ID number and phone were not.
    expect(h.logLines.some((line) => line.includes(accepted.caseId))).toBe(true);
    expect(h.logLines.filter((line) => line.includes(AGENT.identifier))).toEqual([]);
    expect(h.logLines.filter((line) => line.includes(AGENT.phone))).toEqual([]);
  });

  it('refuses an agent who is the applicant, without authorization or phone: nothing written', async () => {
    const before = await h.footprint();
    const withAuthorization = (agent: Agent) => {
      const request = retireeSubmit({ agent });
      request.materials.push(upload('AUTHORIZATION', 'application/pdf', scan.pdf()));
      return request;
    };
    const cases: [string, SubmitCaseRequest, string][] = [
      [
        'the applicant as their own agent',
        withAuthorization({ ...AGENT, identifier: retireeSubmit().applicant!.identifier }),
        'INTAKE.AGENT_IS_APPLICANT',
      ],
      [
        'no authorization handed in',
        retireeSubmit({ agent: AGENT }),
        'INTAKE.AUTHORIZATION_MISSING',
      ],
      ['no agent phone', withAuthorization({ ...AGENT, phone: '' }), 'INTAKE.INVALID_AGENT_PHONE'],
      [
        'agent ID with a wrong check digit',
        withAuthorization({ ...AGENT, identifier: withWrongCheckDigit(AGENT.identifier) }),
        'INTAKE.INVALID_AGENT_ID',
      ],
    ];
    for (const [what, request, code] of cases) {
      const error = await refusal(h.intake.submitCase(request));
      expect({ what, code: error.errorCode, status: error.grpcCode }).toEqual({
        what,
        code,
        status: status.INVALID_ARGUMENT,
      });
      expect(error.message).not.toContain(AGENT.phone);
    }
    expect(await h.footprint()).toEqual(before);
    expect(h.logLines.filter((line) => line.includes(AGENT.identifier.slice(0, 17)))).toEqual([]);
  });
});

describe('originals collected by mail (邮寄办)', () => {
  it('carries the pickup address for an item that needs the originals', async () => {
    const accepted = await submit(cateringSubmit({ materialsPickup: ADDRESS }));
    expect(accepted.materialsPickup).toEqual(ADDRESS);
    const [event] = await h.intakeEvents(accepted.caseId, 1);
    expect(decodePayload(CaseSubmitted, event!).materialsPickup).toEqual(ADDRESS);
  });

  it('refuses it for an item without originals, and an incomplete one', async () => {
    const before = await h.footprint();
    const notNeeded = await refusal(
      h.intake.submitCase(retireeSubmit({ materialsPickup: ADDRESS })),
    );
    expect(notNeeded).toMatchObject({
      errorCode: 'INTAKE.PICKUP_NOT_NEEDED',
      grpcCode: status.FAILED_PRECONDITION,
    });
    const incomplete = await refusal(
      h.intake.submitCase(cateringSubmit({ materialsPickup: { ...ADDRESS, phone: '' } })),
    );
    expect(incomplete.errorCode).toBe('INTAKE.PICKUP_ADDRESS_INCOMPLETE');
    expect(await h.footprint()).toEqual(before);
  });
});

describe('supplement (补正) at the window', () => {
  it('shows the open request, takes the materials once, and publishes SupplementSubmitted', async () => {
    const accepted = await submit(retireeSubmit());
    const { caseId } = accepted;
    const dueAt = new Date('2026-12-04T10:00:00.000Z');
    const request: SupplementRequest = {
      round: 1,
      materials: [
        { code: 'RETIREMENT_PROOF', name: '退休证或养老金领取证明', reason: '复印件不清晰' },
      ],
      note: '请补交清晰的退休证明',
      requestedBy: 'qj-hpf-reviewer-01',
      requestedAt: new Date(),
    };
    await underReview(caseId, { dueAt });
    await h.publish(
      reported(caseId, S.CASE_STATUS_SUPPLEMENT_REQUESTED, {
        note: request.note,
        supplementRequest: request,
      }),
    );
    const waiting = await h.caseWhen(
      caseId,
      (found) => found.status === S.CASE_STATUS_SUPPLEMENT_REQUESTED,
    );
    expect(waiting.openSupplement).toEqual(request);
    expect(waiting.dueAt).toEqual(dueAt);

    const before = await h.footprint();
    const proof = scan.pdf();
    const answer = {
      caseId,
      round: 1,
      materials: [upload('RETIREMENT_PROOF', 'application/pdf', proof)],
      note: '已补交原件扫描件',
      submittedBy: CLERK,
    };
    const stale = await refusal(h.intake.submitSupplement({ ...answer, round: 2 }));
    expect(stale).toMatchObject({
      errorCode: 'INTAKE.STALE_ROUND',
      grpcCode: status.FAILED_PRECONDITION,
    });
    const missing = await refusal(
      h.intake.submitSupplement({
        ...answer,
        materials: [upload('BANK_CARD', 'image/png', scan.png())],
      }),
    );
    expect(missing.errorCode).toBe('INTAKE.MISSING_MATERIAL');
    expect(missing.message).toContain('退休证或养老金领取证明（RETIREMENT_PROOF）');
    expect(await h.footprint()).toEqual(before);

    const answered = (await h.intake.submitSupplement(answer)).case!;
    expect(answered.materials.at(-1)).toMatchObject({
      code: 'RETIREMENT_PROOF',
      name: '退休证或养老金领取证明',
      sha256: sha256(proof),
    });
    expect((await h.blob(sha256(proof))).equals(proof)).toBe(true);
    const rounds = await h.database.pool.query<{ round: number }>(
      'SELECT round FROM case_material WHERE case_id = $1 ORDER BY position',
      [caseId],
    );
    expect(rounds.rows.map((row) => row.round)).toEqual([0, 0, 0, 1]);

    const events = await h.intakeEvents(caseId, 2);
    expect(events.map((event) => event.typeName)).toEqual([
      CaseSubmitted.$type,
      SupplementSubmitted.$type,
    ]);
    expect(decodePayload(SupplementSubmitted, events[1]!)).toEqual({
      caseId,
      handlingRegion: HANDLER,
      round: 1,
      materials: [
        {
          code: 'RETIREMENT_PROOF',
          name: '退休证或养老金领取证明',
          sha256: sha256(proof),
          sizeBytes: proof.length,
          contentType: 'application/pdf',
        },
      ],
      note: '已补交原件扫描件',
      submittedBy: CLERK,
    });
    expect(events[1]!.metadata.correlationId).toBe(events[0]!.metadata.correlationId);

    const again = await refusal(h.intake.submitSupplement(answer));
    expect(again.errorCode).toBe('INTAKE.ROUND_ALREADY_SUBMITTED');

    // The reviewer got it: the request is no longer open, the deadline moved on.
    const resumed = new Date('2026-12-07T10:00:00.000Z');
    await h.publish(reported(caseId, S.CASE_STATUS_SUPPLEMENTED, { dueAt: resumed }));
    const supplemented = await h.caseWhen(
      caseId,
      (found) => found.status === S.CASE_STATUS_SUPPLEMENTED,
    );
    expect(supplemented.openSupplement).toBeUndefined();
    expect(supplemented.dueAt).toEqual(resumed);
    const closed = await refusal(h.intake.submitSupplement({ ...answer, round: 1 }));
    expect(closed.errorCode).toBe('INTAKE.SUPPLEMENT_NOT_OPEN');
  });
});

describe('remote survey (远程踏勘) at the window', () => {
  it('checks the media against the request, then publishes SurveyMediaSubmitted', async () => {
    const { caseId } = await submit(cateringSubmit());
    const requestedAt = new Date(Date.now() - 60 * 60_000);
    const request: SurveyRequest = {
      round: 1,
      checkpoints: [
        { code: 'KITCHEN', description: '后厨操作间全景' },
        { code: 'SINK', description: '清洗消毒水池' },
      ],
      note: '请拍摄后厨和水池，视频需连续拍摄',
      requestedBy: 'qj-amr-reviewer-02',
      requestedAt,
    };
    await underReview(caseId);
    await h.publish(
      reported(caseId, S.CASE_STATUS_PRE_REVIEWED),
      reported(caseId, S.CASE_STATUS_SURVEY_REQUIRED, { surveyRequest: request }),
    );
    const waiting = await h.caseWhen(
      caseId,
      (found) => found.status === S.CASE_STATUS_SURVEY_REQUIRED,
    );
    expect(waiting.openSurvey).toEqual(request);

    const taken = new Date(Date.now() - 10 * 60_000);
    const photo = scan.jpeg();
    const video = scan.mp4();
    const media = [
      SurveyUpload.fromPartial({
        checkpoint: 'KITCHEN',
        contentType: 'image/jpeg',
        content: photo,
        capturedAt: taken,
        description: '后厨全景',
      }),
      SurveyUpload.fromPartial({
        checkpoint: 'SINK',
        contentType: 'video/mp4',
        content: video,
        capturedAt: taken,
      }),
    ];
    const answer = { caseId, round: 1, media, submittedBy: CLERK };
    const before = await h.footprint();
    const refused: [string, SurveyUpload[], string][] = [
      [
        'a photo taken before the request',
        [{ ...media[0]!, capturedAt: new Date(requestedAt.getTime() - 1_000) }, media[1]!],
        'INTAKE.CAPTURED_BEFORE_REQUEST',
      ],
      [
        'a capture time in the future',
        [{ ...media[0]!, capturedAt: new Date(Date.now() + 86_400_000) }, media[1]!],
        'INTAKE.CAPTURED_IN_FUTURE',
      ],
      ['no capture time', [{ ...media[0]!, capturedAt: undefined }], 'INTAKE.CAPTURED_AT_REQUIRED'],
      [
        'a PDF declared as a photo',
        [{ ...media[0]!, content: scan.pdf() }, media[1]!],
        'INTAKE.MEDIUM_TYPE_MISMATCH',
      ],
      [
        'a document type',
        [{ ...media[0]!, contentType: 'application/pdf', content: scan.pdf() }],
        'INTAKE.MEDIUM_TYPE_NOT_ALLOWED',
      ],
      ['a checkpoint left out', [media[0]!], 'INTAKE.CHECKPOINT_NOT_COVERED'],
    ];
    for (const [what, uploads, code] of refused) {
      const error = await refusal(h.intake.submitSurveyMedia({ ...answer, media: uploads }));
      expect({ what, code: error.errorCode }).toEqual({ what, code });
      expect(error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    const stale = await refusal(h.intake.submitSurveyMedia({ ...answer, round: 2 }));
    expect(stale.errorCode).toBe('INTAKE.STALE_ROUND');
    expect(await h.footprint()).toEqual(before);

    await h.intake.submitSurveyMedia(answer);
    expect((await h.blob(sha256(video))).equals(video)).toBe(true);
    const events = await h.intakeEvents(caseId, 2);
    expect(events[1]!.typeName).toBe(SurveyMediaSubmitted.$type);
    expect(decodePayload(SurveyMediaSubmitted, events[1]!)).toEqual({
      caseId,
      handlingRegion: HANDLER,
      round: 1,
      media: [
        {
          checkpoint: 'KITCHEN',
          sha256: sha256(photo),
          sizeBytes: photo.length,
          contentType: 'image/jpeg',
          capturedAt: taken,
          description: '后厨全景',
        },
        {
          checkpoint: 'SINK',
          sha256: sha256(video),
          sizeBytes: video.length,
          contentType: 'video/mp4',
          capturedAt: taken,
          description: '',
        },
      ],
      submittedBy: CLERK,
    });
    expect(await h.count('survey_medium')).toBe(before.survey_medium! + 2);
    const again = await refusal(h.intake.submitSurveyMedia(answer));
    expect(again.errorCode).toBe('INTAKE.ROUND_ALREADY_SUBMITTED');

    await h.publish(reported(caseId, S.CASE_STATUS_SURVEYED));
    const surveyed = await h.caseWhen(caseId, (found) => found.status === S.CASE_STATUS_SURVEYED);
    expect(surveyed.openSurvey).toBeUndefined();
  });
});

describe('notices from the handling region', () => {
  it('records each once as an entry of its kind, with its effect on the case', async () => {
    const { caseId } = await submit(cateringSubmit());
    await underReview(caseId);
    const t = (minutes: number) => new Date(Date.UTC(2026, 10, 24, 1, minutes));
    const dueAt = new Date('2026-12-08T09:00:00.000Z');
    const exception = noticed(caseId, {
      kind: K.TIMELINE_KIND_MAIL_EXCEPTION,
      at: t(4),
      note: '原件邮件被退回',
      trackingNumber: 'SF1000000001',
    });
    await h.publish(
      noticed(caseId, {
        kind: K.TIMELINE_KIND_TRACKING,
        at: t(1),
        note: '原件已揽收',
        trackingNumber: 'SF1000000001',
      }),
      noticed(caseId, { kind: K.TIMELINE_KIND_DEADLINE_APPROACHING, at: t(2), dueAt }),
      noticed(caseId, { kind: K.TIMELINE_KIND_OVERDUE, at: t(3), dueAt, note: '已超期' }),
      exception,
      // The exchange sent the same notice again, under a new event id.
      noticed(caseId, { ...exception.payload.notice }),
    );
    const noticedCase = await h.caseWhen(caseId, (found) => found.mailException);
    const notices = noticedCase.timeline.filter(
      (entry) => entry.kind !== K.TIMELINE_KIND_UNSPECIFIED,
    );
    expect(notices.map((entry) => [entry.kind, entry.status, entry.region, entry.note])).toEqual([
      [
        K.TIMELINE_KIND_TRACKING,
        S.CASE_STATUS_UNSPECIFIED,
        HANDLER,
        '原件已揽收；运单号 SF1000000001',
      ],
      [
        K.TIMELINE_KIND_DEADLINE_APPROACHING,
        S.CASE_STATUS_UNSPECIFIED,
        HANDLER,
        '办理时限已用去八成',
      ],
      [K.TIMELINE_KIND_OVERDUE, S.CASE_STATUS_UNSPECIFIED, HANDLER, '已超期'],
      [
        K.TIMELINE_KIND_MAIL_EXCEPTION,
        S.CASE_STATUS_UNSPECIFIED,
        HANDLER,
        '原件邮件被退回；运单号 SF1000000001',
      ],
    ]);
    expect(noticedCase).toMatchObject({
      status: S.CASE_STATUS_UNDER_REVIEW,
      overdue: true,
      dueAt,
      mailException: true,
    });
    expect(noticedCase.timeline.every((entry) => entry.caseId === caseId)).toBe(true);

    await h.publish(
      noticed(caseId, {
        kind: K.TIMELINE_KIND_MAIL_EXCEPTION_RESOLVED,
        at: t(5),
        note: '已重新寄出',
      }),
    );
    const resolved = await h.caseWhen(caseId, (found) => !found.mailException);
    expect(resolved.timeline.at(-1)).toMatchObject({
      kind: K.TIMELINE_KIND_MAIL_EXCEPTION_RESOLVED,
      note: '已重新寄出',
    });
    // Notices do not move the case.
    expect(resolved.status).toBe(S.CASE_STATUS_UNDER_REVIEW);
  });

  it('skips reports about cases this region handles for a partner, without dead-lettering', async () => {
    const partnersCase = '429005-20261122-000042';
    const events = [
      fromExchange(
        partnersCase,
        RemoteStatusChanged,
        RemoteStatusChanged.fromPartial({
          caseId: partnersCase,
          handlingRegion: ORIGIN,
          status: S.CASE_STATUS_WITHDRAWN,
          at: new Date(),
        }),
      ),
    ];
    await h.publish(...events);
    await h.handled(events);
  });
});

describe('HandOverResult', () => {
  it('completes a window-pickup case once the result arrived at the window', async () => {
    const { caseId } = await submit(
      cateringSubmit({
        delivery: { method: DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP, address: undefined },
      }),
    );
    await underReview(caseId);
    await h.publish(
      reported(caseId, S.CASE_STATUS_APPROVED),
      reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, { certificateId: 'QJ-XCY-2026-000007' }),
      reported(caseId, S.CASE_STATUS_DISPATCHED, { trackingNumber: 'EMS0000000007' }),
    );
    await h.caseWhen(caseId, (found) => found.status === S.CASE_STATUS_DISPATCHED);
    const early = await refusal(h.intake.handOverResult({ caseId, handedOverBy: CLERK }));
    expect(early).toMatchObject({
      errorCode: 'INTAKE.RESULT_NOT_DELIVERED',
      grpcCode: status.FAILED_PRECONDITION,
    });
    expect(early.message).toContain('已寄出');

    await h.publish(reported(caseId, S.CASE_STATUS_DELIVERED));
    await h.caseWhen(caseId, (found) => found.status === S.CASE_STATUS_DELIVERED);
    const missingClerk = await refusal(h.intake.handOverResult({ caseId, handedOverBy: ' ' }));
    expect(missingClerk.errorCode).toBe('INTAKE.CLERK_REQUIRED');
    const completed = (await h.intake.handOverResult({ caseId, handedOverBy: CLERK })).case!;
    expect(completed.status).toBe(S.CASE_STATUS_COMPLETED);
    // Completed when handed over: the time of the entry the window wrote.
    expect(completed.completedAt).toEqual(completed.timeline.at(-1)?.at);
    expect(completed.timeline.at(-1)).toMatchObject({
      status: S.CASE_STATUS_COMPLETED,
      kind: K.TIMELINE_KIND_UNSPECIFIED,
      region: ORIGIN,
      note: '窗口已将办理结果交付申请人',
    });
    const actor = await h.database.pool.query<{ actor: string }>(
      "SELECT actor FROM timeline_entry WHERE case_id = $1 AND status = 'COMPLETED'",
      [caseId],
    );
    expect(actor.rows).toEqual([{ actor: CLERK }]);
    const twice = await refusal(h.intake.handOverResult({ caseId, handedOverBy: CLERK }));
    expect(twice.errorCode).toBe('INTAKE.RESULT_NOT_DELIVERED');
  });

  it('refuses a case whose result is not collected at the window', async () => {
    const { caseId } = await submit(retireeSubmit());
    const error = await refusal(h.intake.handOverResult({ caseId, handedOverBy: CLERK }));
    expect(error.errorCode).toBe('INTAKE.NOT_WINDOW_PICKUP');
  });
});

describe('renewal offers (无感智办)', () => {
  it('turns a reminder into an offer and the accepted offer into one renewal case', async () => {
    const request = cateringSubmit({ agent: AGENT });
    request.materials.push(upload('AUTHORIZATION', 'application/pdf', scan.pdf()));
    const original = await submit(request);
    const { caseId } = original;
    const certificateId = 'QJ-XCY-2026-000001';
    await underReview(caseId);
    await h.publish(
      reported(caseId, S.CASE_STATUS_APPROVED),
      reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, { certificateId }),
      reported(caseId, S.CASE_STATUS_COMPLETED),
    );
    await h.caseWhen(caseId, (found) => found.status === S.CASE_STATUS_COMPLETED);

    const validUntil = new Date('2029-11-21T16:00:00.000Z');
    const reminder = noticed(caseId, {
      kind: K.TIMELINE_KIND_RENEWAL_OFFERED,
      at: new Date('2029-10-22T01:00:00.000Z'),
      note: '小餐饮经营许可证将于 2029-11-22 到期，可办理延续',
      renewal: { certificateId, validUntil, renewalItemCode: 'SMALL_CATERING_RENEWAL' },
    });
    // Accepted also for a completed case; the same reminder twice is one offer.
    await h.publish(reminder, noticed(caseId, { ...reminder.payload.notice }));
    const reminded = await h.caseWhen(caseId, (found) =>
      found.timeline.some((entry) => entry.kind === K.TIMELINE_KIND_RENEWAL_OFFERED),
    );
    expect(reminded.status).toBe(S.CASE_STATUS_COMPLETED);
    const open = await h.intake.listRenewalOffers({ openOnly: true });
    const offers = open.offers.filter((offer) => offer.caseId === caseId);
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({
      caseId,
      certificateId,
      handlingRegion: HANDLER,
      itemCode: 'SMALL_CATERING_RENEWAL',
      validUntil,
      offeredAt: reminder.payload.notice!.at,
      renewalCaseId: '',
    });
    expect(offers[0]?.offerId).toMatch(/^[0-9a-f-]{36}$/);
    const { offerId } = offers[0]!;

    const accept = {
      offerId,
      submittedBy: CLERK,
      channel: Channel.CHANNEL_WINDOW,
      delivery: undefined,
      fields: { changed: 'NO' },
    };
    const renewal = (await h.intake.acceptRenewalOffer(accept)).case!;
    expect(renewal).toMatchObject({
      itemCode: 'SMALL_CATERING_RENEWAL',
      itemName: '小餐饮经营许可延续',
      handlingRegion: HANDLER,
      renewsCertificateId: certificateId,
      applicant: original.applicant,
      agent: AGENT,
      delivery: original.delivery,
      status: S.CASE_STATUS_SUBMITTED,
    });
    expect(renewal.fields).toEqual({
      shop_name: '李记小吃',
      premises_address: '潜江市园林街道某路 1 号',
      seats: '20',
      previous_certificate_id: certificateId,
      changed: 'NO',
    });
    expect(renewal.materials.map((material) => material.code)).toEqual(['AUTHORIZATION']);
    const [event] = await h.intakeEvents(renewal.caseId, 1);
    expect(decodePayload(CaseSubmitted, event!)).toMatchObject({
      itemCode: 'SMALL_CATERING_RENEWAL',
      renewsCertificateId: certificateId,
      agent: AGENT,
    });

    const again = (await h.intake.acceptRenewalOffer({ ...accept, fields: { changed: 'YES' } }))
      .case!;
    expect(again.caseId).toBe(renewal.caseId);
    expect(
      (await h.intake.listRenewalOffers({ openOnly: true })).offers.map((offer) => offer.offerId),
    ).not.toContain(offerId);
    const all = await h.intake.listRenewalOffers({ openOnly: false });
    expect(all.offers.find((offer) => offer.offerId === offerId)?.renewalCaseId).toBe(
      renewal.caseId,
    );
  });

  it('refuses an offer whose certificate was revoked, and an unknown offer', async () => {
    const { caseId } = await submit(cateringSubmit());
    const certificateId = 'QJ-XCY-2026-000002';
    await underReview(caseId);
    await h.publish(
      reported(caseId, S.CASE_STATUS_APPROVED),
      reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, { certificateId }),
      reported(caseId, S.CASE_STATUS_COMPLETED),
      noticed(caseId, {
        kind: K.TIMELINE_KIND_RENEWAL_OFFERED,
        renewal: {
          certificateId,
          validUntil: new Date('2029-11-21T16:00:00.000Z'),
          renewalItemCode: 'SMALL_CATERING_RENEWAL',
        },
      }),
      noticed(caseId, {
        kind: K.TIMELINE_KIND_CERTIFICATE_REVOKED,
        note: '经营场所被依法查封，许可证撤销',
        certificateId,
      }),
    );
    const revoked = await h.caseWhen(caseId, (found) =>
      found.timeline.some((entry) => entry.kind === K.TIMELINE_KIND_CERTIFICATE_REVOKED),
    );
    expect(revoked.timeline.at(-1)?.note).toBe(
      `经营场所被依法查封，许可证撤销；证照编号 ${certificateId}`,
    );
    const all = await h.intake.listRenewalOffers({ openOnly: false });
    const offer = all.offers.find((candidate) => candidate.caseId === caseId)!;
    const before = await h.footprint();
    const error = await refusal(
      h.intake.acceptRenewalOffer({
        offerId: offer.offerId,
        submittedBy: CLERK,
        channel: Channel.CHANNEL_WINDOW,
        delivery: undefined,
        fields: { changed: 'NO' },
      }),
    );
    expect(error.errorCode).toBe('INTAKE.CERTIFICATE_REVOKED');
    const unknown = await refusal(
      h.intake.acceptRenewalOffer({
        offerId: randomUUID(),
        submittedBy: CLERK,
        channel: Channel.CHANNEL_WINDOW,
        delivery: undefined,
        fields: {},
      }),
    );
    expect(unknown).toMatchObject({
      errorCode: 'INTAKE.OFFER_NOT_FOUND',
      grpcCode: status.NOT_FOUND,
    });
    expect(await h.footprint()).toEqual(before);
  });

  it('checks the renewal’s fields as merged from the expiring case and the window; the offer stays open', async () => {
    const { caseId } = await submit(cateringSubmit());
    const certificateId = 'QJ-XCY-2026-000003';
    await underReview(caseId);
    await h.publish(
      reported(caseId, S.CASE_STATUS_APPROVED),
      reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, { certificateId }),
      reported(caseId, S.CASE_STATUS_COMPLETED),
      noticed(caseId, {
        kind: K.TIMELINE_KIND_RENEWAL_OFFERED,
        renewal: {
          certificateId,
          validUntil: new Date('2029-11-21T16:00:00.000Z'),
          renewalItemCode: 'SMALL_CATERING_RENEWAL',
        },
      }),
    );
    await h.caseWhen(caseId, (found) =>
      found.timeline.some((entry) => entry.kind === K.TIMELINE_KIND_RENEWAL_OFFERED),
    );
    const { offers } = await h.intake.listRenewalOffers({ openOnly: true });
    const offer = offers.find((candidate) => candidate.caseId === caseId)!;
    const accept = (fields: Record<string, string>) =>
      h.intake.acceptRenewalOffer({
        offerId: offer.offerId,
        submittedBy: CLERK,
        channel: Channel.CHANNEL_WINDOW,
        delivery: undefined,
        fields,
      });
    const before = await h.footprint();

    // The expiring case never asked whether anything changed: the window must answer it.
    const unanswered = await refusal(accept({}));
    expect(unanswered).toMatchObject({
      errorCode: 'INTAKE.MISSING_FIELD',
      grpcCode: status.INVALID_ARGUMENT,
    });
    expect(unanswered.message).toContain('缺少必填项：经营条件是否变化（changed）');
    // A copied answer blanked at the window is missing too.
    const blanked = await refusal(accept({ changed: 'NO', shop_name: ' ' }));
    expect(blanked.errorCode).toBe('INTAKE.MISSING_FIELD');
    expect(blanked.message).toContain('缺少必填项：店铺名称（shop_name）');
    const invalid = await refusal(accept({ changed: 'MAYBE' }));
    expect(invalid).toMatchObject({
      errorCode: 'INTAKE.INVALID_FIELD_VALUE',
      grpcCode: status.INVALID_ARGUMENT,
    });
    expect(invalid.message).toContain(
      '“经营条件是否变化”（changed）不能填“MAYBE”，可选：未变化（NO）、有变化（YES）',
    );
    expect(await h.footprint()).toEqual(before);
    const open = await h.intake.listRenewalOffers({ openOnly: true });
    expect(open.offers.map((candidate) => candidate.offerId)).toContain(offer.offerId);

    const renewal = (await accept({ changed: 'YES' })).case!;
    expect(renewal).toMatchObject({ renewsCertificateId: certificateId });
    expect(renewal.fields).toMatchObject({
      previous_certificate_id: certificateId,
      changed: 'YES',
    });
  });
});

describe('one-thing bundles (一件事)', () => {
  // 驻马店's retirement bundle, as its region file names it: 潜江's two items and 岳阳's one.
  const definition = regionFile(ORIGIN).bundles[0]!;
  const retiree = retireeSubmit();
  const bundleRequest = (overrides: Partial<SubmitBundleRequest> = {}) =>
    SubmitBundleRequest.fromPartial({
      idempotencyKey: '',
      bundleCode: definition.code,
      applicant: retiree.applicant,
      delivery: { method: DeliveryMethod.DELIVERY_METHOD_ELECTRONIC },
      channel: Channel.CHANNEL_WINDOW,
      submittedBy: CLERK,
      parts: [
        {
          handlingRegion: HANDLER,
          itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
          materials: retireeSubmit().materials,
          fields: retiree.fields,
        },
        {
          handlingRegion: HANDLER,
          itemCode: 'PENSION_TRANSFER',
          materials: [
            upload('ID_CARD', 'image/jpeg', scan.jpeg()),
            upload('TRANSFER_APPLICATION', 'application/pdf', scan.pdf()),
            upload('CONTRIBUTION_CERTIFICATE', 'application/pdf', scan.pdf()),
          ],
          fields: { transfer_from: '潜江市社会保险事业局' },
        },
        {
          handlingRegion: '430600',
          itemCode: 'HPF_DEPOSIT_CERTIFICATE',
          materials: [upload('ID_CARD', 'image/jpeg', scan.jpeg())],
          fields: { account_number: '4306000001', purpose: 'HOUSE_PURCHASE_LOAN' },
        },
      ],
      ...overrides,
    });

  it('lists the region’s bundles with the items’ names and departments', async () => {
    const { bundles } = await h.intake.listBundleDefinitions({});
    expect(bundles).toEqual([
      {
        code: definition.code,
        name: definition.name,
        items: [
          {
            handlingRegion: HANDLER,
            itemCode: 'HPF_RETIREMENT_WITHDRAWAL',
            itemName: '离退休提取住房公积金',
            department: '潜江市住房公积金中心',
          },
          {
            handlingRegion: HANDLER,
            itemCode: 'PENSION_TRANSFER',
            itemName: '企业职工基本养老保险关系转移接续',
            department: '潜江市人力资源和社会保障局',
          },
          {
            handlingRegion: '430600',
            itemCode: 'HPF_DEPOSIT_CERTIFICATE',
            itemName: '出具贷款职工住房公积金缴存使用证明',
            department: '岳阳市住房公积金管理中心',
          },
        ],
      },
    ]);
  });

  it('refuses the whole bundle for one bad part, naming it; nothing written', async () => {
    const before = await h.footprint();
    const bad = bundleRequest();
    bad.parts[1]!.materials.pop();
    const error = await refusal(h.intake.submitBundle(bad));
    expect(error).toMatchObject({
      errorCode: 'INTAKE.MISSING_MATERIAL',
      grpcCode: status.FAILED_PRECONDITION,
    });
    expect(error.message).toContain(`一件事“${definition.name}”未受理`);
    expect(error.message).toContain('企业职工基本养老保险关系转移接续”（潜江市）');
    expect(error.message).toContain('参保缴费凭证（CONTRIBUTION_CERTIFICATE）');

    const mismatch = bundleRequest();
    mismatch.parts[2] = { ...mismatch.parts[0]! };
    const parts = await refusal(h.intake.submitBundle(mismatch));
    expect(parts.errorCode).toBe('INTAKE.BUNDLE_PARTS_MISMATCH');
    expect(parts.message).toMatch(/缺少事项 HPF_DEPOSIT_CERTIFICATE（430600）.*重复/);

    const unknown = await refusal(h.intake.submitBundle(bundleRequest({ bundleCode: 'NOPE' })));
    expect(unknown.errorCode).toBe('INTAKE.BUNDLE_NOT_OFFERED');
    expect(await h.footprint()).toEqual(before);
  });

  it('refuses the whole bundle for a part’s incomplete form, naming the part and the field', async () => {
    const before = await h.footprint();
    const incomplete = bundleRequest();
    incomplete.parts[1]!.fields = {};
    const missing = await refusal(h.intake.submitBundle(incomplete));
    expect(missing).toMatchObject({
      errorCode: 'INTAKE.MISSING_FIELD',
      grpcCode: status.INVALID_ARGUMENT,
    });
    expect(missing.message).toContain(`一件事“${definition.name}”未受理`);
    expect(missing.message).toContain('企业职工基本养老保险关系转移接续”（潜江市）');
    expect(missing.message).toContain('缺少必填项：转出地社保经办机构（transfer_from）');

    // The last part is checked too, once the others passed.
    const wrong = bundleRequest();
    wrong.parts[2]!.fields = { account_number: '4306000001', purpose: 'RENTING' };
    const invalid = await refusal(h.intake.submitBundle(wrong));
    expect(invalid.errorCode).toBe('INTAKE.INVALID_FIELD_VALUE');
    expect(invalid.message).toContain('（岳阳市）');
    expect(invalid.message).toContain('“证明用途”（purpose）不能填“RENTING”');
    expect(await h.footprint()).toEqual(before);
  });

  it('accepts every part in one go, and shows the cases with one merged timeline', async () => {
    const request = bundleRequest({ idempotencyKey: `${CLERK}:${randomUUID()}` });
    const outboxBefore = await h.count('outbox');
    const bundle = (await h.intake.submitBundle(request)).bundle!;
    expect(bundle).toMatchObject({
      bundleCode: definition.code,
      name: definition.name,
      status: BundleStatus.BUNDLE_STATUS_OPEN,
    });
    expect(bundle.bundleId).toMatch(/^YJS-411700-\d{8}-\d{6}$/);
    expect(bundle.cases.map((found) => [found.handlingRegion, found.itemCode])).toEqual([
      [HANDLER, 'HPF_RETIREMENT_WITHDRAWAL'],
      [HANDLER, 'PENSION_TRANSFER'],
      ['430600', 'HPF_DEPOSIT_CERTIFICATE'],
    ]);
    expect(bundle.cases.every((found) => found.bundleId === bundle.bundleId)).toBe(true);
    expect(await h.count('outbox')).toBe(outboxBefore + 3);
    for (const found of bundle.cases) {
      const [event] = await h.intakeEvents(found.caseId, 1);
      expect(decodePayload(CaseSubmitted, event!).bundleId).toBe(bundle.bundleId);
    }
    const retried = (await h.intake.submitBundle(request)).bundle!;
    expect(retried.bundleId).toBe(bundle.bundleId);
    expect(await h.count('outbox')).toBe(outboxBefore + 3);

    const [hpf, pension, deposit] = bundle.cases.map((found) => found.caseId) as [
      string,
      string,
      string,
    ];
    const done = (caseId: string, region = HANDLER) => [
      forwarded(caseId, region),
      reported(caseId, S.CASE_STATUS_RECEIVED, { handlingRegion: region }),
      reported(caseId, S.CASE_STATUS_UNDER_REVIEW, { handlingRegion: region }),
      reported(caseId, S.CASE_STATUS_APPROVED, { handlingRegion: region }),
      reported(caseId, S.CASE_STATUS_CERTIFICATE_ISSUED, {
        handlingRegion: region,
        certificateId: `C-${caseId}`,
      }),
      reported(caseId, S.CASE_STATUS_COMPLETED, { handlingRegion: region }),
    ];
    await h.publish(...done(hpf), ...done(deposit, '430600'));
    await h.publish(
      forwarded(pension),
      reported(pension, S.CASE_STATUS_RECEIVED),
      reported(pension, S.CASE_STATUS_UNDER_REVIEW),
      reported(pension, S.CASE_STATUS_REJECTED, { note: '转出地尚未开具参保缴费凭证' }),
    );
    const closed = await eventually(async () => {
      const found = (await h.intake.getBundle({ bundleId: bundle.bundleId })).bundle!;
      expect(found.status).toBe(BundleStatus.BUNDLE_STATUS_CLOSED_INCOMPLETE);
      return found;
    });
    expect(closed.timeline).toHaveLength(
      closed.cases.reduce((sum, found) => sum + found.timeline.length, 0),
    );
    const times = closed.timeline.map((entry) => entry.at!.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(closed.timeline.map((entry) => entry.caseId))).toEqual(
      new Set([hpf, pension, deposit]),
    );
    expect(
      closed.timeline.filter((entry) => entry.caseId === pension).map((entry) => entry.status),
    ).toEqual([
      S.CASE_STATUS_SUBMITTED,
      S.CASE_STATUS_FORWARDED,
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_REJECTED,
    ]);
    const missing = await refusal(h.intake.getBundle({ bundleId: 'YJS-411700-20200101-000001' }));
    expect(missing.errorCode).toBe('INTAKE.BUNDLE_NOT_FOUND');
  });

  it('derives the bundle status from its cases', () => {
    expect(bundleStatus(['COMPLETED', 'COMPLETED'])).toBe(BundleStatus.BUNDLE_STATUS_COMPLETED);
    expect(bundleStatus(['COMPLETED', 'WITHDRAWN'])).toBe(
      BundleStatus.BUNDLE_STATUS_CLOSED_INCOMPLETE,
    );
    expect(bundleStatus(['COMPLETED', 'DELIVERED'])).toBe(BundleStatus.BUNDLE_STATUS_OPEN);
  });
});
