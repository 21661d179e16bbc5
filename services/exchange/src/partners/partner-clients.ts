import { once } from 'node:events';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  Client,
  connectivityState,
  Metadata,
  type ClientWritableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  PartnerExchangeServiceService as Api,
  type BlobHeader,
  type GetCatalogResponse,
  type GetPublicKeysResponse,
  type PutBlobRequest,
  type PutBlobResponse,
  type SignedEnvelope,
  type SignedReceipt,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { ERROR_CODE_METADATA } from '@tongban/service-kit';
import { ExchangeTrust } from '../trust/exchange-trust';
import { PartnerCallError } from './partner-call-error';

interface UnaryMethod<Request, Response> {
  path: string;
  requestSerialize: (value: Request) => Buffer;
  responseDeserialize: (bytes: Buffer) => Response;
}

/**
 * The exchange's client side: one mutual-TLS channel per partner, created on first use. Every call
 * is authenticated both ways: this region's certificate is presented, and only the partner's own
 * certificate (its CA, its name) is accepted, whatever address the region file gives.
 */
@Injectable()
export class PartnerClients implements OnApplicationShutdown {
  private readonly clients = new Map<string, Client>();

  constructor(@Inject(ExchangeTrust) private readonly trust: ExchangeTrust) {}

  async deliver(
    partner: string,
    envelope: SignedEnvelope,
    deadlineMs: number,
  ): Promise<SignedReceipt> {
    const response = await this.unary(partner, Api.deliver, { envelope }, deadlineMs);
    if (!response.receipt) {
      throw new PartnerCallError(
        partner,
        0,
        undefined,
        `${partner} answered Deliver without a receipt`,
      );
    }
    return response.receipt;
  }

  getCatalog(partner: string, deadlineMs: number): Promise<GetCatalogResponse> {
    return this.unary(partner, Api.getCatalog, {}, deadlineMs);
  }

  getPublicKeys(partner: string, deadlineMs: number): Promise<GetPublicKeysResponse> {
    return this.unary(partner, Api.getPublicKeys, {}, deadlineMs);
  }

  /**
   * Streams one blob: the header, then the content in chunks, respecting the channel's flow
   * control. The partner may answer before the content is through (it has the blob already);
   * sending stops then.
   */
  async putBlob(
    partner: string,
    header: BlobHeader,
    content: AsyncIterable<Buffer>,
    deadlineMs: number,
  ): Promise<PutBlobResponse> {
    const client = this.client(partner);
    const progress = { settled: false };
    let fail: (error: Error) => void = () => undefined;
    // Assigned synchronously by the promise executor below.
    let call!: ClientWritableStream<PutBlobRequest>;
    const answer = new Promise<PutBlobResponse>((resolve, reject) => {
      fail = reject;
      call = client.makeClientStreamRequest(
        Api.putBlob.path,
        Api.putBlob.requestSerialize,
        Api.putBlob.responseDeserialize,
        new Metadata(),
        { deadline: new Date(Date.now() + deadlineMs) },
        (error: ServiceError | null, response?: PutBlobResponse) => {
          progress.settled = true;
          if (error) reject(callError(partner, 'PutBlob', error));
          else if (response) resolve(response);
          else reject(new PartnerCallError(partner, 0, undefined, 'PutBlob without an answer'));
        },
      );
    });
    const answered = answer.then(
      () => undefined,
      () => undefined,
    );
    try {
      call.write({ header });
      for await (const chunk of content) {
        if (progress.settled) break;
        if (!call.write({ chunk })) await Promise.race([once(call, 'drain'), answered]);
      }
      if (!progress.settled) call.end();
    } catch (error) {
      // The local blob could not be read: abandon the upload; the caller sees why.
      fail(error instanceof Error ? error : new Error(String(error)));
      call.cancel();
    }
    return answer;
  }

  /**
   * Drops the channel to `partner` while it waits out its reconnect backoff after failed
   * connections (TRANSIENT_FAILURE: every call fails at once until the backoff, up to two minutes
   * after a long outage, has passed), so that the next call opens a fresh channel and connects at
   * once. For an operator who knows the partner is back. Calls already running are not affected;
   * false when there was nothing to drop.
   */
  reconnect(partner: string): boolean {
    const client = this.clients.get(partner);
    if (client?.getChannel().getConnectivityState(false) !== connectivityState.TRANSIENT_FAILURE) {
      return false;
    }
    this.clients.delete(partner);
    client.close();
    return true;
  }

  onApplicationShutdown(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private unary<Request, Response>(
    partner: string,
    method: UnaryMethod<Request, Response>,
    request: Request,
    deadlineMs: number,
  ): Promise<Response> {
    const client = this.client(partner);
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new Metadata(),
        { deadline: new Date(Date.now() + deadlineMs) },
        (error: ServiceError | null, response?: Response) => {
          if (error) reject(callError(partner, method.path.split('/').pop() ?? '', error));
          else if (response === undefined) {
            reject(new PartnerCallError(partner, 0, undefined, `${method.path} without an answer`));
          } else resolve(response);
        },
      );
    });
  }

  private client(region: string): Client {
    let client = this.clients.get(region);
    if (!client) {
      const partner = this.trust.partner(region);
      if (!partner) throw new Error(`${region} is not a partner of ${this.trust.region}`);
      const channel = this.trust.clientChannel(partner);
      client = new Client(partner.endpoint, channel.credentials, channel.options);
      this.clients.set(region, client);
    }
    return client;
  }
}

function callError(partner: string, method: string, error: ServiceError): PartnerCallError {
  const code = error.metadata.get(ERROR_CODE_METADATA)[0];
  return new PartnerCallError(
    partner,
    error.code,
    code === undefined ? undefined : String(code),
    `${method} to ${partner} failed: ${error.details || error.message}`,
  );
}
