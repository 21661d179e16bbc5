import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A pom's dependencies, copied as plain jars into one directory of the cache. */
export interface ResolvedArtifacts {
  /** `<artifactId>-<version>` of the pom itself, e.g. `kafka-4.4.0`. */
  name: string;
  version: string;
  dir: string;
  jars: string[];
}

/** Marks a complete resolution; holds the pom's hash so an edited pom resolves again. */
const MARKER = '.resolved';

/** `$TONGBAN_CACHE_DIR`, else `$XDG_CACHE_HOME/tongban`, else `~/.cache/tongban`. */
export function cacheRoot(): string {
  const explicit = process.env.TONGBAN_CACHE_DIR;
  if (explicit) return explicit;
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tongban');
}

/**
 * Copies the dependencies of `pomPath` into `<cacheRoot>/<artifactId>-<version>/` with Maven,
 * once: later calls find the marker and return at once. The jars land in a private directory that
 * is renamed into place only when complete, so concurrent callers (parallel test workers, two
 * terminals) never see a half-filled cache; a loser of the rename race uses the winner's copy.
 */
export async function resolveMavenArtifacts(pomPath: string): Promise<ResolvedArtifacts> {
  const pom = await readFile(pomPath, 'utf8');
  const { artifactId, version } = projectCoordinates(pom, pomPath);
  const name = `${artifactId}-${version}`;
  const dir = join(cacheRoot(), name);
  const pomHash = createHash('sha256').update(pom).digest('hex');

  if ((await readMarker(dir)) !== pomHash) {
    const staging = `${dir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    process.stderr.write(`[tongban] resolving ${name} with Maven into ${dir} (first time only)…\n`);
    try {
      await mkdir(staging, { recursive: true });
      await mvn(pomPath, staging);
      await writeFile(join(staging, MARKER), pomHash);
      await moveIntoPlace(staging, dir, pomHash);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    process.stderr.write(`[tongban] resolved ${name} in ${Date.now() - started} ms\n`);
  }

  const jars = (await readdir(dir))
    .filter((file) => file.endsWith('.jar'))
    .map((file) => join(dir, file));
  return { name, version, dir, jars };
}

/** One Maven run at a time per process: parallel runs would contend for the same local repository. */
let mavenQueue: Promise<unknown> = Promise.resolve();

function mvn(pomPath: string, outputDirectory: string): Promise<void> {
  const next = mavenQueue.then(() => runMaven(pomPath, outputDirectory));
  mavenQueue = next.catch(() => undefined);
  return next;
}

async function runMaven(pomPath: string, outputDirectory: string): Promise<void> {
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    pomPath,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${outputDirectory}`,
  ];
  try {
    await run('mvn', args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`mvn ${args.join(' ')} failed: ${reason}\n${stdout}${stderr}`.trimEnd(), {
      cause: error,
    });
  }
}

async function moveIntoPlace(staging: string, dir: string, pomHash: string): Promise<void> {
  try {
    await rename(staging, dir);
    return;
  } catch (error) {
    if (!isCode(error, 'ENOTEMPTY', 'EEXIST')) throw error;
  }
  // Someone else finished first: keep theirs. An outdated copy (the pom changed) is first moved
  // aside, itself atomically, so no reader ever sees a directory without its jars.
  if ((await readMarker(dir)) === pomHash) return;
  const outdated = `${dir}.outdated-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(dir, outdated).catch((error: unknown) => {
    if (!isCode(error, 'ENOENT')) throw error;
  });
  await rm(outdated, { recursive: true, force: true });
  await rename(staging, dir).catch(async (error: unknown) => {
    if (!isCode(error, 'ENOTEMPTY', 'EEXIST') || (await readMarker(dir)) !== pomHash) throw error;
  });
}

async function readMarker(dir: string): Promise<string | undefined> {
  const marker = join(dir, MARKER);
  return existsSync(marker) ? (await readFile(marker, 'utf8')).trim() : undefined;
}

/** The pom's own artifactId and version: the first ones before its parent or dependencies. */
function projectCoordinates(pom: string, pomPath: string): { artifactId: string; version: string } {
  const head =
    pom
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<parent>[\s\S]*?<\/parent>/, '')
      .split(/<(?:properties|dependencies|dependencyManagement|build)>/)[0] ?? '';
  const artifactId = /<artifactId>\s*([^<\s]+)\s*<\/artifactId>/.exec(head)?.[1];
  const version = /<version>\s*([^<\s$]+)\s*<\/version>/.exec(head)?.[1];
  if (!artifactId || !version)
    throw new Error(`${pomPath}: no literal project artifactId and version`);
  return { artifactId, version };
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException).code ?? '');
}
