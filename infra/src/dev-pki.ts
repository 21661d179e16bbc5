// Development key material of each region (ARCHITECTURE §9): a regional dev CA, the exchange's
// mutual-TLS certificate issued by it, and the region's Ed25519 signing key. Generated at setup
// under a git-ignored folder, never committed. Node cannot write X.509 certificates, so the
// certificates are made by the openssl CLI; keys are made by node:crypto.
import { execFile } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Stable codes of what can go wrong, for scripts that call this and for the CLI's message. */
export type DevPkiErrorCode =
  'PKI.BAD_REGION' | 'PKI.BAD_IDENTITY' | 'PKI.INCOMPLETE' | 'PKI.OPENSSL_FAILED';

export class DevPkiError extends Error {
  constructor(
    readonly code: DevPkiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevPkiError';
  }
}

/**
 * File names inside `<keysDir>/<region>/`. @tongban/trust's `regionKeyFiles` reads the same
 * layout. infra does not import @tongban/trust for it: trust's tests use @tongban/testing, which
 * uses infra, so the import would close a project cycle. Instead trust's mTLS tests run the CLI
 * of this file and use what it made, so a divergence (layout or key id) fails a test.
 */
export const REGION_PKI_FILES = {
  caKey: 'ca.key',
  caCert: 'ca.crt',
  exchangeKey: 'exchange.key',
  exchangeCert: 'exchange.crt',
  signingKey: 'signing.key.pem',
  signingPublicKey: 'signing.pub.pem',
} as const;

export type RegionPkiFiles = { dir: string } & Record<keyof typeof REGION_PKI_FILES, string>;

export interface RegionPki {
  region: string;
  files: RegionPkiFiles;
  /** DNS name in the exchange certificate: `exchange.<region>.tongban.local`. */
  identity: string;
  /** False when a complete set was already there (nothing was touched). */
  created: boolean;
  /** Id of the Ed25519 signing key (first 16 hex of SHA-256 of the raw key, as @tongban/trust). */
  signingKeyId: string;
  caExpiresAt: Date;
  exchangeCertExpiresAt: Date;
  /** Time spent generating (0 when nothing was created). */
  elapsedMs: number;
}

const CA_DAYS = 3650;
const EXCHANGE_CERT_DAYS = 365;
/** Folders a killed run left behind are removed after this long (they may hold keys). */
const STALE_STAGING_MS = 10 * 60_000;
const REGION_CODE = /^[0-9]{6}$/;
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `$TONGBAN_KEYS_DIR`, else `<repo>/.tongban/keys` (git-ignored). */
export function defaultKeysDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TONGBAN_KEYS_DIR;
  return fromEnv !== undefined && fromEnv !== ''
    ? path.resolve(fromEnv)
    : path.resolve(__dirname, '../../.tongban/keys');
}

export function regionPkiFiles(keysDir: string, region: string): RegionPkiFiles {
  const dir = path.join(keysDir, region);
  const entries = Object.entries(REGION_PKI_FILES).map(([key, name]) => [
    key,
    path.join(dir, name),
  ]);
  return { dir, ...(Object.fromEntries(entries) as Record<keyof typeof REGION_PKI_FILES, string>) };
}

export function exchangeIdentity(region: string): string {
  return `exchange.${region}.tongban.local`;
}

/**
 * Makes sure `<keysDir>/<region>/` holds the region's complete dev PKI, creating it if it is
 * missing. Idempotent, and safe when several processes call it at once (e.g. the services of a
 * region starting together): each builds a full set in a private staging folder next to the
 * target and renames it into place, which is atomic; the first rename wins, the others find a
 * complete set and discard theirs. A half-written set is therefore never visible.
 *
 * An existing but incomplete or inconsistent folder is refused (PKI.INCOMPLETE) rather than
 * repaired: silently minting a new CA would make every partner that trusts the old one refuse
 * this region, which is better decided by a person.
 */
export async function ensureRegionPki(options: {
  keysDir?: string;
  region: string;
}): Promise<RegionPki> {
  const { region } = options;
  if (!REGION_CODE.test(region)) {
    throw new DevPkiError(
      'PKI.BAD_REGION',
      `"${region}" is not a region code: expected the 6-digit GB/T 2260 code, e.g. 411700`,
    );
  }
  const keysDir = path.resolve(options.keysDir ?? defaultKeysDir());
  const files = regionPkiFiles(keysDir, region);
  if (existsSync(files.dir))
    return { ...(await inspect(region, files)), created: false, elapsedMs: 0 };

  const started = Date.now();
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await removeStaleStaging(keysDir, region);
  // Same parent folder as the target, so the rename stays on one filesystem (atomic). mkdtemp
  // makes it 0700, and keys are created 0600: no other user can read them at any moment.
  const staging = await mkdtemp(path.join(keysDir, `.${region}.partial-`));
  try {
    await generateRegionSet(staging, region);
    try {
      await rename(staging, files.dir);
    } catch (error) {
      // Another process renamed its set first (a non-empty target cannot be replaced).
      if (!isCode(error, 'ENOTEMPTY', 'EEXIST') || !existsSync(files.dir)) throw error;
      return { ...(await inspect(region, files)), created: false, elapsedMs: 0 };
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { ...(await inspect(region, files)), created: true, elapsedMs: Date.now() - started };
}

/** {@link ensureRegionPki} for each region, one after another (openssl is quick). */
export async function ensureDevPki(options: {
  keysDir?: string;
  regions: readonly string[];
}): Promise<RegionPki[]> {
  const result: RegionPki[] = [];
  for (const region of options.regions) {
    result.push(await ensureRegionPki({ keysDir: options.keysDir, region }));
  }
  return result;
}

export interface RogueCertificate {
  keyPath: string;
  certPath: string;
  /** The CA that issued it: a throwaway one trusted by nobody, unless `issuer` was given. */
  caCertPath: string;
}

/**
 * For tests of refusal: a certificate that claims `identity` (with the same SANs and usages as a
 * real exchange certificate) but is issued by a CA nobody trusts — or, with `issuer`, by another
 * region's real CA, to show that one partner's CA cannot speak for another partner.
 * Writes `rogue.key`, `rogue.crt` (and `rogue-ca.key`, `rogue-ca.crt`) into `outDir`.
 */
export async function issueRogueCertificate(options: {
  outDir: string;
  identity: string;
  issuer?: { caKeyPath: string; caCertPath: string };
}): Promise<RogueCertificate> {
  if (!DNS_NAME.test(options.identity)) {
    throw new DevPkiError('PKI.BAD_IDENTITY', `"${options.identity}" is not a DNS name`);
  }
  await mkdir(options.outDir, { recursive: true, mode: 0o700 });
  const config = path.join(options.outDir, 'rogue-openssl.cnf');
  await writeFile(config, opensslConfig(options.identity));
  try {
    let ca = options.issuer;
    if (!ca) {
      ca = {
        caKeyPath: path.join(options.outDir, 'rogue-ca.key'),
        caCertPath: path.join(options.outDir, 'rogue-ca.crt'),
      };
      await writePrivateKey(ca.caKeyPath, ecdsaP256Pem());
      await createCaCertificate(
        config,
        ca.caKeyPath,
        ca.caCertPath,
        'Rogue dev CA trusted by nobody',
      );
    }
    const keyPath = path.join(options.outDir, 'rogue.key');
    const certPath = path.join(options.outDir, 'rogue.crt');
    await writePrivateKey(keyPath, ecdsaP256Pem());
    await issueExchangeCertificate(config, keyPath, certPath, options.identity, ca);
    return { keyPath, certPath, caCertPath: ca.caCertPath };
  } finally {
    await rm(config, { force: true });
    await rm(path.join(options.outDir, 'rogue.csr'), { force: true });
  }
}

async function generateRegionSet(dir: string, region: string): Promise<void> {
  const files = regionPkiFiles(dir, '.');
  const config = path.join(dir, 'openssl.cnf');
  const identity = exchangeIdentity(region);
  await writeFile(config, opensslConfig(identity));

  await writePrivateKey(files.caKey, ecdsaP256Pem());
  await createCaCertificate(config, files.caKey, files.caCert, `Tongban ${region} dev CA`, region);

  await writePrivateKey(files.exchangeKey, ecdsaP256Pem());
  await issueExchangeCertificate(
    config,
    files.exchangeKey,
    files.exchangeCert,
    identity,
    { caKeyPath: files.caKey, caCertPath: files.caCert },
    region,
  );

  const signing = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  await writePrivateKey(files.signingKey, signing.privateKey);
  await writeFile(files.signingPublicKey, signing.publicKey, { mode: 0o644 });

  await rm(config);
  await rm(path.join(dir, 'exchange.csr'), { force: true });
}

async function createCaCertificate(
  config: string,
  keyPath: string,
  certPath: string,
  commonName: string,
  region?: string,
): Promise<void> {
  await openssl(config, [
    'req',
    '-new',
    '-x509',
    '-config',
    config,
    '-key',
    keyPath,
    '-subj',
    subject(commonName, region),
    '-sha256',
    '-days',
    String(CA_DAYS),
    '-set_serial',
    serialNumber(),
    '-extensions',
    'tongban_ca',
    '-out',
    certPath,
  ]);
}

async function issueExchangeCertificate(
  config: string,
  keyPath: string,
  certPath: string,
  identity: string,
  ca: { caKeyPath: string; caCertPath: string },
  region?: string,
): Promise<void> {
  const csr = path.join(path.dirname(certPath), `${path.basename(certPath, '.crt')}.csr`);
  await openssl(config, [
    'req',
    '-new',
    '-config',
    config,
    '-key',
    keyPath,
    '-subj',
    subject(identity, region),
    '-out',
    csr,
  ]);
  await openssl(config, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.caCertPath,
    '-CAkey',
    ca.caKeyPath,
    '-set_serial',
    serialNumber(),
    '-sha256',
    '-days',
    String(EXCHANGE_CERT_DAYS),
    '-extfile',
    config,
    '-extensions',
    'tongban_exchange',
    '-out',
    certPath,
  ]);
}

/**
 * Everything the certificates need, in a config of our own so the machine's openssl.cnf (whose
 * defaults differ between distributions) has no say. The exchange certificate serves as TLS
 * server (partners call it) and as TLS client (it calls partners), hence both usages.
 */
function opensslConfig(identity: string): string {
  return `[ req ]
distinguished_name = tongban_dn
prompt = no

[ tongban_dn ]
CN = unused

[ tongban_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ tongban_exchange ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:${identity}, DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;
}

function subject(commonName: string, region: string | undefined): string {
  return `/O=Tongban${region === undefined ? '' : `/OU=${region}`}/CN=${commonName}`;
}

/** 128 random bits with the top bit clear: serials must be positive and unique per CA. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

function ecdsaP256Pem(): string {
  return generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}

async function writePrivateKey(file: string, pem: string): Promise<void> {
  // 'wx': never overwrite a key; the mode applies at creation, so it is never readable by others.
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
}

async function openssl(config: string, args: string[]): Promise<void> {
  try {
    // No shell: arguments go to openssl as they are. OPENSSL_CONF keeps the system config out.
    await run('openssl', args, { env: { ...process.env, OPENSSL_CONF: config }, timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new DevPkiError(
      'PKI.OPENSSL_FAILED',
      `openssl ${args[0] ?? ''} failed${stderr ? `: ${stderr}` : ''}`,
      { cause: error },
    );
  }
}

/** Reads an existing set back and checks it hangs together; refuses it if it does not. */
async function inspect(
  region: string,
  files: RegionPkiFiles,
): Promise<Omit<RegionPki, 'created' | 'elapsedMs'>> {
  const missing = Object.entries(REGION_PKI_FILES)
    .filter(([key]) => !existsSync(files[key as keyof typeof REGION_PKI_FILES]))
    .map(([, name]) => name);
  const incomplete = (problem: string, cause?: unknown): DevPkiError =>
    new DevPkiError(
      'PKI.INCOMPLETE',
      `${files.dir}: ${problem}. Remove the folder to create a new set for region ${region} ` +
        `(partners then have to trust its new ca.crt).`,
      { cause },
    );
  if (missing.length > 0) throw incomplete(`missing ${missing.join(', ')}`);
  try {
    const ca = new X509Certificate(await readFile(files.caCert));
    const exchange = new X509Certificate(await readFile(files.exchangeCert));
    if (!exchange.checkIssued(ca) || !exchange.verify(ca.publicKey)) {
      throw incomplete('exchange.crt was not issued by ca.crt');
    }
    if (!exchange.checkPrivateKey(createPrivateKey(await readFile(files.exchangeKey)))) {
      throw incomplete('exchange.key does not belong to exchange.crt');
    }
    const signingPublic = createPublicKey(await readFile(files.signingPublicKey));
    const fromPrivate = createPublicKey(await readFile(files.signingKey));
    if (!signingPublic.equals(fromPrivate)) {
      throw incomplete('signing.pub.pem is not the public half of signing.key.pem');
    }
    return {
      region,
      files,
      identity: exchangeIdentity(region),
      signingKeyId: keyIdOf(signingPublic),
      caExpiresAt: new Date(ca.validTo),
      exchangeCertExpiresAt: new Date(exchange.validTo),
    };
  } catch (error) {
    if (error instanceof DevPkiError) throw error;
    throw incomplete('a file cannot be read as the key or certificate it should hold', error);
  }
}

/** Same rule as @tongban/trust keyIdOf: first 16 hex chars of SHA-256 of the raw 32-byte key. */
function keyIdOf(publicKey: KeyObject): string {
  const { x } = publicKey.export({ format: 'jwk' });
  return createHash('sha256')
    .update(Buffer.from(x ?? '', 'base64url'))
    .digest('hex')
    .slice(0, 16);
}

async function removeStaleStaging(keysDir: string, region: string): Promise<void> {
  const prefix = `.${region}.partial-`;
  for (const name of await readdir(keysDir)) {
    if (!name.startsWith(prefix)) continue;
    const folder = path.join(keysDir, name);
    const info = await stat(folder).catch(() => undefined);
    // A younger one may belong to a process that is generating right now.
    if (info && Date.now() - info.mtimeMs > STALE_STAGING_MS) {
      await rm(folder, { recursive: true, force: true });
    }
  }
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as { code?: string } | undefined)?.code ?? '');
}
