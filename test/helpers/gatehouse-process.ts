/**
 * Runs `gatehouse start` as a real child process (what an operator runs), so a test can see a
 * process die, send it SIGTERM or SIGKILL, and read what it printed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');

export interface GatehouseProcess {
  child: ChildProcess;
  url: string;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** The demo credentials, when this start created them. */
  demo: { clientId: string; clientSecret: string; adminPassword: string } | null;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  alive(): boolean;
}

/** Starts and resolves once the process says it is running (rejects if it exits first). */
export function startGatehouse(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<GatehouseProcess> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(opts.env ?? {}) },
  });
  let out = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started process behind.
      child.kill('SIGKILL');
      reject(new Error(`no start in time: ${out}`));
    }, opts.timeoutMs ?? 120_000);
    const check = () => {
      const m = /Gatehouse is running\. Console: (\S+)\/\n/.exec(out);
      if (!m) return;
      const complete = out.includes('A demo organization')
        ? /client secret:\s+\S+\n/.test(out)
        : /Gatehouse is running[^\n]*\n\n/.test(out);
      if (!complete) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      const id = /client id:\s+(\S+)/.exec(out)?.[1];
      const secret = /client secret:\s+(\S+)/.exec(out)?.[1];
      const password = /Admin password:\s+(\S+)/.exec(out)?.[1];
      resolve({
        child,
        url: m[1]!,
        output: () => out,
        demo: id && secret && password ? { clientId: id, clientSecret: secret, adminPassword: password } : null,
        exited,
        alive: () => exitCode === undefined,
      });
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse exited ${code} before it was running: ${out}`));
    });
  });
}

/** A client-credentials token, or the failed response's status. */
export async function clientToken(url: string, id: string, secret: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const json = (await res.json()) as { access_token?: string };
  if (!json.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(json)}`);
  return json.access_token;
}

/** Polls `probe` until it answers true (states, not time: the deadline only bounds a failure). */
export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
