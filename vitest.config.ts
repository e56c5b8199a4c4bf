import { defineConfig } from 'vitest/config';
import { detectServices } from './test/services.ts';

export default defineConfig(async () => {
  const services = await detectServices();
  console.log(services.summary);
  return {
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      globalSetup: ['test/global-setup.ts'],
      // PostgreSQL, Redis and NATS when they answer locally (test/services.ts).
      env: services.env,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // expect.poll waits for a state; its default of 1 s is too short on a loaded machine (CI).
      expect: { poll: { timeout: 15_000 } },
      // Test files run in parallel worker processes; each app gets its own database.
      pool: 'forks',
      fileParallelism: true,
      maxWorkers: 2,
      reporters: ['default'],
    },
  };
});
