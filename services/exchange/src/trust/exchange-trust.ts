import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { ChannelCredentials, ServerCredentials, type ChannelOptions } from '@grpc/grpc-js';
import type { Partner, Region } from '@tongban/domain';
import { ServiceConfigError } from '@tongban/service-kit';
import {
  isIssuedBy,
  loadCertificate,
  loadPublicKey,
  loadSigningKey,
  PublicKeyRing,
  rawPublicKey,
  signerOf,
  TrustError,
  type Signer,
  type TlsPartner,
} from '@tongban/trust';

/** A partner region as the exchange knows it: where to call it and what to trust from it. */
export interface PartnerTrust extends TlsPartner {
  name: string;
  /** host:port of its partner API. */
  endpoint: string;
  caPem: Buffer;
  signingKey: KeyObject;
}

export interface OwnSigningKey extends Signer {
  /** Raw 32-byte Ed25519 public key, as GetPublicKeys publishes it. */
  publicKeyRaw: Buffer;
  /** When the key file was written: published as the key's valid_from. */
  createdAt: Date;
}

/**
 * The key material of this region's exchange, read once at start from the keys directory with the
 * paths the region file names: its TLS certificate and key, its Ed25519 signing key, and for every
 * partner its CA and public signing key. Nothing is ever created here: a missing or unusable file
 * stops the start with a message naming it (in development, `infra/src/cli/dev-pki.ts` makes them).
 *
 * The mutual-TLS credentials are built here rather than with `serverCredentials` /
 * `clientCredentials` of @tongban/trust because those read the fixed `<keysDir>/<region>/` layout,
 * while the region file is the place that names these files.
 */
export class ExchangeTrust {
  private constructor(
    readonly region: string,
    readonly identity: string,
    readonly signer: OwnSigningKey,
    /** The partners' signing keys (and later the keys they publish): what envelopes verify with. */
    readonly ring: PublicKeyRing,
    readonly partners: ReadonlyMap<string, PartnerTrust>,
    private readonly ownKey: Buffer,
    private readonly ownCert: Buffer,
  ) {}

  static load(keysDir: string, region: Region): ExchangeTrust {
    const resolve = (relative: string) => path.resolve(keysDir, relative);
    const files = [
      ['exchange.tlsCa', region.exchange.tlsCa],
      ['exchange.tlsCert', region.exchange.tlsCert],
      ['exchange.tlsKey', region.exchange.tlsKey],
      ['exchange.signingKey', region.exchange.signingKey],
      ...region.partners.flatMap((partner, index) => [
        [`partners[${index}].tlsCa`, partner.tlsCa],
        [`partners[${index}].signingKey`, partner.signingKey],
      ]),
    ] as const;
    const missing = files
      .filter(([, file]) => !existsSync(resolve(file)))
      .map(
        ([field, file]) => `${resolve(file)} (${field} of region ${region.code}) does not exist`,
      );
    if (missing.length > 0) {
      throw new ServiceConfigError('exchange', [
        ...missing,
        `keys directory: ${keysDir} (TONGBAN_KEYS_DIR); the exchange never creates keys — in development run \`tsx infra/src/cli/dev-pki.ts --keys-dir ${keysDir} ${[region.code, ...region.partners.map((p) => p.code)].join(' ')}\``,
      ]);
    }
    if (region.partners.length === 0) {
      throw new ServiceConfigError('exchange', [
        `region ${region.code} has no partners: there is nobody to exchange cases with`,
      ]);
    }
    try {
      return ExchangeTrust.read(region, resolve);
    } catch (error) {
      if (error instanceof TrustError) throw new ServiceConfigError('exchange', [error.message]);
      throw error;
    }
  }

  private static read(region: Region, resolve: (relative: string) => string): ExchangeTrust {
    const ownCa = loadCertificate(resolve(region.exchange.tlsCa));
    const certificate = loadCertificate(resolve(region.exchange.tlsCert));
    const keyFile = resolve(region.exchange.tlsKey);
    const ownKey = readFileSync(keyFile);
    let matches: boolean;
    try {
      matches = certificate.checkPrivateKey(createPrivateKey(ownKey));
    } catch (error) {
      throw new TrustError('TRUST.BAD_TLS_MATERIAL', `${keyFile} is not a PEM key`, {
        cause: error,
      });
    }
    if (!matches) {
      throw new TrustError(
        'TRUST.BAD_TLS_MATERIAL',
        `${resolve(region.exchange.tlsCert)} does not belong to the key ${keyFile}`,
      );
    }
    if (!isIssuedBy(certificate, ownCa)) {
      throw new TrustError(
        'TRUST.BAD_TLS_MATERIAL',
        `${resolve(region.exchange.tlsCert)} was not issued by ${resolve(region.exchange.tlsCa)}`,
      );
    }
    if (certificate.checkHost(region.exchange.tlsIdentity, { subject: 'never' }) === undefined) {
      throw new TrustError(
        'TRUST.BAD_TLS_MATERIAL',
        `${resolve(region.exchange.tlsCert)} does not name ${region.exchange.tlsIdentity} (exchange.tlsIdentity)`,
      );
    }

    const signingFile = resolve(region.exchange.signingKey);
    const signer = signerOf(loadSigningKey(signingFile));
    const ring = new PublicKeyRing();
    const partners = new Map<string, PartnerTrust>();
    for (const partner of region.partners) {
      const trusted = partnerTrust(partner, resolve);
      ring.add(partner.code, trusted.signingKey);
      partners.set(partner.code, trusted);
    }
    return new ExchangeTrust(
      region.code,
      region.exchange.tlsIdentity,
      {
        ...signer,
        publicKeyRaw: rawPublicKey(signer.privateKey),
        createdAt: statSync(signingFile).mtime,
      },
      ring,
      partners,
      ownKey,
      Buffer.from(certificate.toString()),
    );
  }

  partner(region: string): PartnerTrust | undefined {
    return this.partners.get(region);
  }

  /**
   * The partner API's credentials: this region's certificate, and a client certificate from one
   * of the partners' CAs is required — the handshake fails otherwise, before any call is read.
   * Which partner is calling is decided per call (identifyPartner: name AND issuing CA).
   */
  serverCredentials(): ServerCredentials {
    const trusted = Buffer.concat(
      [...this.partners.values()].map((partner) =>
        Buffer.concat([partner.caPem, Buffer.from('\n')]),
      ),
    );
    return ServerCredentials.createSsl(
      trusted,
      [{ private_key: this.ownKey, cert_chain: this.ownCert }],
      true,
    );
  }

  /**
   * Credentials for calling one partner: this region's certificate is presented, and only a
   * server certificate issued by the partner's CA that names the partner's identity is accepted,
   * whatever address is dialled (checkServerIdentity ignores the dialled host on purpose).
   */
  clientChannel(partner: PartnerTrust): {
    credentials: ChannelCredentials;
    options: ChannelOptions;
  } {
    const credentials = ChannelCredentials.createSsl(partner.caPem, this.ownKey, this.ownCert, {
      checkServerIdentity: (_dialledHost, certificate) =>
        checkServerIdentity(partner.identity, certificate),
    });
    return {
      credentials,
      options: {
        // SNI must be a name, not the dialled IP address.
        'grpc.ssl_target_name_override': partner.identity,
        // grpc-js backs reconnects off up to 2 minutes by default: a partner that comes back
        // would wait that long. The delivery worker has its own backoff.
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 5_000,
        'grpc.max_send_message_length': 64 * 1024 * 1024,
        'grpc.max_receive_message_length': 64 * 1024 * 1024,
      },
    };
  }
}

function partnerTrust(partner: Partner, resolve: (relative: string) => string): PartnerTrust {
  const caFile = resolve(partner.tlsCa);
  const ca: X509Certificate = loadCertificate(caFile);
  return {
    region: partner.code,
    name: partner.name,
    endpoint: partner.endpoint,
    identity: partner.tlsIdentity,
    ca,
    caPem: Buffer.from(ca.toString()),
    signingKey: loadPublicKey(resolve(partner.signingKey)),
  };
}
