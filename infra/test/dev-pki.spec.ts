import { execFile } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultKeysDir,
  ensureDevPki,
  ensureRegionPki,
  issueRogueCertificate,
  regionPkiFiles,
  type RegionPki,
} from '../src/index';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../..');
const cli = path.join(repo, 'infra/src/cli/dev-pki.ts');

let root: string;
let keysDir: string;
let henan: RegionPki;
let hubei: RegionPki;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tongban-dev-pki-'));
  keysDir = path.join(root, 'keys');
  const started = Date.now();
  [henan, hubei] = (await ensureDevPki({ keysDir, regions: ['411700', '429005'] })) as [
    RegionPki,
    RegionPki,
  ];
  console.log(
    `dev PKI for 2 regions in ${Date.now() - started} ms ` +
      `(${henan.elapsedMs} ms + ${hubei.elapsedMs} ms)`,
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args);
  return stdout;
}

async function mode(file: string): Promise<string> {
  return ((await stat(file)).mode & 0o777).toString(8);
}

describe('a region’s dev PKI', () => {
  it('holds a regional CA, an exchange certificate it issued and an Ed25519 signing key', async () => {
    const files = henan.files;
    expect(henan.created).toBe(true);
    expect(files.dir).toBe(path.join(keysDir, '411700'));
    expect((await readdir(files.dir)).sort()).toEqual([
      'ca.crt',
      'ca.key',
      'exchange.crt',
      'exchange.key',
      'signing.key.pem',
      'signing.pub.pem',
    ]);
    expect(await mode(files.caKey)).toBe('600');
    expect(await mode(files.exchangeKey)).toBe('600');
    expect(await mode(files.signingKey)).toBe('600');

    const ca = new X509Certificate(await readFile(files.caCert));
    expect(ca.subject).toContain('CN=Tongban 411700 dev CA');
    expect(ca.ca).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const caYears = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365 * 86_400_000);
    expect(caYears).toBeGreaterThan(9.9);

    const exchange = new X509Certificate(await readFile(files.exchangeCert));
    expect(exchange.ca).toBe(false);
    expect(exchange.subject).toContain('CN=exchange.411700.tongban.local');
    expect(exchange.subjectAltName).toBe(
      'DNS:exchange.411700.tongban.local, DNS:localhost, IP Address:127.0.0.1',
    );
    expect(exchange.keyUsage).toEqual(
      expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
    );
    expect(exchange.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const days = (Date.parse(exchange.validTo) - Date.parse(exchange.validFrom)) / 86_400_000;
    expect(days).toBe(365);
    expect(exchange.verify(ca.publicKey)).toBe(true);
    // openssl's own chain check, for both roles the certificate plays.
    for (const purpose of ['sslserver', 'sslclient']) {
      expect(
        await openssl('verify', '-purpose', purpose, '-CAfile', files.caCert, files.exchangeCert),
      ).toContain('OK');
    }

    const signing = createPublicKey(await readFile(files.signingPublicKey));
    expect(signing.asymmetricKeyType).toBe('ed25519');
    expect(createPublicKey(await readFile(files.signingKey)).equals(signing)).toBe(true);
    expect(henan.signingKeyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives every region its own CA and keys', async () => {
    const henanCa = new X509Certificate(await readFile(henan.files.caCert));
    const hubeiExchange = new X509Certificate(await readFile(hubei.files.exchangeCert));
    expect(hubeiExchange.verify(henanCa.publicKey)).toBe(false);
    expect(hubei.signingKeyId).not.toBe(henan.signingKeyId);
    expect(hubei.identity).toBe('exchange.429005.tongban.local');
  });

  it('leaves a complete set alone when called again', async () => {
    const before = await readFile(henan.files.caKey);
    const again = await ensureRegionPki({ keysDir, region: '411700' });
    expect(again.created).toBe(false);
    expect(again.signingKeyId).toBe(henan.signingKeyId);
    expect(await readFile(henan.files.caKey)).toEqual(before);
  });

  it('creates one set when several callers race for a region, in one process or several', async () => {
    const inProcess = await Promise.all(
      [1, 2, 3, 4].map(() => ensureRegionPki({ keysDir, region: '430600' })),
    );
    expect(inProcess.filter((pki) => pki.created)).toHaveLength(1);
    expect(new Set(inProcess.map((pki) => pki.signingKeyId)).size).toBe(1);

    const processes = await Promise.all(
      [1, 2, 3].map(() =>
        run(process.execPath, ['--import', 'tsx', cli, '--keys-dir', keysDir, '--json', '110000'], {
          cwd: repo,
          env: { ...process.env, TSX_TSCONFIG_PATH: path.join(repo, 'tsconfig.base.json') },
        }),
      ),
    );
    const results = processes.map(
      ({ stdout }) => (JSON.parse(stdout) as { created: boolean; signingKeyId: string }[])[0]!,
    );
    expect(results.filter((pki) => pki.created)).toHaveLength(1);
    expect(new Set(results.map((pki) => pki.signingKeyId)).size).toBe(1);
    // No staging folder is left behind.
    expect((await readdir(keysDir)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('refuses an incomplete set instead of minting a new CA over it', async () => {
    const region = '420000';
    const { files } = await ensureRegionPki({ keysDir, region });
    await rm(files.exchangeCert);
    await expect(ensureRegionPki({ keysDir, region })).rejects.toMatchObject({
      code: 'PKI.INCOMPLETE',
      message: expect.stringContaining('missing exchange.crt') as unknown,
    });
    expect(existsSync(files.caKey)).toBe(true);
  });

  it('refuses a region that is not a 6-digit code (it becomes a path and a certificate name)', async () => {
    for (const region of ['../../etc', '4117', '411700/CN=evil', '']) {
      await expect(ensureRegionPki({ keysDir, region })).rejects.toMatchObject({
        code: 'PKI.BAD_REGION',
      });
    }
  });

  it('defaults to $TONGBAN_KEYS_DIR, else the git-ignored .tongban/keys of the repository', () => {
    expect(defaultKeysDir({ TONGBAN_KEYS_DIR: '/srv/keys' })).toBe('/srv/keys');
    expect(defaultKeysDir({})).toBe(path.join(repo, '.tongban/keys'));
  });

  it('prints what it created', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', cli, '--keys-dir', keysDir, '411700', '431000'],
      {
        cwd: repo,
        env: { ...process.env, TSX_TSCONFIG_PATH: path.join(repo, 'tsconfig.base.json') },
      },
    );
    expect(stdout).toContain(`411700: already present in ${path.join(keysDir, '411700')}`);
    expect(stdout).toMatch(
      /431000: created CA, exchange certificate and signing key in .* \(\d+ ms\)/,
    );
    expect(stdout).toContain('identity exchange.431000.tongban.local');
  });
});

describe('rogue certificates for refusal tests', () => {
  it('names the same identity but comes from a CA nobody trusts', async () => {
    const rogue = await issueRogueCertificate({
      outDir: path.join(root, 'rogue'),
      identity: 'exchange.411700.tongban.local',
    });
    const certificate = new X509Certificate(await readFile(rogue.certPath));
    expect(certificate.subjectAltName).toContain('DNS:exchange.411700.tongban.local');
    await expect(openssl('verify', '-CAfile', henan.files.caCert, rogue.certPath)).rejects.toThrow(
      /unable to get local issuer certificate/,
    );
    expect(await openssl('verify', '-CAfile', rogue.caCertPath, rogue.certPath)).toContain('OK');
  });

  it('can come from another region’s real CA, claiming an identity that is not that region’s', async () => {
    const rogue = await issueRogueCertificate({
      outDir: path.join(root, 'impostor'),
      identity: 'exchange.411700.tongban.local',
      issuer: { caKeyPath: hubei.files.caKey, caCertPath: hubei.files.caCert },
    });
    expect(rogue.caCertPath).toBe(hubei.files.caCert);
    expect(await openssl('verify', '-CAfile', hubei.files.caCert, rogue.certPath)).toContain('OK');
  });
});

describe('the certificates in a mutual TLS handshake', () => {
  // Plain node:tls, independent of grpc: the certificates themselves carry the right usages.
  async function handshake(client: { key: string; cert: string }, servername: string) {
    const hubeiFiles = regionPkiFiles(keysDir, '429005');
    const server = createServer({
      key: await readFile(hubeiFiles.exchangeKey),
      cert: await readFile(hubeiFiles.exchangeCert),
      ca: await readFile(henan.files.caCert),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peers: string[] = [];
    server.on('secureConnection', (socket: TLSSocket) => {
      peers.push(String(socket.getPeerCertificate().subject.CN));
      socket.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      // Under TLS 1.3 the client's side of the handshake completes before the server has judged
      // the client certificate; a refusal then arrives as an alert (an error) or a bare close.
      const greeting = await new Promise<string>((resolve) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          servername,
          ca: readFileSync(hubeiFiles.caCert),
          key: readFileSync(client.key),
          cert: readFileSync(client.cert),
        });
        let data = '';
        socket.on('data', (chunk: Buffer) => {
          data += chunk.toString();
        });
        socket.on('end', () => {
          resolve(data);
        });
        socket.on('error', (error: Error) => {
          resolve(`refused: ${error.message}`);
        });
      });
      return { greeting, peers };
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('lets region 411700 call region 429005, each proving its identity', async () => {
    const result = await handshake(
      { key: henan.files.exchangeKey, cert: henan.files.exchangeCert },
      'exchange.429005.tongban.local',
    );
    expect(result).toEqual({ greeting: 'hello', peers: ['exchange.411700.tongban.local'] });
  });

  it('fails the handshake for a client certificate from a CA the server does not trust', async () => {
    const rogue = await issueRogueCertificate({
      outDir: path.join(root, 'rogue-client'),
      identity: 'exchange.411700.tongban.local',
    });
    const result = await handshake(
      { key: rogue.keyPath, cert: rogue.certPath },
      'exchange.429005.tongban.local',
    );
    expect(result.greeting).not.toBe('hello');
    expect(result.peers).toEqual([]);
  });

  it('fails the handshake when the server does not carry the expected name', async () => {
    const result = await handshake(
      { key: henan.files.exchangeKey, cert: henan.files.exchangeCert },
      'exchange.430600.tongban.local',
    );
    expect(result.greeting).toMatch(/^refused: .*exchange\.430600\.tongban\.local/);
  });
});
