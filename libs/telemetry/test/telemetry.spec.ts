import { describe, expect, it } from 'vitest';
import { eventually, spawnTsProcess, testInfrastructure } from '@tongban/testing';

interface ZipkinSpan {
  id: string;
  parentId?: string;
  name?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

describe('telemetry bootstrap in a service process', () => {
  it('traces a request with its database call to Zipkin and logs with trace ids and no personal data', async () => {
    const { zipkinUrl, postgresAdminUrl } = testInfrastructure();
    const caseId = '411700-20261122-000777';
    const service = spawnTsProcess(
      new URL('fixtures/instrumented-service.ts', `file://${__filename}`).href,
      {
        env: {
          ZIPKIN_URL: zipkinUrl,
          DATABASE_URL: postgresAdminUrl,
          CASE_ID: caseId,
          LOG_LEVEL: 'info',
        },
      },
    );
    const [, traceId] = await service.waitForLine(/^trace ([0-9a-f]{32})$/);
    expect(await service.exited).toBe(0);

    // The log line carries the trace and the service, and none of the applicant's personal data.
    const output = service.lines.join('\n');
    const logLine = service.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'looking up case');
    expect(logLine).toMatchObject({
      level: 'info',
      service: 'intake',
      region: '411700',
      trace_id: traceId,
      caseId,
      applicant: { idNumber: '[redacted]', phone: '[redacted]', address: '[redacted]' },
    });
    expect(logLine?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(output).not.toContain('41172219900101123X');
    expect(output).not.toContain('13800000000');
    expect(output).not.toContain('解放路');

    // Zipkin has the request span and, as its child, the instrumented PostgreSQL query.
    const spans = await eventually(
      async () => {
        const response = await fetch(`${zipkinUrl}/api/v2/trace/${traceId}`);
        expect(response.status).toBe(200);
        const found = (await response.json()) as ZipkinSpan[];
        expect(found.length).toBeGreaterThanOrEqual(2);
        return found;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    const lookup = spans.find((span) => span.name === 'case.lookup');
    expect(lookup?.localEndpoint?.serviceName).toBe('411700/intake');
    expect(lookup?.tags?.['case.id']).toBe(caseId);
    expect(lookup?.tags?.['tongban.region']).toBe('411700');
    const query = spans.find(
      (span) => span.parentId === lookup?.id && span.tags?.['db.system.name'] === 'postgresql',
    );
    expect(query).toBeDefined();
  });
});
