import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  PartnerExchangeServiceService,
  type PartnerExchangeServiceServer,
} from '@tongban/contracts/tongban/exchange/v1/exchange';
import { ServiceContext, toServiceError, unary } from '@tongban/service-kit';
import { identifyPartner, type CallWithAuthContext } from '@tongban/trust';
import { DirectoryService } from '../directory/directory.service';
import { ExchangeError } from '../exchange-error';
import { PartnerServer } from '../partners/partner-server';
import { ExchangeTrust, type PartnerTrust } from '../trust/exchange-trust';
import { BlobReceiver } from './blob-receiver.service';
import { InboundService } from './inbound.service';

/**
 * The partner API (Deliver, PutBlob, GetCatalog, GetPublicKeys) on the mutual-TLS server. Who is
 * calling is always taken from the verified client certificate — its name AND its issuing CA —
 * never from anything the caller writes into a request.
 */
@Injectable()
export class PartnerExchangeGrpcController implements OnModuleInit {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PartnerServer) private readonly server: PartnerServer,
    @Inject(ExchangeTrust) private readonly trust: ExchangeTrust,
    @Inject(InboundService) private readonly inbound: InboundService,
    @Inject(BlobReceiver) private readonly blobReceiver: BlobReceiver,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
  ) {}

  onModuleInit(): void {
    const { logger, region } = this.context;
    const implementation: PartnerExchangeServiceServer = {
      deliver: unary(logger, async (request, call) => ({
        receipt: await this.inbound.deliver(request.envelope, this.caller(call)),
      })),
      putBlob: (call, callback) => {
        const partner = this.caller(call);
        const work = partner
          ? this.blobReceiver.receive(partner.region, call)
          : Promise.reject(notAPartner());
        work.then(
          (response) => {
            callback(null, response);
          },
          (error: unknown) => {
            callback(toServiceError(logger, error));
          },
        );
      },
      getCatalog: unary(logger, (_request, call) => {
        const partner = this.caller(call);
        if (!partner) return Promise.reject(notAPartner());
        return Promise.resolve(this.directory.catalogForPartner(partner.region));
      }),
      getPublicKeys: unary(logger, () =>
        Promise.resolve({
          region: region.code,
          keys: [
            {
              keyId: this.trust.signer.keyId,
              ed25519: this.trust.signer.publicKeyRaw,
              validFrom: this.trust.signer.createdAt,
              validUntil: undefined,
            },
          ],
        }),
      ),
    };
    this.server.addService(PartnerExchangeServiceService, implementation);
  }

  private caller(call: CallWithAuthContext): PartnerTrust | undefined {
    return identifyPartner(call, this.trust.partners.values());
  }
}

function notAPartner(): ExchangeError {
  return new ExchangeError(
    'EXCHANGE.NOT_A_PARTNER',
    '调用方的证书不属于任何合作地区（名称与签发机构须一致），调用被拒绝。',
  );
}
