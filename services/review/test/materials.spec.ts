import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  Client,
  credentials,
  Metadata,
  status,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemBlobStore } from '@tongban/blobs';
import type { MaterialRef } from '@tongban/contracts/tongban/case/v1/case';
import {
  ReviewStarted,
  SupplementReceived,
  SurveyEvidenceReceived,
} from '@tongban/contracts/tongban/review/v1/events';
import {
  ReviewServiceService,
  type GetMaterialRequest,
  type GetMaterialResponse,
  type ReviewTask,
} from '@tongban/contracts/tongban/review/v1/review';
import { ERROR_CODE_METADATA, GrpcCallError, migrateServiceDatabase } from '@tongban/service-kit';
import { createIsolatedDatabase, uniqueTopicPrefix, type IsolatedDatabase } from '@tongban/testing';
import { blobDirectory } from '../src/review-config';
import {
  caseReceived,
  ExchangeStub,
  refusal,
  ReviewEventLog,
  startReview,
  supplementArrived,
  surveyMediaArrived,
  type Review,
  type RunningReview,
} from './support';

const KiB = 1024;

let database: IsolatedDatabase;
let service: RunningReview;
let review: Review;
let exchange: ExchangeStub;
let log: ReviewEventLog;
let blobDir: string;
let blobs: FilesystemBlobStore;
let viewer: Client;

beforeAll(async () => {
  database = await createIsolatedDatabase({ purpose: 'review_materials' });
  await migrateServiceDatabase(database.url, path.join(__dirname, '../prisma/migrations'));
  blobDir = await fs.mkdtemp(path.join(os.tmpdir(), 'review-blobs-'));
  blobs = new FilesystemBlobStore(blobDir);
  const prefix = uniqueTopicPrefix();
  exchange = await ExchangeStub.start(prefix);
  log = await ReviewEventLog.start(prefix);
  service = await startReview({ databaseUrl: database.url, prefix, env: { BLOB_DIR: blobDir } });
  review = service.review;
  viewer = new Client(service.address, credentials.createInsecure());
});

afterAll(async () => {
  viewer.close();
  await service.stop();
  await log.stop();
  await exchange.stop();
  await database.drop();
  await fs.rm(blobDir, { recursive: true, force: true });
});

function call(request: GetMaterialRequest): ClientReadableStream<GetMaterialResponse> {
  const method = ReviewServiceService.getMaterial;
  return viewer.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    request,
    new Metadata(),
    { deadline: new Date(Date.now() + 10_000) },
  );
}

/** Every message of the materials viewer's stream, or the refusal as the promise client has it. */
async function getMaterial(request: GetMaterialRequest): Promise<GetMaterialResponse[]> {
  const messages: GetMaterialResponse[] = [];
  try {
    for await (const message of call(request)) messages.push(message as GetMaterialResponse);
  } catch (error) {
    const refused = error as ServiceError;
    const code = refused.metadata.get(ERROR_CODE_METADATA)[0];
    throw new GrpcCallError(
      refused.code,
      code === undefined ? undefined : String(code),
      refused.details,
    );
  }
  return messages;
}

/** Content stored in the region's blob store, as the exchange stores what partners send. */
async function stored(
  code: string,
  name: string,
  content: Buffer,
  contentType = 'application/pdf',
): Promise<MaterialRef> {
  const { sha256, sizeBytes } = await blobs.put(content);
  return { code, name, sha256, sizeBytes, contentType };
}

/** A material the task names whose content has not reached the blob store (yet). */
function inTransit(code: string, name: string, content: Buffer): MaterialRef {
  return {
    code,
    name,
    sha256: createHash('sha256').update(content).digest('hex'),
    sizeBytes: content.length,
    contentType: 'application/pdf',
  };
}

async function receive(options: Parameters<typeof caseReceived>[0]): Promise<ReviewTask> {
  const event = caseReceived(options);
  await exchange.publish(event);
  const started = await log.payload(event.metadata.caseId, ReviewStarted);
  return (await review.getTask({ taskId: started.taskId })).task!;
}

const now = () => new Date();

describe('the materials viewer (GetMaterial)', () => {
  // Larger than several chunks and not a multiple of the chunk size.
  const applicationForm = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300 * KiB + 123)]);
  let catering: ReviewTask;
  let form: MaterialRef;
  const licenceScan = randomBytes(2 * KiB);
  let licence: MaterialRef;
  let pension: ReviewTask;
  let idCard: MaterialRef;

  beforeAll(async () => {
    form = await stored('APPLICATION_FORM', '小餐饮经营许可申请书', applicationForm);
    licence = inTransit('BUSINESS_LICENSE', '营业执照', licenceScan);
    catering = await receive({
      itemCode: 'SMALL_CATERING_LICENSE',
      receivedAt: now(),
      fields: { shop_name: '李记小吃', premises_address: '潜江市园林街道章华路 8 号', seats: '30' },
      materials: [form, licence, 'PREMISES_LAYOUT', 'HEALTH_CERTIFICATE'],
    });
    idCard = await stored('ID_CARD', '居民身份证', randomBytes(5 * KiB));
    pension = await receive({
      itemCode: 'PENSION_TRANSFER',
      receivedAt: now(),
      materials: [idCard, 'TRANSFER_APPLICATION', 'CONTRIBUTION_CERTIFICATE'],
    });
  });

  it('streams a material of the task: what it is first, then the same bytes in chunks of at most 64 KiB', async () => {
    const [first, ...rest] = await getMaterial({ taskId: catering.taskId, sha256: form.sha256 });
    expect(first).toEqual({
      contentType: 'application/pdf',
      sizeBytes: applicationForm.length,
      name: '小餐饮经营许可申请书',
      chunk: Buffer.alloc(0),
    });
    expect(rest.length).toBe(Math.ceil(applicationForm.length / (64 * KiB)));
    for (const message of rest) {
      expect(message.chunk.length).toBeGreaterThan(0);
      expect(message.chunk.length).toBeLessThanOrEqual(64 * KiB);
      expect(message).toMatchObject({ contentType: '', sizeBytes: 0, name: '' });
    }
    expect(Buffer.concat(rest.map((message) => message.chunk)).equals(applicationForm)).toBe(true);
  });

  it('refuses a blob of another task, an unknown task and a malformed request alike', async () => {
    // The ID card is in the store and is the pension task's own material …
    const own = await getMaterial({ taskId: pension.taskId, sha256: idCard.sha256 });
    expect(own[0]).toMatchObject({ name: '居民身份证', sizeBytes: 5 * KiB });
    // … but not the catering task's.
    const refusals = await Promise.all(
      [
        { taskId: catering.taskId, sha256: idCard.sha256 },
        { taskId: '00000000-0000-4000-8000-000000000000', sha256: form.sha256 },
        { taskId: 'not-a-task', sha256: form.sha256 },
        { taskId: catering.taskId, sha256: '../../etc/passwd' },
        { taskId: catering.taskId, sha256: '' },
      ].map((request) => refusal(getMaterial(request))),
    );
    for (const refused of refusals) {
      expect(refused).toMatchObject({
        grpcCode: status.NOT_FOUND,
        errorCode: 'REVIEW.MATERIAL_NOT_FOUND',
      });
    }
  });

  it('says when the task’s material has not reached the region yet, and serves it once it has', async () => {
    const waiting = await refusal(getMaterial({ taskId: catering.taskId, sha256: licence.sha256 }));
    expect(waiting).toMatchObject({
      grpcCode: status.UNAVAILABLE,
      errorCode: 'REVIEW.MATERIAL_NOT_AVAILABLE',
    });
    expect(waiting.message).toContain('营业执照');

    await blobs.put(licenceScan, { sha256: licence.sha256 });
    const arrived = await getMaterial({ taskId: catering.taskId, sha256: licence.sha256 });
    expect(arrived[0]).toMatchObject({ name: '营业执照', sizeBytes: licenceScan.length });
    expect(Buffer.concat(arrived.slice(1).map((message) => message.chunk))).toEqual(licenceScan);
  });

  it('reads the materials of a supplement round and the media of a survey round', async () => {
    const supplied = await stored('HEALTH_CERTIFICATE', '从业人员健康证明', randomBytes(70 * KiB));
    await review.requestSupplement({
      taskId: catering.taskId,
      materials: [{ code: 'HEALTH_CERTIFICATE', name: '', reason: '健康证明已过期' }],
      note: '',
      reviewer: 'qj-sc-01',
    });
    await exchange.publish(supplementArrived(catering.caseId, 1, [supplied]));
    await log.payload(catering.caseId, SupplementReceived);

    const photo = randomBytes(90 * KiB);
    const kitchen = await stored('KITCHEN', '', photo, 'image/jpeg');
    await review.requestSurvey({
      taskId: catering.taskId,
      checkpoints: [{ code: 'KITCHEN', description: '后厨操作间全景' }],
      note: '',
      reviewer: 'qj-sc-01',
    });
    await exchange.publish(
      surveyMediaArrived(catering.caseId, 1, [
        {
          checkpoint: 'KITCHEN',
          contentType: 'image/jpeg',
          capturedAt: now(),
          sha256: kitchen.sha256,
          sizeBytes: photo.length,
          description: '后厨操作间，开灯拍摄',
        },
      ]),
    );
    await log.payload(catering.caseId, SurveyEvidenceReceived);

    const [supplement, ...supplementChunks] = await getMaterial({
      taskId: catering.taskId,
      sha256: supplied.sha256,
    });
    expect(supplement).toMatchObject({ name: '从业人员健康证明', sizeBytes: 70 * KiB });
    expect(supplementChunks).toHaveLength(2);

    const [medium, ...mediumChunks] = await getMaterial({
      taskId: catering.taskId,
      sha256: kitchen.sha256,
    });
    expect(medium).toMatchObject({
      contentType: 'image/jpeg',
      sizeBytes: photo.length,
      name: '后厨操作间，开灯拍摄',
    });
    expect(Buffer.concat(mediumChunks.map((message) => message.chunk)).equals(photo)).toBe(true);

    // Still only the catering task's: the pension task cannot read them.
    expect(
      await refusal(getMaterial({ taskId: pension.taskId, sha256: kitchen.sha256 })),
    ).toMatchObject({ errorCode: 'REVIEW.MATERIAL_NOT_FOUND' });
  });

  it('lets a viewer close a material half-read and go on serving', async () => {
    const stream = call({ taskId: catering.taskId, sha256: form.sha256 });
    const cancelled = new Promise<ServiceError>((resolve) => stream.on('error', resolve));
    await new Promise((resolve) => stream.once('data', resolve));
    stream.cancel();
    expect((await cancelled).code).toBe(status.CANCELLED);

    const again = await getMaterial({ taskId: catering.taskId, sha256: form.sha256 });
    expect(
      Buffer.concat(again.slice(1).map((message) => message.chunk)).equals(applicationForm),
    ).toBe(true);
  });
});

describe('BLOB_DIR', () => {
  it('defaults to the development folder of the region, as for intake and the exchange', () => {
    const repo = path.resolve(__dirname, '../../..');
    expect(blobDirectory({ REGION: '429005', BLOB_DIR: undefined })).toBe(
      path.join(repo, '.tongban/dev/429005/blobs'),
    );
    expect(blobDirectory({ REGION: '429005', BLOB_DIR: blobDir })).toBe(blobDir);
  });
});
