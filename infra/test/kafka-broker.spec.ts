import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitForBroker } from '../src/wait-for-broker';
import { startKafka, type RunningKafka } from '../src/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesOf } from '../src/jvm-process';

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('startKafka', () => {
  let kafka: RunningKafka;
  const scratch: string[] = [];

  beforeAll(async () => {
    kafka = await startKafka({ heapMb: 256 });
  });

  afterAll(async () => {
    await kafka.stop();
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('serves cluster metadata on 127.0.0.1 and stops without leaving a JVM behind', async () => {
    expect(kafka.brokers).toEqual([`127.0.0.1:${kafka.port}`]);
    await waitForBroker(kafka.brokers, 5_000);
    expect(await processesOf(kafka.dataDir)).not.toEqual([]);

    await kafka.stop();
    await kafka.stop(); // idempotent

    expect(await processesOf(kafka.dataDir)).toEqual([]);
    expect(existsSync(kafka.dataDir)).toBe(false); // it was temporary
  });

  it('stops a JVM left running in its data dir, then starts again on the same data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tongban-kafka-spec-'));
    scratch.push(dataDir);
    const first = await startKafka({ dataDir, heapMb: 256 });
    // Orphan the JVM: kill its watchdog and the watchdog's guard, leave the JVM itself.
    const jvmPid = Number(await readFile(join(dataDir, 'kafka.pid'), 'utf8'));
    const others = (await processesOf(dataDir)).filter((pid) => pid !== jvmPid);
    for (const pid of others.reverse()) process.kill(pid, 'SIGKILL'); // the guard before its watchdog
    await eventually(async () => (await processesOf(dataDir)).length === 1, 5_000);

    const second = await startKafka({ dataDir, heapMb: 256 });
    try {
      expect(second.port).not.toBe(first.port);
      await waitForBroker(second.brokers, 5_000);
      expect(await processesOf(dataDir)).not.toContain(jvmPid);
    } finally {
      await second.stop();
    }
    expect(await processesOf(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'data', 'meta.properties'))).toBe(true); // kept: not temporary
  });

  it('fails with the end of the broker log when the broker cannot start', async () => {
    // Something else holds the port; it hangs up on every client so readiness probes fail fast.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as { port: number };
    try {
      await expect(startKafka({ port, heapMb: 256 })).rejects.toThrow(
        /Kafka did not start[\s\S]*failed to bind to 127\.0\.0\.1:\d+: Address already in use/,
      );
    } finally {
      squatter.close();
    }
  });

  it('takes the JVM down when the Node process that started it is killed with SIGKILL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tongban-kafka-spec-'));
    scratch.push(dataDir);
    const fixture = join(__dirname, 'fixtures', 'start-kafka.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {
      cwd: join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => {
        reject(new Error(`fixture exited with ${String(code)}`));
      });
    });
    const { brokers } = JSON.parse(started) as { brokers: string[] };
    await waitForBroker(brokers, 5_000);
    expect(await processesOf(dataDir)).not.toEqual([]);

    child.kill('SIGKILL');

    await eventually(async () => (await processesOf(dataDir)).length === 0, 10_000);
  });
});
