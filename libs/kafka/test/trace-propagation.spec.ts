import { describe, expect, it } from 'vitest';
import { eventually, spawnTsProcess, testInfrastructure } from '@tongban/testing';
import { isolatedRegion } from './support';

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const fixture = (name: string) => new URL(`fixtures/${name}`, `file://${__filename}`).href;

describe('trace propagation across processes', () => {
  it('continues the producer’s trace in a consumer in another process, and Zipkin has both', async () => {
    const { zipkinUrl } = testInfrastructure();
    const { naming, brokers } = await isolatedRegion();
    const caseId = '411700-20261122-000901';
    const env = {
      KAFKA_BROKERS: brokers.join(','),
      ZIPKIN_URL: zipkinUrl,
      TOPIC: naming.events('intake'),
      GROUP: naming.consumerGroup('review'),
      DLQ: naming.deadLetters('review'),
      CASE_ID: caseId,
    };

    const consumer = spawnTsProcess(fixture('trace-consumer.ts'), { env });
    await consumer.waitForLine(/^ready$/);
    const producer = spawnTsProcess(fixture('trace-producer.ts'), { env });
    const [, traceId] = await producer.waitForLine(/^trace ([0-9a-f]{32})$/);
    const [, consumedTraceId] = await consumer.waitForLine(/^consumed ([0-9a-f]{32})$/);
    expect(consumedTraceId).toBe(traceId);
    expect(await producer.exited).toBe(0);
    expect(await consumer.exited).toBe(0);

    const spans = await eventually(
      async () => {
        const response = await fetch(`${zipkinUrl}/api/v2/trace/${traceId}`);
        expect(response.status).toBe(200);
        const found = (await response.json()) as ZipkinSpan[];
        expect(found.map((span) => span.name)).toEqual(
          expect.arrayContaining([
            'probe.submit',
            `send ${env.TOPIC}`,
            `process ${env.TOPIC}`,
            'probe.apply',
          ]),
        );
        return found;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );

    const byName = new Map(spans.map((span) => [span.name, span]));
    const send = byName.get(`send ${env.TOPIC}`);
    const processSpan = byName.get(`process ${env.TOPIC}`);
    expect(send?.localEndpoint?.serviceName).toBe('411700/intake');
    expect(processSpan?.localEndpoint?.serviceName).toBe('429005/review');
    expect(processSpan?.parentId).toBe(send?.id);
    expect(send?.tags?.['case.id']).toBe(caseId);
    expect(processSpan?.tags?.['case.id']).toBe(caseId);
  });
});
