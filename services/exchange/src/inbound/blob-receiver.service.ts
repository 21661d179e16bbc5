import { Inject, Injectable } from '@nestjs/common';
import type {
  BlobHeader,
  PutBlobRequest,
  PutBlobResponse,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { BlobError, isBlobAddress, type BlobStore } from '@tongban/blobs';
import { ServiceContext } from '@tongban/service-kit';
import { BLOB_STORE } from '../blobs/blob-store.provider';
import { ExchangeSettings } from '../config/exchange-settings';
import { ExchangeError } from '../exchange-error';

/**
 * PutBlob: a partner streams a material before the case that references it. The header announces
 * hash and size; the content is hashed while it streams into the store and becomes visible only
 * when it matched both. A blob we hold already is acknowledged at once, without its content.
 */
@Injectable()
export class BlobReceiver {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(ExchangeSettings) private readonly settings: ExchangeSettings,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async receive(partner: string, parts: AsyncIterable<PutBlobRequest>): Promise<PutBlobResponse> {
    const iterator = parts[Symbol.asyncIterator]();
    const first = await iterator.next();
    const header = first.done === true ? undefined : first.value.header;
    if (!header) {
      throw new ExchangeError('EXCHANGE.MALFORMED', 'PutBlob 的第一条消息必须是 BlobHeader。');
    }
    this.checkHeader(header);
    if (await this.blobs.has(header.sha256)) {
      return { sha256: header.sha256, alreadyPresent: true };
    }
    try {
      const stored = await this.blobs.put(chunksOf(iterator), {
        sha256: header.sha256,
        sizeBytes: header.sizeBytes,
        maxBytes: this.settings.blobMaxBytes,
      });
      this.context.logger.info(
        { caseId: header.caseId, partner, sha256: stored.sha256, sizeBytes: stored.sizeBytes },
        'blob received from partner',
      );
      return { sha256: stored.sha256, alreadyPresent: stored.alreadyPresent };
    } catch (error) {
      throw blobRefusal(error);
    }
  }

  private checkHeader(header: BlobHeader): void {
    if (!isBlobAddress(header.sha256)) {
      throw new ExchangeError(
        'EXCHANGE.MALFORMED',
        'BlobHeader.sha256 须为 64 位小写十六进制的 SHA-256 摘要。',
      );
    }
    if (header.sizeBytes > this.settings.blobMaxBytes) {
      throw new ExchangeError(
        'EXCHANGE.BLOB_TOO_LARGE',
        `材料大小 ${String(header.sizeBytes)} 字节超过上限 ${String(this.settings.blobMaxBytes)} 字节。`,
      );
    }
  }
}

async function* chunksOf(iterator: AsyncIterator<PutBlobRequest>): AsyncIterable<Uint8Array> {
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return;
    if (next.value.header) {
      throw new ExchangeError('EXCHANGE.MALFORMED', 'PutBlob 只能有一条 BlobHeader。');
    }
    if (next.value.chunk) yield next.value.chunk;
  }
}

function blobRefusal(error: unknown): unknown {
  if (!(error instanceof BlobError)) return error;
  switch (error.code) {
    case 'BLOB.TOO_LARGE':
      return new ExchangeError('EXCHANGE.BLOB_TOO_LARGE', `材料超过大小上限：${error.message}`, {
        cause: error,
      });
    case 'BLOB.HASH_MISMATCH':
    case 'BLOB.SIZE_MISMATCH':
      return new ExchangeError(
        'EXCHANGE.BLOB_MISMATCH',
        `收到的材料与声明的摘要或大小不符，未保存：${error.message}`,
        { cause: error },
      );
    default:
      return error;
  }
}
