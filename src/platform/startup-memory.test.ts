import { getHeapSpaceStatistics } from 'node:v8';
import { expect, it } from 'vitest';
import { releaseStartupMemory } from './startup-memory.ts';

const youngGenerationMb = () =>
  (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0) / 1048576;

it('gives back the young generation that a burst of allocation grew', async () => {
  // Objects that survive several scavenges grow the young generation, as loading modules does.
  let kept: object[][] = [];
  for (let round = 0; round < 40; round++) {
    kept.push(Array.from({ length: 20_000 }, (_, i) => ({ i, s: `${round}-${i}` })));
    if (kept.length > 8) kept = kept.slice(-8);
  }
  kept = [];
  expect(youngGenerationMb()).toBeGreaterThan(4);
  expect(await releaseStartupMemory()).toBe(true);
  expect(youngGenerationMb()).toBeLessThanOrEqual(2);
});
