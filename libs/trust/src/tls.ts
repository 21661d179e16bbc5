import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkServerIdentity } from 'node:tls';
import { ChannelCredentials, ServerCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { regionKeyFiles } from './region-keys';
import { TrustError } from './trust-error';

export interface ServerTlsOptions {
  keysDir: string;
  /** This region: its exchange certificate and key are served. */
  region: string;
  /** PEM files of the CAs whose certificates may call (the partners' regional CAs). */
  trustedCas: readonly string[];
}

/**
 * Server credentials for the partner API: serves this region's exchange certificate and
 * requires every client to present a certificate issued by one of `trustedCas`; the TLS
 * handshake fails otherwise, before any request is read. That the certificate also belongs to
 * the partner it claims to be is checked per call with {@link identifyPartner}.
 */
export function serverCredentials(options: ServerTlsOptions): ServerCredentials {
  // grpc-js falls back to the public web roots when given no CA: any certificate bought from a
  // public CA would then pass. An empty trust list is a configuration error, never "trust all".
  if (options.trustedCas.length === 0) {
    throw new TrustError(
      'TRUST.BAD_TLS_MATERIAL',
      `region ${options.region}: no partner CA to trust; list the partners' ca.crt files`,
    );
  }
  const trusted = Buffer.concat(
    options.trustedCas.map((file) => Buffer.from(`${loadCertificate(file).toString()}\n`)),
  );
  const own = ownKeyPair(options.keysDir, options.region);
  return ServerCredentials.createSsl(
    trusted,
    [{ private_key: own.key, cert_chain: own.cert }],
    true,
  );
}

export interface ClientTlsOptions {
  keysDir: string;
  /** This region: its exchange certificate is presented to the partner. */
  region: string;
  /** PEM file of the partner's regional CA, the only CA its server certificate may come from. */
  partnerCa: string;
  /** The DNS name the partner's certificate must carry, e.g. `exchange.429005.tongban.local`. */
  partnerIdentity: string;
}

/** What `new Client(address, credentials, options)` needs to call one partner. */
export interface PartnerChannel {
  credentials: ChannelCredentials;
  options: ChannelOptions;
}

/**
 * Client credentials for calling one partner: presents this region's certificate, accepts only a
 * server certificate issued by the partner's CA that names `partnerIdentity`. The name is checked
 * whatever address is dialled (127.0.0.1 locally, a load balancer in production), because the
 * address says nothing about who answers.
 *
 * The identity check is in the credentials themselves (`checkServerIdentity` ignores the host
 * name grpc-js passes, which is the dialled address); `grpc.ssl_target_name_override` in
 * `options` only makes the TLS SNI name the partner's (instead of an IP address, which TLS does
 * not allow as SNI), so the check holds even if a caller forgets the options.
 */
export function clientCredentials(options: ClientTlsOptions): PartnerChannel {
  const partnerCa = loadCertificate(options.partnerCa);
  const own = ownKeyPair(options.keysDir, options.region);
  const { partnerIdentity } = options;
  const credentials = ChannelCredentials.createSsl(
    Buffer.from(partnerCa.toString()),
    own.key,
    own.cert,
    {
      checkServerIdentity: (_dialledHost, certificate) =>
        checkServerIdentity(partnerIdentity, certificate),
    },
  );
  return { credentials, options: { 'grpc.ssl_target_name_override': partnerIdentity } };
}

/** The client certificate of a call, as the server saw it after the handshake verified it. */
export interface PeerIdentity {
  /** The first DNS subjectAltName, else the subject CN: `exchange.<region>.tongban.local`. */
  name: string;
  dnsNames: string[];
  commonName: string | undefined;
  /** SHA-256 fingerprint (`AB:CD:…`), to log which certificate called. */
  fingerprint256: string;
  certificate: X509Certificate;
}

/** Any grpc-js server call: unary, streaming, or the call of an interceptor. */
export interface CallWithAuthContext {
  getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } };
}

/**
 * The verified client certificate of a server call; `undefined` on a plain-text server or when
 * the client presented none. grpc-js 1.14 exposes it as `call.getAuthContext().sslPeerCertificate`
 * (Node's `getPeerCertificate()`), and only once the handshake authorized it.
 */
export function peerIdentity(call: CallWithAuthContext): PeerIdentity | undefined {
  const raw = call.getAuthContext().sslPeerCertificate?.raw;
  if (!raw || raw.length === 0) return undefined;
  const certificate = new X509Certificate(raw);
  const dnsNames = parseAltNames(certificate.subjectAltName)
    .filter((name) => name.type === 'DNS')
    .map((name) => name.value);
  const commonName = certificate.subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice('CN='.length);
  const name = dnsNames[0] ?? commonName;
  if (name === undefined) return undefined;
  return {
    name,
    dnsNames,
    commonName,
    fingerprint256: certificate.fingerprint256,
    certificate,
  };
}

/** A partner as the TLS layer knows it: its identity and the CA that vouches for it. */
export interface TlsPartner {
  region: string;
  /** DNS name its exchange certificate carries. */
  identity: string;
  /** Its regional CA (see {@link loadCertificate}). */
  ca: X509Certificate;
}

/**
 * The partner whose certificate made this call: it must carry the partner's identity AND be
 * signed by that partner's own CA. The handshake only proved that *some* trusted CA issued it;
 * without the second check one partner's CA could issue a certificate naming another partner
 * and speak for it.
 */
export function identifyPartner<P extends TlsPartner>(
  call: CallWithAuthContext,
  partners: Iterable<P>,
): P | undefined {
  const peer = peerIdentity(call);
  if (!peer) return undefined;
  for (const partner of partners) {
    const names = peer.certificate.checkHost(partner.identity, {
      subject: 'never',
      wildcards: false,
    });
    if (names !== undefined && isIssuedBy(peer.certificate, partner.ca)) return partner;
  }
  return undefined;
}

/** Whether `ca` signed `certificate` (name chaining and the signature itself). */
export function isIssuedBy(certificate: X509Certificate, ca: X509Certificate): boolean {
  return certificate.checkIssued(ca) && certificate.verify(ca.publicKey);
}

/** A PEM certificate file, parsed (so a wrong path or a key file is caught at start-up). */
export function loadCertificate(pemPath: string): X509Certificate {
  let pem: Buffer;
  try {
    pem = readFileSync(pemPath);
  } catch (error) {
    throw new TrustError('TRUST.BAD_TLS_MATERIAL', `cannot read certificate ${pemPath}`, {
      cause: error,
    });
  }
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new TrustError('TRUST.BAD_TLS_MATERIAL', `${pemPath} is not a PEM certificate`, {
      cause: error,
    });
  }
}

function ownKeyPair(keysDir: string, region: string): { key: Buffer; cert: Buffer } {
  const files = regionKeyFiles(keysDir, region);
  const certificate = loadCertificate(files.exchangeCert);
  let key: Buffer;
  try {
    key = readFileSync(files.exchangeKey);
  } catch (error) {
    throw new TrustError('TRUST.BAD_TLS_MATERIAL', `cannot read TLS key ${files.exchangeKey}`, {
      cause: error,
    });
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new TrustError('TRUST.BAD_TLS_MATERIAL', `${files.exchangeKey} is not a PEM key`, {
      cause: error,
    });
  }
  if (!matches) {
    throw new TrustError(
      'TRUST.BAD_TLS_MATERIAL',
      `${files.exchangeCert} does not belong to the key ${files.exchangeKey}`,
    );
  }
  return { key, cert: Buffer.from(certificate.toString()) };
}

/**
 * Splits Node's subjectAltName text (`DNS:a, DNS:b, IP Address:127.0.0.1`). Node writes a value
 * that contains a comma or quote as a JSON string, so those are decoded rather than split.
 */
function parseAltNames(text: string | undefined): { type: string; value: string }[] {
  const names: { type: string; value: string }[] = [];
  let rest = text ?? '';
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    const type = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
    let value: string;
    if (rest.startsWith('"')) {
      let end = 1;
      while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
      value = JSON.parse(rest.slice(0, end + 1)) as string;
      rest = rest.slice(end + 1);
    } else {
      const comma = rest.indexOf(', ');
      value = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? '' : rest.slice(comma);
    }
    names.push({ type, value });
    rest = rest.replace(/^, /, '');
  }
  return names;
}
