import { describe, expect, it } from 'vitest';
import { TopicNaming } from '../src';

describe('topic naming', () => {
  it('names topics, dead-letter topics and groups per region and service', () => {
    const naming = new TopicNaming('429005');
    expect(naming.events('review')).toBe('429005.review.events.v1');
    expect(naming.deadLetters('review')).toBe('429005.review.dlq.v1');
    expect(naming.consumerGroup('review')).toBe('429005.review');
  });

  it('puts an isolation prefix in front of every name', () => {
    const naming = new TopicNaming('411700', 'tabc.');
    expect(naming.events('intake')).toBe('tabc.411700.intake.events.v1');
    expect(naming.consumerGroup('intake')).toBe('tabc.411700.intake');
  });

  it('rejects a region that is not a GB/T 2260 code', () => {
    expect(() => new TopicNaming('4117')).toThrow(/6-digit/);
  });
});
