import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZipkin } from '../src/index';
import { expect, it } from 'vitest';
import { processesOf } from '../src/jvm-process';

it('collects a span over HTTP, serves its trace, and stops without leaving a JVM behind', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tongban-zipkin-spec-'));
  const zipkin = await startZipkin({ dataDir });
  try {
    expect(zipkin.url).toBe(`http://127.0.0.1:${zipkin.port}`);
    const traceId = randomBytes(16).toString('hex');
    const span = {
      traceId,
      id: randomBytes(8).toString('hex'),
      name: 'submit case',
      timestamp: Date.now() * 1000,
      duration: 1500,
      kind: 'SERVER',
      localEndpoint: { serviceName: 'case-intake' },
    };
    const posted = await fetch(`${zipkin.url}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([span]),
    });
    expect(posted.status).toBe(202);

    const trace = await fetch(`${zipkin.url}/api/v2/trace/${traceId}`);
    expect(trace.status).toBe(200);
    expect(await trace.json()).toMatchObject([{ traceId, name: 'submit case' }]);
  } finally {
    await zipkin.stop();
  }
  expect(await processesOf(dataDir)).toEqual([]);
  await rm(dataDir, { recursive: true, force: true });
});
