import { describe, expect, it } from 'vitest';
import { produceRaw } from '@tongban/testing';
import { topicDepths } from '../src';
import { isolatedRegion } from './support';

describe('topic depth', () => {
  const setup = isolatedRegion();

  it('counts the messages a dead-letter topic holds, and 0 for a topic not yet created', async () => {
    const { client, naming, brokers } = await setup;
    const dlq = naming.deadLetters('review');
    const missing = naming.deadLetters('logistics');
    expect(await topicDepths(client, [dlq, missing])).toEqual(
      new Map([
        [dlq, 0],
        [missing, 0],
      ]),
    );
    await produceRaw(brokers, dlq, [
      { key: 'case-1', value: Buffer.from('a') },
      { key: 'case-2', value: Buffer.from('b') },
      { key: 'case-3', value: Buffer.from('c') },
    ]);
    const depths = await topicDepths(client, [dlq, missing]);
    expect(depths.get(dlq)).toBe(3);
    expect(depths.get(missing)).toBe(0);
  });
});
