import { Inject, Injectable } from '@nestjs/common';
import { BlobError, isBlobAddress, type BlobStore } from '@tongban/blobs';
import { CaseSubmitted } from '@tongban/contracts/tongban/intake/v1/events';
import { PrismaService } from '../prisma/prisma.service';
import { BLOB_STORE } from './blob-store.provider';
import { ReviewError } from './review-error';
import { isTaskId } from './task-store';
import { WITH_ROUNDS, type TaskWithRounds } from './task-view';

/** The largest piece of content sent in one message of the materials viewer's stream. */
export const MATERIAL_CHUNK_BYTES = 64 * 1024;

/** One blob of a task as the materials viewer shows it. */
export interface TaskMaterial {
  readonly name: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  /** The content in order, in pieces of at most {@link MATERIAL_CHUNK_BYTES}. */
  readonly content: AsyncIterable<Buffer>;
}

/**
 * The materials viewer: the content of a blob, only when it belongs to the task asked for (a
 * material of the case, of a supplement round, or a survey round's photo or video). A reviewer
 * can thus open what their task shows and nothing else of the region's blob store.
 */
@Injectable()
export class MaterialsService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async open(taskId: string, sha256: string): Promise<TaskMaterial> {
    const address = sha256.trim().toLowerCase();
    const task =
      isTaskId(taskId) && isBlobAddress(address)
        ? await this.prisma.reviewTask.findUnique({ where: { id: taskId }, include: WITH_ROUNDS })
        : null;
    const material = task ? materialOf(task, address) : undefined;
    if (!material) {
      // One answer for an unknown task and for a blob of another task: the caller learns
      // nothing about which tasks or blobs exist.
      throw new ReviewError(
        'REVIEW.MATERIAL_NOT_FOUND',
        `审查任务 ${taskId} 中没有该材料，请从任务的材料列表中打开。`,
      );
    }
    let sizeBytes: number;
    try {
      sizeBytes = await this.blobs.size(address);
    } catch (error) {
      if (error instanceof BlobError && error.code === 'BLOB.NOT_FOUND') {
        // The task knows the material, but the exchange has not stored its content yet.
        throw new ReviewError(
          'REVIEW.MATERIAL_NOT_AVAILABLE',
          `材料“${material.name}”尚未从申请地传到本地区，请稍后再打开；如长时间仍无法打开，请联系系统管理员。`,
        );
      }
      throw error;
    }
    return {
      ...material,
      sizeBytes,
      content: pieces(this.blobs.stream(address, { chunkBytes: MATERIAL_CHUNK_BYTES })),
    };
  }
}

/** Where the task names the blob: the case's materials, then supplements, then survey media. */
function materialOf(
  task: TaskWithRounds,
  sha256: string,
): { name: string; contentType: string } | undefined {
  const submitted = CaseSubmitted.decode(task.caseSnapshot).materials;
  const supplied = task.supplements.flatMap((round) => round.materials);
  const candidates = [
    ...submitted.map(({ name, sha256: address, contentType }) => ({ name, address, contentType })),
    ...supplied.map(({ name, sha256: address, contentType }) => ({ name, address, contentType })),
    ...task.surveys
      .flatMap((round) => round.media)
      .map((medium) => ({
        name: medium.description.trim() === '' ? medium.checkpoint : medium.description,
        address: medium.sha256,
        contentType: medium.contentType,
      })),
  ];
  const found = candidates.find((candidate) => candidate.address === sha256);
  return found && { name: found.name, contentType: found.contentType };
}

/** Cuts the store's chunks to the viewer's limit, whatever size the store reads in. */
async function* pieces(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  for await (const chunk of chunks) {
    for (let offset = 0; offset < chunk.length; offset += MATERIAL_CHUNK_BYTES) {
      yield chunk.subarray(offset, offset + MATERIAL_CHUNK_BYTES);
    }
  }
}
