// Mutual TLS between regions with the dev PKI that infra's script generates (run as a process,
// the way setup runs it), over real grpc-js on loopback.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ChannelCredentials,
  Server,
  credentials as insecureCredentials,
  makeGenericClientConstructor,
  status,
  type ChannelOptions,
  type handleUnaryCall,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientCredentials,
  exchangeIdentity,
  identifyPartner,
  loadCertificate,
  loadRegionSigningKeys,
  peerIdentity,
  regionKeyFiles,
  serverCredentials,
  type TlsPartner,
} from '../src';
import { HENAN, HUBEI, HUNAN } from './support';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../../..');

/** Runs infra's dev PKI command line and returns its JSON output. */
async function devPki<T>(...args: string[]): Promise<T> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(repo, 'infra/src/cli/dev-pki.ts'), '--json', ...args],
    {
      cwd: repo,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(repo, 'tsconfig.base.json') },
    },
  );
  return JSON.parse(stdout) as T;
}

// A probe service: answers who the server believes is calling.
interface WhoAmI {
  name: string | null;
  partner: string | null;
}
const PROBE: ServiceDefinition = {
  whoAmI: {
    path: '/tongban.test.Probe/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};
const ProbeClient = makeGenericClientConstructor(PROBE, 'Probe');

let root: string;
let keysDir: string;
let server: Server;
let address: string;
let handled = 0;
let rogueKeysDir: string;
let impostorKeysDir: string;
const ca = (region: string): string => regionKeyFiles(keysDir, region).caCert;

/** A keys folder whose `<region>/exchange.*` is the given certificate (for odd clients). */
function keysDirWith(name: string, region: string, key: string, cert: string): string {
  const dir = path.join(root, name);
  const files = regionKeyFiles(dir, region);
  mkdirSync(files.dir, { recursive: true });
  copyFileSync(key, files.exchangeKey);
  copyFileSync(cert, files.exchangeCert);
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'tongban-trust-tls-'));
  keysDir = path.join(root, 'keys');
  const started = Date.now();
  const created = await devPki<{ region: string; signingKeyId: string; elapsedMs: number }[]>(
    '--keys-dir',
    keysDir,
    HENAN,
    HUBEI,
    HUNAN,
  );
  console.log(
    `dev PKI of 3 regions via the CLI in ${Date.now() - started} ms ` +
      `(generation ${created.map((pki) => `${pki.elapsedMs} ms`).join(', ')})`,
  );
  // The CLI and this lib agree on the layout and on how a key id is derived.
  for (const pki of created) {
    expect(loadRegionSigningKeys(keysDir, pki.region).keyId).toBe(pki.signingKeyId);
  }

  const rogue = await devPki<{ keyPath: string; certPath: string }>(
    'rogue',
    '--identity',
    exchangeIdentity(HENAN),
    '--out',
    path.join(root, 'rogue'),
  );
  rogueKeysDir = keysDirWith('rogue-keys', HENAN, rogue.keyPath, rogue.certPath);
  // 430600's real CA vouching for a certificate that names 411700.
  const impostor = await devPki<{ keyPath: string; certPath: string }>(
    'rogue',
    '--identity',
    exchangeIdentity(HENAN),
    '--out',
    path.join(root, 'impostor'),
    '--issuer-region',
    HUNAN,
    '--keys-dir',
    keysDir,
  );
  impostorKeysDir = keysDirWith('impostor-keys', HENAN, impostor.keyPath, impostor.certPath);

  // 429005's partner API, open to its partners 411700 and 430600.
  const partners: TlsPartner[] = [HENAN, HUNAN].map((region) => ({
    region,
    identity: exchangeIdentity(region),
    ca: loadCertificate(ca(region)),
  }));
  server = new Server();
  server.addService(PROBE, {
    whoAmI: ((call, callback) => {
      handled += 1;
      const answer: WhoAmI = {
        name: peerIdentity(call)?.name ?? null,
        partner: identifyPartner(call, partners)?.region ?? null,
      };
      callback(null, Buffer.from(JSON.stringify(answer)));
    }) satisfies handleUnaryCall<Buffer, Buffer>,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      '127.0.0.1:0',
      serverCredentials({ keysDir, region: HUBEI, trustedCas: [ca(HENAN), ca(HUNAN)] }),
      (error, bound) => {
        if (error) reject(error);
        else resolve(bound);
      },
    );
  });
  address = `127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.tryShutdown(() => {
      resolve();
    });
  });
  rmSync(root, { recursive: true, force: true });
});

/** One call to the probe; resolves with the answer or the gRPC error. */
interface Dial {
  credentials: ChannelCredentials;
  options?: ChannelOptions;
  /** 127.0.0.1:<port> unless given. */
  target?: string;
}

async function whoAmI(channel: Dial): Promise<WhoAmI | ServiceError> {
  const client = new ProbeClient(channel.target ?? address, channel.credentials, channel.options);
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        PROBE.whoAmI!.path,
        (value: Buffer) => value,
        (bytes: Buffer) => bytes,
        Buffer.alloc(0),
        { deadline: Date.now() + 5_000 },
        (error, value) => {
          resolve(error ?? (JSON.parse(String(value)) as WhoAmI));
        },
      );
    });
  } finally {
    client.close();
  }
}

/** Expects the call to fail before any handler ran. */
async function expectRefused(channel: Dial): Promise<ServiceError> {
  const before = handled;
  const result = await whoAmI(channel);
  expect(result).toBeInstanceOf(Error);
  expect(handled).toBe(before);
  const error = result as ServiceError;
  expect(error.code).toBe(status.UNAVAILABLE);
  return error;
}

function asPartner(region: string, partner = HUBEI) {
  return clientCredentials({
    keysDir,
    region,
    partnerCa: ca(partner),
    partnerIdentity: exchangeIdentity(partner),
  });
}

describe('a partner’s exchange server', () => {
  it('accepts a partner’s certificate and sees who is calling', async () => {
    expect(await whoAmI(asPartner(HENAN))).toEqual({
      name: 'exchange.411700.tongban.local',
      partner: HENAN,
    });
    expect(await whoAmI(asPartner(HUNAN))).toEqual({
      name: 'exchange.430600.tongban.local',
      partner: HUNAN,
    });
  });

  it('refuses at the handshake a client certificate not issued by a trusted regional CA', async () => {
    await expectRefused(
      clientCredentials({
        keysDir: rogueKeysDir,
        region: HENAN,
        partnerCa: ca(HUBEI),
        partnerIdentity: exchangeIdentity(HUBEI),
      }),
    );
  });

  it('does not take a partner’s CA’s word for another partner’s identity', async () => {
    // The handshake passes (430600's CA is trusted), but the certificate is not 411700's.
    const answer = await whoAmI(
      clientCredentials({
        keysDir: impostorKeysDir,
        region: HENAN,
        partnerCa: ca(HUBEI),
        partnerIdentity: exchangeIdentity(HUBEI),
      }),
    );
    expect(answer).toEqual({ name: 'exchange.411700.tongban.local', partner: null });
  });

  it('refuses a plain-text client', async () => {
    await expectRefused({ credentials: insecureCredentials.createInsecure() });
  });

  it('refuses a TLS client without a certificate', async () => {
    const files = regionKeyFiles(keysDir, HUBEI);
    await expectRefused({
      // Trusting the server is not enough; the server wants to know the caller.
      credentials: ChannelCredentials.createSsl(
        Buffer.from(loadCertificate(files.caCert).toString()),
      ),
      options: { 'grpc.ssl_target_name_override': exchangeIdentity(HUBEI) },
    });
  });
});

describe('a client calling a partner', () => {
  it('refuses a server that does not carry the expected partner’s name', async () => {
    // The server is 429005's, validly issued by 429005's CA, but 411700 meant to call 430600.
    const error = await expectRefused(
      clientCredentials({
        keysDir,
        region: HENAN,
        partnerCa: ca(HUBEI),
        partnerIdentity: exchangeIdentity(HUNAN),
      }),
    );
    expect(error.details).toContain('exchange.430600.tongban.local');
  });

  it('checks the partner’s name even when the caller drops the channel options', async () => {
    const { credentials } = clientCredentials({
      keysDir,
      region: HENAN,
      partnerCa: ca(HUBEI),
      partnerIdentity: exchangeIdentity(HUNAN),
    });
    // Dialled as `localhost`, which every dev exchange certificate names: the default host check
    // would pass, the partner check does not.
    const error = await expectRefused({
      credentials,
      target: address.replace('127.0.0.1', 'localhost'),
    });
    expect(error.details).toContain('exchange.430600.tongban.local');
  });

  it('refuses a server certificate that is not from the partner’s CA', async () => {
    await expectRefused(asPartner(HENAN, HUNAN));
  });
});

describe('TLS material', () => {
  it('refuses to build a server that trusts no CA (grpc-js would trust the public web roots)', () => {
    expect(() => serverCredentials({ keysDir, region: HUBEI, trustedCas: [] })).toThrow(
      expect.objectContaining({ code: 'TRUST.BAD_TLS_MATERIAL' }) as Error,
    );
  });

  it('names the file that is missing or wrong', () => {
    expect(() =>
      clientCredentials({
        keysDir: path.join(root, 'nowhere'),
        region: HENAN,
        partnerCa: ca(HUBEI),
        partnerIdentity: exchangeIdentity(HUBEI),
      }),
    ).toThrow(/nowhere\/411700\/exchange\.crt/);
    expect(() =>
      serverCredentials({
        keysDir,
        region: HUBEI,
        trustedCas: [regionKeyFiles(keysDir, HENAN).caKey],
      }),
    ).toThrow(/ca\.key is not a PEM certificate/);
  });

  it('refuses an exchange certificate that does not belong to the key next to it', () => {
    const mixed = keysDirWith(
      'mixed-keys',
      HENAN,
      regionKeyFiles(keysDir, HUNAN).exchangeKey,
      regionKeyFiles(keysDir, HENAN).exchangeCert,
    );
    expect(() =>
      clientCredentials({
        keysDir: mixed,
        region: HENAN,
        partnerCa: ca(HUBEI),
        partnerIdentity: exchangeIdentity(HUBEI),
      }),
    ).toThrow(/does not belong to the key/);
  });
});
