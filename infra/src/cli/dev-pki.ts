// Creates (only where missing) the dev PKI of regions: regional CA, exchange mTLS certificate and
// Ed25519 signing key under <keys-dir>/<region>/. The keys folder is git-ignored; nothing here is
// ever committed.
//   tsx infra/src/cli/dev-pki.ts [--keys-dir DIR] [--json] <region...>
//   tsx infra/src/cli/dev-pki.ts rogue --identity NAME --out DIR [--issuer-region R] [--keys-dir DIR] [--json]
// The second form is for refusal tests: a certificate naming NAME from a CA nobody trusts, or
// from region R's own CA. The keys folder defaults to $TONGBAN_KEYS_DIR, else <repo>/.tongban/keys.
import { parseArgs } from 'node:util';
import {
  defaultKeysDir,
  DevPkiError,
  ensureDevPki,
  issueRogueCertificate,
  regionPkiFiles,
  type RegionPki,
} from '../dev-pki';

const USAGE = `usage: dev-pki [--keys-dir DIR] [--json] <region...>
       dev-pki rogue --identity NAME --out DIR [--issuer-region REGION] [--keys-dir DIR] [--json]`;

function describe(pki: RegionPki): string {
  const what = pki.created
    ? `created CA, exchange certificate and signing key in ${pki.files.dir} (${pki.elapsedMs} ms)`
    : `already present in ${pki.files.dir}, unchanged`;
  const expired = pki.exchangeCertExpiresAt.getTime() < Date.now() ? ' — EXPIRED' : '';
  return (
    `${pki.region}: ${what}\n` +
    `  identity ${pki.identity}, signing key id ${pki.signingKeyId}\n` +
    `  exchange certificate valid until ${pki.exchangeCertExpiresAt.toISOString()}${expired}, ` +
    `CA until ${pki.caExpiresAt.toISOString()}`
  );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'keys-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      identity: { type: 'string' },
      out: { type: 'string' },
      'issuer-region': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const keysDir = values['keys-dir'] ?? defaultKeysDir();
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }

  if (positionals[0] === 'rogue') {
    if (values.identity === undefined || values.out === undefined) {
      console.error(USAGE);
      process.exitCode = 2;
      return;
    }
    const issuerRegion = values['issuer-region'];
    const issuer =
      issuerRegion === undefined
        ? undefined
        : (() => {
            const files = regionPkiFiles(keysDir, issuerRegion);
            return { caKeyPath: files.caKey, caCertPath: files.caCert };
          })();
    const rogue = await issueRogueCertificate({
      outDir: values.out,
      identity: values.identity,
      issuer,
    });
    console.log(
      values.json
        ? JSON.stringify(rogue)
        : `rogue certificate for ${values.identity}: ${rogue.certPath} (key ${rogue.keyPath}), ` +
            `issued by ${issuerRegion === undefined ? 'a CA nobody trusts' : `region ${issuerRegion}'s CA`} (${rogue.caCertPath})`,
    );
    return;
  }

  const regions = await ensureDevPki({ keysDir, regions: positionals });
  console.log(
    values.json ? JSON.stringify(regions) : regions.map((pki) => describe(pki)).join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(
    error instanceof DevPkiError
      ? `${error.code}: ${error.message}`
      : `dev-pki failed: ${String(error)}`,
  );
  process.exitCode = 1;
});
