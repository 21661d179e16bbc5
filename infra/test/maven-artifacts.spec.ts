import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveMavenArtifacts } from '../src/index';

let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'tongban-maven-spec-'));
});
afterAll(() => rm(cache, { recursive: true, force: true }));

it('resolves a pom once into the cache, also when two callers race for it', async () => {
  process.env.TONGBAN_CACHE_DIR = join(cache, 'cache');
  const pom = join(cache, 'pom.xml');
  await writeFile(
    pom,
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.tongban.infra</groupId>
  <artifactId>probe</artifactId>
  <version>1.0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`,
  );

  const [first, second] = await Promise.all([
    resolveMavenArtifacts(pom),
    resolveMavenArtifacts(pom),
  ]);

  expect(first).toEqual(second);
  expect(first.name).toBe('probe-1.0');
  expect(first.dir).toBe(join(cache, 'cache', 'probe-1.0'));
  expect(first.jars.map((jar) => basename(jar))).toEqual(['slf4j-api-1.7.36.jar']);
  expect(await readdir(join(cache, 'cache'))).toEqual(['probe-1.0']); // no partial copies left
  const started = Date.now();
  await resolveMavenArtifacts(pom);
  expect(Date.now() - started).toBeLessThan(500); // cached: Maven did not run again
  expect(existsSync(first.jars[0]!)).toBe(true);
});
