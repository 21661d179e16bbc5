import type { SupplementRequest, SurveyRequest } from '@tongban/contracts/tongban/case/v1/case';
import type { SurveyUpload } from '@tongban/contracts/tongban/intake/v1/intake';
import { statusLabel } from '@tongban/domain';
import type { IntakeCase } from '../../prisma/generated/client';
import { statusToProto } from '../cases/case-status';
import { refuse } from '../cases/intake-error';
import { sha256Of, type CheckedMaterial } from '../cases/submission-checks';
import type { SurveyLimits } from '../intake-settings';
import { contentMatchesType, normalizeContentType } from '../materials/material-content';

/** A photo or video as the window handed it in, checked and hashed but not yet stored. */
export interface CheckedMedium {
  readonly checkpoint: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly sha256: string;
  readonly capturedAt: Date;
  readonly description: string;
}

const MAX_NOTE = 2_000;
const MAX_DESCRIPTION = 500;
const MiB = 1024 * 1024;
const megabytes = (bytes: number) => `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MB`;

/** The clerk's account and note of an answer; both trimmed. */
export function checkClerk(submittedBy: string): string {
  const clerk = submittedBy.trim();
  if (clerk === '') {
    refuse('INTAKE.CLERK_REQUIRED', '缺少经办人账号，请重新登录窗口系统后再提交。');
  }
  return clerk;
}

export function checkNote(note: string): string {
  const trimmed = note.trim();
  if (trimmed.length > MAX_NOTE) {
    refuse('INTAKE.INVALID_FIELD', `补正说明过长（最多 ${String(MAX_NOTE)} 个字符）。`);
  }
  return trimmed;
}

/**
 * The supplement request the window answers: the case waits for one (待补正), the round is the
 * open one, and it was not answered yet. `answered` tells whether this round already has an
 * answer on record.
 */
export function openSupplementOf(
  row: IntakeCase,
  round: number,
  answered: boolean,
  decode: (bytes: Uint8Array) => SupplementRequest,
): SupplementRequest {
  if (row.status !== 'SUPPLEMENT_REQUESTED' || !row.openSupplement) {
    refuse(
      'INTAKE.SUPPLEMENT_NOT_OPEN',
      row.status === 'SUPPLEMENT_REQUESTED'
        ? `办件 ${row.id} 待补正，但办理地的补正清单尚未送达本地，请稍后刷新办件后再提交。`
        : `办件 ${row.id} 当前没有待补正的要求（当前状态：${statusLabel(statusToProto(row.status))}），无需提交补正材料。`,
    );
  }
  const open = decode(row.openSupplement);
  checkRound('补正', round, open.round);
  if (answered) {
    refuse(
      'INTAKE.ROUND_ALREADY_SUBMITTED',
      `办件 ${row.id} 第 ${String(round)} 轮补正材料已经提交，正等待办理地审查，请勿重复提交。`,
    );
  }
  return open;
}

/** Like openSupplementOf, for a remote survey request (待踏勘). */
export function openSurveyOf(
  row: IntakeCase,
  round: number,
  answered: boolean,
  decode: (bytes: Uint8Array) => SurveyRequest,
): SurveyRequest {
  if (row.status !== 'SURVEY_REQUIRED' || !row.openSurvey) {
    refuse(
      'INTAKE.SURVEY_NOT_OPEN',
      row.status === 'SURVEY_REQUIRED'
        ? `办件 ${row.id} 待踏勘，但办理地的踏勘要求尚未送达本地，请稍后刷新办件后再提交。`
        : `办件 ${row.id} 当前没有待完成的远程踏勘（当前状态：${statusLabel(statusToProto(row.status))}），无需提交踏勘照片或视频。`,
    );
  }
  const open = decode(row.openSurvey);
  checkRound('远程踏勘', round, open.round);
  if (answered) {
    refuse(
      'INTAKE.ROUND_ALREADY_SUBMITTED',
      `办件 ${row.id} 第 ${String(round)} 轮远程踏勘的照片和视频已经提交，正等待办理地审查，请勿重复提交。`,
    );
  }
  return open;
}

function checkRound(what: string, round: number, open: number): void {
  if (round !== open) {
    refuse(
      'INTAKE.STALE_ROUND',
      round === 0
        ? `请注明本次提交的是第几轮${what}：办理地当前要求的是第 ${String(open)} 轮。`
        : `第 ${String(round)} 轮${what}要求已不是当前要求：办理地当前要求的是第 ${String(open)} 轮，请按最新的通知准备后再提交。`,
    );
  }
}

/**
 * The materials answer exactly what the reviewer asked for: every requested material, and none
 * the request does not name (the reviewer reads only what was asked). Unnamed uploads take the
 * requested material's name.
 */
export function checkSupplementMaterials(
  open: SupplementRequest,
  materials: readonly CheckedMaterial[],
): CheckedMaterial[] {
  const requested = new Map(open.materials.map((material) => [material.code, material]));
  const handedIn = new Set(materials.map((material) => material.code));
  const missing = open.materials.filter((material) => !handedIn.has(material.code));
  if (missing.length > 0) {
    refuse(
      'INTAKE.MISSING_MATERIAL',
      `第 ${String(open.round)} 轮补正还缺少：${missing
        .map((material) => `${material.name}（${material.code}）`)
        .join('、')}。请收取后一并提交。`,
    );
  }
  const unrequested = [...handedIn].filter((code) => !requested.has(code));
  if (unrequested.length > 0) {
    refuse(
      'INTAKE.UNKNOWN_MATERIAL',
      `第 ${String(open.round)} 轮补正没有要求材料 ${unrequested.join('、')}，本轮只需提交：${open.materials
        .map((material) => `${material.name}（${material.code}）`)
        .join('、')}。`,
    );
  }
  return materials.map((material) => ({
    ...material,
    name:
      material.name === '' ? (requested.get(material.code)?.name ?? material.code) : material.name,
  }));
}

/**
 * Everything about survey media that needs no case: count, size, type (image/* or video/*, the
 * bytes checked to be what the type says), a checkpoint, and a capture time that is not later
 * than now (allowing for a phone's clock running a little ahead).
 */
export function checkSurveyUploads(
  uploads: readonly SurveyUpload[],
  limits: SurveyLimits,
  now: Date,
): CheckedMedium[] {
  if (uploads.length === 0) {
    refuse('INTAKE.MEDIA_REQUIRED', '请上传申请人按踏勘要求拍摄的照片或视频。');
  }
  if (uploads.length > limits.maxMedia) {
    refuse(
      'INTAKE.TOO_MANY_MEDIA',
      `一次最多提交 ${String(limits.maxMedia)} 个照片或视频，本次 ${String(uploads.length)} 个；请每个踏勘点选取最清楚的几张。`,
    );
  }
  let total = 0;
  return uploads.map((upload, index) => {
    const checkpoint = upload.checkpoint.trim();
    const label = `第 ${String(index + 1)} 个照片或视频${checkpoint === '' ? '' : `（${checkpoint.slice(0, 64)}）`}`;
    if (checkpoint === '') {
      refuse('INTAKE.CHECKPOINT_REQUIRED', `${label}未注明拍摄的是哪个踏勘点。`);
    }
    if (upload.content.length === 0) {
      refuse('INTAKE.EMPTY_MEDIUM', `${label}是空文件，请重新上传。`);
    }
    if (upload.content.length > limits.mediumMaxBytes) {
      refuse(
        'INTAKE.MEDIUM_TOO_LARGE',
        `${label}大小 ${megabytes(upload.content.length)}，超过单个文件上限 ${megabytes(limits.mediumMaxBytes)}；请缩短视频或降低分辨率。`,
      );
    }
    total += upload.content.length;
    if (total > limits.uploadMaxBytes) {
      refuse(
        'INTAKE.SURVEY_UPLOAD_TOO_LARGE',
        `照片和视频合计超过上限 ${megabytes(limits.uploadMaxBytes)}；请缩短视频或分辨率后再提交。`,
      );
    }
    const contentType = normalizeContentType(upload.contentType);
    if (!limits.contentTypes.includes(contentType)) {
      refuse(
        'INTAKE.MEDIUM_TYPE_NOT_ALLOWED',
        `${label}的文件类型“${contentType || '未注明'}”不可接收，远程踏勘只接收照片和视频：${limits.contentTypes.join('、')}。`,
      );
    }
    if (!contentMatchesType(upload.content, contentType)) {
      refuse(
        'INTAKE.MEDIUM_TYPE_MISMATCH',
        `${label}的内容不是声明的 ${contentType} 文件，请上传手机拍摄的原始照片或视频。`,
      );
    }
    if (!upload.capturedAt) {
      refuse(
        'INTAKE.CAPTURED_AT_REQUIRED',
        `${label}缺少拍摄时间，请上传带拍摄时间的原始文件（不要截图或转发后的文件）。`,
      );
    }
    if (upload.capturedAt.getTime() > now.getTime() + limits.clockSkewMs) {
      refuse(
        'INTAKE.CAPTURED_IN_FUTURE',
        `${label}的拍摄时间晚于当前时间，请检查拍摄设备的日期和时间设置后重新拍摄。`,
      );
    }
    const description = upload.description.trim();
    if (description.length > MAX_DESCRIPTION) {
      refuse(
        'INTAKE.INVALID_FIELD',
        `${label}的说明过长（最多 ${String(MAX_DESCRIPTION)} 个字符）。`,
      );
    }
    return {
      checkpoint,
      contentType,
      content: upload.content,
      sha256: sha256Of(upload.content),
      capturedAt: upload.capturedAt,
      description,
    };
  });
}

/**
 * The media answer the survey request: taken after it was made (not old photos), of the
 * checkpoints it names, every checkpoint covered at least once.
 */
export function checkSurveyAgainstRequest(
  open: SurveyRequest,
  media: readonly CheckedMedium[],
): void {
  const checkpoints = new Map(open.checkpoints.map((checkpoint) => [checkpoint.code, checkpoint]));
  const requestedAt = open.requestedAt;
  for (const [index, medium] of media.entries()) {
    const label = `第 ${String(index + 1)} 个照片或视频（${medium.checkpoint.slice(0, 64)}）`;
    if (!checkpoints.has(medium.checkpoint)) {
      refuse(
        'INTAKE.UNKNOWN_CHECKPOINT',
        `${label}的踏勘点不在本轮踏勘要求中，本轮要求拍摄：${open.checkpoints
          .map((checkpoint) => `${checkpoint.description}（${checkpoint.code}）`)
          .join('、')}。`,
      );
    }
    if (requestedAt && medium.capturedAt.getTime() < requestedAt.getTime()) {
      refuse(
        'INTAKE.CAPTURED_BEFORE_REQUEST',
        `${label}拍摄于踏勘要求发出之前，不能作为本次踏勘材料：请申请人按要求现场重新拍摄。`,
      );
    }
  }
  const covered = new Set(media.map((medium) => medium.checkpoint));
  const uncovered = open.checkpoints.filter((checkpoint) => !covered.has(checkpoint.code));
  if (uncovered.length > 0) {
    refuse(
      'INTAKE.CHECKPOINT_NOT_COVERED',
      `还缺少以下踏勘点的照片或视频：${uncovered
        .map((checkpoint) => `${checkpoint.description}（${checkpoint.code}）`)
        .join('、')}。请补拍后一并提交。`,
    );
  }
}
