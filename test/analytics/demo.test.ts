/**
 * The demo organization at first start has contact-center data on day one: queues with agents,
 * days of history, live interactions and the stuck cases of seed 000 (@see issue 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { simulateTraffic } from '../../src/contact-center.ts';
import { type DemoCredentials, seedDemo } from '../../src/demo.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { freshDatabase } from '../helpers/dialects.ts';

describe('the demo organization’s contact-center data', () => {
  let gh: Gatehouse;
  let demo: DemoCredentials;
  let drop: () => Promise<void>;
  let seedMs = 0;
  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    drop = db.drop;
    gh = await createGatehouse(loadConfig({ port: '0', 'database-url': db.url, 'log-level': 'silent' }, {}), {
      logger: false,
    });
    const started = performance.now();
    demo = (await seedDemo(gh.directory, gh.oauth, 'demo password 123', gh.conversations, (orgId) =>
      simulateTraffic({ ...gh, clock: systemClock }, orgId),
    ))!;
    seedMs = performance.now() - started;
  });
  afterAll(async () => {
    await gh?.close();
    await drop?.();
  });

  it('has queues with agents, history for every recent day, and the seed’s stuck cases live', async () => {
    console.info(`demo organization seeded in ${Math.round(seedMs)} ms`);
    const queues = await gh.routing.queuesOf(demo.orgId);
    expect(queues.map((q) => q.name).sort()).toEqual(['Billing', 'Sales', 'Support', 'Web Chat']);
    expect(
      (
        await gh.routing.membershipsOf(
          demo.orgId,
          queues.map((q) => q.id),
        )
      ).length,
    ).toBeGreaterThanOrEqual(8);
    const now = Date.now();
    for (let day = 0; day < 3; day++) {
      const start = new Date(now - (day + 1) * 86_400_000).toISOString();
      const end = new Date(now - day * 86_400_000).toISOString();
      const n = await gh.conversations.countDetails({
        orgId: demo.orgId,
        start,
        end,
        conversationFilters: [],
        segmentFilters: [],
        orderBy: 'conversationStart',
        order: 'asc',
      });
      expect(n, `day -${day}`).toBeGreaterThan(50);
    }
    const active = await gh.conversations.active(demo.orgId);
    const reasons = active.map((a) => a.stuckReason).filter(Boolean) as string[];
    for (const expected of [
      /No connected party/,
      /In queue with no active parties/,
      /After-call work/,
      /On hold with nobody/,
      /Active for/,
    ])
      expect(
        reasons.some((r) => expected.test(r)),
        String(expected),
      ).toBe(true);
    expect(active.filter((a) => !a.stuckReason).length).toBeGreaterThan(3);
  });
});
