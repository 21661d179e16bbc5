import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines with the service, region and level', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'review', region: '429005', destination: stream }).info(
      { taskId: 't-1' },
      'task opened',
    );
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'review',
      region: '429005',
      taskId: 't-1',
      msg: 'task opened',
    });
    expect(lines[0]).not.toHaveProperty('trace_id'); // no active span, no trace fields
  });

  it('censors ID numbers, credit codes, phones and addresses wherever they appear', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'intake', region: '411700', destination: stream }).warn(
      {
        idNumber: '41172219900101123X',
        applicant: { phone: '13800000000', creditCode: '91411700MA45XXXXXX' },
        delivery: { recipient: { address: '潜江市园林路2号' } },
      },
      'validation failed',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['41172219900101123X', '13800000000', '91411700MA45XXXXXX', '园林路']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ idNumber: '[redacted]', applicant: { phone: '[redacted]' } });
  });
});
