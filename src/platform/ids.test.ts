import { describe, expect, it } from 'vitest';
import { newTimeOrderedId } from './ids.ts';

describe('newTimeOrderedId', () => {
  it('sorts in creation order within one millisecond and across a clock step back', () => {
    const ids = [
      newTimeOrderedId(1_000),
      newTimeOrderedId(1_000),
      newTimeOrderedId(1_000),
      newTimeOrderedId(999),
      newTimeOrderedId(1_001),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
