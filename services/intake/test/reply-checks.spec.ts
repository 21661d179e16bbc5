import { describe, expect, it } from 'vitest';
import {
  SupplementRequest,
  SurveyRequest,
  type SurveyCheckpoint,
} from '@tongban/contracts/tongban/case/v1/case';
import { SurveyUpload } from '@tongban/contracts/tongban/intake/v1/intake';
import { IntakeError, type IntakeErrorCode } from '../src/cases/intake-error';
import { checkMaterialUploads, sha256Of } from '../src/cases/submission-checks';
import type { SurveyLimits, UploadLimits } from '../src/intake-settings';
import { contentMatchesType } from '../src/materials/material-content';
import {
  checkSupplementMaterials,
  checkSurveyAgainstRequest,
  checkSurveyUploads,
  openSupplementOf,
  openSurveyOf,
} from '../src/replies/reply-checks';
import type { IntakeCase } from '../prisma/generated/client';
import { scan, upload } from './support';

const limits: SurveyLimits = {
  mediumMaxBytes: 2_048,
  uploadMaxBytes: 4_096,
  maxMedia: 4,
  contentTypes: ['image/jpeg', 'image/png', 'video/mp4'],
  clockSkewMs: 60_000,
};
const now = new Date('2026-11-23T02:00:00Z');
const requestedAt = new Date('2026-11-22T08:00:00Z');
const checkpoints: SurveyCheckpoint[] = [
  { code: 'KITCHEN', description: '后厨操作间全景' },
  { code: 'SINK', description: '清洗消毒水池' },
];
const survey = SurveyRequest.fromPartial({ round: 1, checkpoints, requestedAt });

const medium = (checkpoint: string, changes: Partial<SurveyUpload> = {}) =>
  SurveyUpload.fromPartial({
    checkpoint,
    contentType: 'image/jpeg',
    content: scan.jpeg(),
    capturedAt: new Date('2026-11-22T09:30:00Z'),
    description: '',
    ...changes,
  });

function expectRefused(work: () => unknown, code: IntakeErrorCode, message?: RegExp): void {
  let error: unknown;
  try {
    work();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(IntakeError);
  expect((error as IntakeError).code).toBe(code);
  expect((error as IntakeError).message).toMatch(/[\u4e00-\u9fff]/);
  if (message) expect((error as IntakeError).message).toMatch(message);
}

describe('survey media — what the window hands in', () => {
  it('accepts photos and an MP4 video, hashed, with their capture times', () => {
    const media = checkSurveyUploads(
      [
        medium('KITCHEN'),
        medium('SINK', { contentType: 'Video/MP4', content: scan.mp4(), description: ' 水池 ' }),
      ],
      limits,
      now,
    );
    expect(media.map((m) => [m.checkpoint, m.contentType, m.description])).toEqual([
      ['KITCHEN', 'image/jpeg', ''],
      ['SINK', 'video/mp4', '水池'],
    ]);
    expect(media[1]?.sha256).toBe(sha256Of(media[1]!.content));
  });

  it('takes only photo and video types, and only content that is what it claims', () => {
    expectRefused(
      () =>
        checkSurveyUploads(
          [medium('KITCHEN', { contentType: 'application/pdf', content: scan.pdf() })],
          limits,
          now,
        ),
      'INTAKE.MEDIUM_TYPE_NOT_ALLOWED',
      /image\/jpeg、image\/png、video\/mp4/,
    );
    expectRefused(
      () => checkSurveyUploads([medium('KITCHEN', { content: scan.pdf() })], limits, now),
      'INTAKE.MEDIUM_TYPE_MISMATCH',
    );
    expectRefused(
      () =>
        checkSurveyUploads(
          [medium('KITCHEN', { contentType: 'video/mp4', content: scan.jpeg() })],
          limits,
          now,
        ),
      'INTAKE.MEDIUM_TYPE_MISMATCH',
    );
  });

  it('keeps to the size and count limits', () => {
    const big = Buffer.concat([scan.jpeg(), Buffer.alloc(2_048)]);
    expectRefused(
      () => checkSurveyUploads([medium('KITCHEN', { content: big })], limits, now),
      'INTAKE.MEDIUM_TOO_LARGE',
    );
    const large = () => Buffer.concat([scan.jpeg(), Buffer.alloc(1_500)]);
    expectRefused(
      () =>
        checkSurveyUploads(
          [1, 2, 3].map(() => medium('KITCHEN', { content: large() })),
          limits,
          now,
        ),
      'INTAKE.SURVEY_UPLOAD_TOO_LARGE',
    );
    expectRefused(
      () =>
        checkSurveyUploads(
          [1, 2, 3, 4, 5].map(() => medium('KITCHEN')),
          limits,
          now,
        ),
      'INTAKE.TOO_MANY_MEDIA',
    );
    expectRefused(() => checkSurveyUploads([], limits, now), 'INTAKE.MEDIA_REQUIRED');
    expectRefused(
      () => checkSurveyUploads([medium('KITCHEN', { content: Buffer.alloc(0) })], limits, now),
      'INTAKE.EMPTY_MEDIUM',
    );
    expectRefused(
      () => checkSurveyUploads([medium(' ')], limits, now),
      'INTAKE.CHECKPOINT_REQUIRED',
    );
  });

  it('needs a capture time no later than now, allowing a phone clock a little ahead', () => {
    expectRefused(
      () => checkSurveyUploads([medium('KITCHEN', { capturedAt: undefined })], limits, now),
      'INTAKE.CAPTURED_AT_REQUIRED',
    );
    const ahead = (ms: number) => medium('KITCHEN', { capturedAt: new Date(now.getTime() + ms) });
    expect(checkSurveyUploads([ahead(60_000)], limits, now)).toHaveLength(1);
    expectRefused(
      () => checkSurveyUploads([ahead(60_001)], limits, now),
      'INTAKE.CAPTURED_IN_FUTURE',
    );
  });
});

describe('survey media — against the request', () => {
  const checked = (...uploads: SurveyUpload[]) => checkSurveyUploads(uploads, limits, now);

  it('accepts media of every checkpoint taken after the request', () => {
    expect(() => {
      checkSurveyAgainstRequest(survey, checked(medium('KITCHEN'), medium('SINK'), medium('SINK')));
    }).not.toThrow();
  });

  it('names the checkpoints not covered', () => {
    expectRefused(
      () => {
        checkSurveyAgainstRequest(survey, checked(medium('KITCHEN')));
      },
      'INTAKE.CHECKPOINT_NOT_COVERED',
      /清洗消毒水池（SINK）/,
    );
  });

  it('refuses a checkpoint the request does not name, and photos older than the request', () => {
    expectRefused(
      () => {
        checkSurveyAgainstRequest(survey, checked(medium('KITCHEN'), medium('ROOF')));
      },
      'INTAKE.UNKNOWN_CHECKPOINT',
      /后厨操作间全景（KITCHEN）/,
    );
    expectRefused(() => {
      checkSurveyAgainstRequest(
        survey,
        checked(
          medium('KITCHEN', { capturedAt: new Date(requestedAt.getTime() - 1) }),
          medium('SINK'),
        ),
      );
    }, 'INTAKE.CAPTURED_BEFORE_REQUEST');
  });
});

describe('supplement materials', () => {
  const materialLimits: UploadLimits = {
    materialMaxBytes: 4_096,
    uploadMaxBytes: 8_192,
    maxMaterials: 5,
    contentTypes: ['application/pdf', 'image/jpeg'],
  };
  const request = SupplementRequest.fromPartial({
    round: 2,
    materials: [
      { code: 'RETIREMENT_PROOF', name: '退休证或养老金领取证明', reason: '复印件不清晰' },
      { code: 'BANK_CARD', name: '本人银行卡', reason: '卡号被遮挡' },
    ],
  });
  const materials = (...codes: string[]) => {
    const uploads = codes.map((code) => upload(code, 'application/pdf', scan.pdf()));
    return checkMaterialUploads(
      uploads,
      materialLimits,
      uploads.map((u) => sha256Of(u.content)),
    );
  };

  it('takes exactly the requested materials, named as requested', () => {
    expect(
      checkSupplementMaterials(request, materials('BANK_CARD', 'RETIREMENT_PROOF')).map(
        (m) => m.name,
      ),
    ).toEqual(['本人银行卡', '退休证或养老金领取证明']);
    expectRefused(
      () => checkSupplementMaterials(request, materials('BANK_CARD')),
      'INTAKE.MISSING_MATERIAL',
      /第 2 轮补正还缺少：退休证或养老金领取证明（RETIREMENT_PROOF）/,
    );
    expectRefused(
      () =>
        checkSupplementMaterials(request, materials('BANK_CARD', 'RETIREMENT_PROOF', 'ID_CARD')),
      'INTAKE.UNKNOWN_MATERIAL',
      /ID_CARD/,
    );
  });

  it('answers only the open round of a case waiting for it, once', () => {
    const row = {
      id: '411700-20261122-000001',
      status: 'SUPPLEMENT_REQUESTED',
      openSupplement: SupplementRequest.encode(request).finish(),
      openSurvey: null,
    } as unknown as IntakeCase;
    const decode = (bytes: Uint8Array) => SupplementRequest.decode(bytes);
    expect(openSupplementOf(row, 2, false, decode).round).toBe(2);
    expectRefused(() => openSupplementOf(row, 1, false, decode), 'INTAKE.STALE_ROUND', /第 2 轮/);
    expectRefused(() => openSupplementOf(row, 2, true, decode), 'INTAKE.ROUND_ALREADY_SUBMITTED');
    expectRefused(
      () => openSupplementOf({ ...row, status: 'UNDER_REVIEW' }, 2, false, decode),
      'INTAKE.SUPPLEMENT_NOT_OPEN',
      /审查中/,
    );
    expectRefused(
      () => openSurveyOf(row, 2, false, (bytes) => SurveyRequest.decode(bytes)),
      'INTAKE.SURVEY_NOT_OPEN',
    );
  });
});

describe('content sniffing', () => {
  it('knows MP4 and QuickTime videos by their first box', () => {
    expect(contentMatchesType(scan.mp4(), 'video/mp4')).toBe(true);
    expect(contentMatchesType(scan.mp4(), 'video/quicktime')).toBe(true);
    expect(contentMatchesType(Buffer.from('\0\0\0\x14ftypqt  '), 'video/quicktime')).toBe(true);
    expect(contentMatchesType(scan.jpeg(), 'video/mp4')).toBe(false);
    expect(contentMatchesType(Buffer.from('\0\0\0'), 'video/mp4')).toBe(false);
  });
});
