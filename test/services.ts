/**
 * The local services the suite also runs against when they answer: PostgreSQL (every storage
 * test on a second dialect), Redis (rate limits shared by two processes) and NATS JetStream
 * (audit streams). An address set in the environment wins; `GATEHOUSE_TEST_SERVICES=none`
 * runs SQLite and in-process counters only. Read by vitest.config.ts before any worker starts.
 */
import { connect } from 'node:net';

const SERVICES = [
  {
    name: 'PostgreSQL',
    env: 'GATEHOUSE_TEST_DATABASE_URL',
    port: 5432,
    url: 'postgres://postgres@127.0.0.1:5432/test',
  },
  { name: 'Redis', env: 'GATEHOUSE_TEST_REDIS_URL', port: 6379, url: 'redis://127.0.0.1:6379' },
  { name: 'NATS', env: 'GATEHOUSE_TEST_NATS_URL', port: 4222, url: 'nats://127.0.0.1:4222' },
] as const;

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    const end = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => end(true));
    s.once('error', () => end(false));
    s.setTimeout(1000, () => end(false));
  });

/** The service addresses to hand the test workers, and one line saying what was found. */
export async function detectServices(env = process.env): Promise<{ env: Record<string, string>; summary: string }> {
  const out: Record<string, string> = {};
  if (env.GATEHOUSE_TEST_SERVICES === 'none')
    return { env: out, summary: 'local services: off (GATEHOUSE_TEST_SERVICES=none)' };
  const found: string[] = [];
  await Promise.all(
    SERVICES.map(async (s) => {
      const given = env[s.env];
      if (given) out[s.env] = given;
      else if (await answers(s.port)) out[s.env] = s.url;
      if (out[s.env]) found.push(s.name);
    }),
  );
  return { env: out, summary: `local services used by the tests: ${found.sort().join(', ') || 'none (SQLite only)'}` };
}
