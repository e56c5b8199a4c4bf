/**
 * Liveness and readiness for balancers and orchestrators. /health/live answers while the
 * process runs; /health/ready checks each configured dependency (store, Redis, NATS) and turns
 * 503 when one does not answer, or from SIGTERM on (drain), so the balancer stops sending
 * before the listener closes. /health stays as the old alias of live.
 */
import type { FastifyInstance } from 'fastify';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface Health {
  readonly draining: boolean;
  /** Turns not-ready for good (graceful shutdown). */
  drain(): void;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer in time')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function registerHealthRoutes(app: FastifyInstance, checks: HealthCheck[]): Health {
  let draining = false;
  const live = async () => ({ status: 'ok' });
  app.get('/health', { config: { public: true } }, live);
  app.get('/health/live', { config: { public: true } }, live);
  app.get('/health/ready', { config: { public: true } }, async (_request, reply) => {
    const results = await Promise.all(
      checks.map((c) =>
        withTimeout(c.check(), CHECK_TIMEOUT_MS).then(
          () => [c.name, 'ok'] as const,
          () => [c.name, 'unavailable'] as const,
        ),
      ),
    );
    const ready = !draining && results.every(([, r]) => r === 'ok');
    reply.header('Cache-Control', 'no-store');
    return reply
      .code(ready ? 200 : 503)
      .send({ status: draining ? 'draining' : ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  return {
    get draining() {
      return draining;
    },
    drain() {
      draining = true;
    },
  };
}
