/**
 * The `gatehouse` command (src/help.ts lists every command and option). Flags override
 * environment variables; a bad value stops with a message naming it and exit code 2.
 */
import { renameSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGatehouse, type Gatehouse } from './app.ts';
import { CONFIG_FLAGS, type Config, ConfigError, type ConfigFlag, loadConfig } from './config.ts';
import { followTraffic, simulateTraffic } from './contact-center.ts';
import { DEMO_ORG, seedDemo } from './demo.ts';
import type { LiveTraffic } from './domains/conversations/index.ts';
import { ADMIN_ROLE } from './domains/directory/index.ts';
import { CLIENT_CREDENTIALS, MAX_TOKEN_TTL, rotateTokenKey } from './domains/oauth/index.ts';
import { systemClock } from './platform/clock.ts';
import { ALL_DIVISIONS } from './platform/division-access.ts';
import { ApiError } from './platform/errors/index.ts';
import { MasterKeyError, masterKeyFromEnv, newMasterSecret, writeKeyFile } from './platform/master-key.ts';
import { checkPassword } from './platform/password-policy.ts';
import { resealServerKeys } from './platform/server-keys.ts';
import { releaseStartupMemory } from './platform/startup-memory.ts';
import { BackupError, backupStore, restoreStore } from './storage/backup.ts';
import { createStorage, isNotADatabase } from './storage/db.ts';
import { HELP } from './help.ts';
import { randomToken } from './platform/crypto.ts';

const COMMAND_FLAGS = ['org', 'email', 'name', 'password', 'client-id', 'file', 'days', 'rate'] as const;
/** How often live simulated traffic moves on (the Queues Activity view refreshes every 3 s). */
const LIVE_TICK_MS = 5_000;
/** How long after it is ready a started server gives back the memory start-up left behind. */
const RELEASE_STARTUP_MEMORY_MS = 1_000;

function parse(argv: string[]) {
  const options = Object.fromEntries(
    [...CONFIG_FLAGS, ...COMMAND_FLAGS].map((f) => [f, { type: 'string' as const }]),
  ) as Record<string, { type: 'string' }>;
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...options,
      help: { type: 'boolean', short: 'h' },
      master: { type: 'boolean' },
      'no-migrate': { type: 'boolean' },
      'service-account': { type: 'boolean' },
      follow: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const strings = values as Record<string, string | undefined>;
  const master = values.master === true;
  const flags: Partial<Record<ConfigFlag, string>> = {};
  for (const f of CONFIG_FLAGS) if (typeof strings[f] === 'string') flags[f] = strings[f];
  return {
    command: values.help ? 'help' : (positionals[0] ?? 'help'),
    flags,
    values: strings,
    master,
    noMigrate: values['no-migrate'] === true,
    serviceAccount: values['service-account'] === true,
    follow: values.follow === true,
  };
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (!v || typeof v !== 'string') throw new ConfigError(`--${name} is required`);
  return v;
}

async function open(config: Config, logger = false): Promise<Gatehouse> {
  return createGatehouse(config, { logger });
}

async function findOrg(gh: Gatehouse, name: string) {
  const org = await gh.directory.organizations.findByName(name);
  if (!org) throw new ConfigError(`no organization named "${name}"`);
  return org;
}

async function adminRoleGrant(gh: Gatehouse, orgId: string) {
  const roles = await gh.directory.roles.list(orgId, { pageSize: 500, pageNumber: 1, offset: 0 }, ADMIN_ROLE, {});
  const role = roles.entities.find((r) => r.name === ADMIN_ROLE);
  if (!role) throw new ConfigError(`the organization has no "${ADMIN_ROLE}" role`);
  // In every division, present and future, as upstream grants its first administrator.
  return { roleId: role.id, divisionId: ALL_DIVISIONS };
}

/** `rotate-keys`: a new token key, or (`--master`) every key sealed again under a new master key. */
async function rotateKeys(gh: Gatehouse, config: Config, master: boolean): Promise<string> {
  const db = gh.storage.db;
  if (!master) {
    const kid = await rotateTokenKey(db, new Date(), MAX_TOKEN_TTL);
    // Running processes reload their keys at once (Redis configured), else within their poll.
    await gh.invalidation.publish('oauth.token-keys', { reason: 'rotate-keys' });
    return `Token key ${kid} signs from now on; the previous keys verify until their tokens expire.`;
  }
  const secret = newMasterSecret();
  if (config.masterKey) {
    const n = await resealServerKeys(db, masterKeyFromEnv(secret));
    return [
      `${n} server keys are sealed with a new master key. Set it as GATEHOUSE_MASTER_KEY in every process`,
      'and restart them (processes still on the old key keep the keys they hold). It is shown once:',
      `  ${secret}`,
    ].join('\n');
  }
  // The new key is written beside the old one first: the store is never sealed with a key that is
  // not on disk. Processes sharing the file read it again when a key no longer opens.
  const next = `${config.masterKeyFile}.next`;
  writeKeyFile(next, secret, true);
  const n = await resealServerKeys(db, masterKeyFromEnv(secret));
  renameSync(next, config.masterKeyFile);
  return `${n} server keys are sealed with a new master key, written to ${config.masterKeyFile}.`;
}

async function start(config: Config, migrate = true) {
  const gh = await createGatehouse(config, { logger: true, migrate });
  // A lost dependency must never end the process: anything that slips past a handler is logged.
  process.on('unhandledRejection', (err) =>
    gh.app.log.error({ err: { message: (err as Error)?.message } }, 'unhandled rejection (the process stays up)'),
  );
  // Listen before seeding: if the port is taken, nothing was stored whose secret was never shown.
  try {
    await gh.app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await gh.close().catch(() => {});
    throw err;
  }
  // The demo organization's traffic moves on in real time (--live-traffic), from its first start on.
  const follow = config.liveTraffic
    ? { intervalMs: LIVE_TICK_MS, onError: (err: unknown) => gh.app.log.warn({ err }, 'live traffic tick failed') }
    : undefined;
  let live: LiveTraffic | undefined;
  const traffic = async (orgId: string) => {
    live = (await simulateTraffic({ ...gh, clock: systemClock }, orgId, { follow })).traffic;
  };
  const demo = config.seedDemo ? await seedDemo(gh.directory, gh.oauth, undefined, gh.conversations, traffic) : null;
  if (follow && !live && config.seedDemo) {
    const demoOrg = await gh.directory.organizations.findByName(DEMO_ORG);
    if (demoOrg) live = await followTraffic({ ...gh, clock: systemClock }, demoOrg.id, follow);
  }
  live?.start();
  const address = gh.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // With --port 0 the system picks the port; print the one actually bound.
  const consoleUrl = config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
  const lines = [`Gatehouse is running. Console: ${consoleUrl}/`];
  if (demo) {
    lines.push(
      'A demo organization was created. These credentials are shown once; keep them:',
      `  Admin login:    ${demo.adminEmail}`,
      `  Admin password: ${demo.adminPassword}`,
      `  OAuth client (client credentials, service account):`,
      `    client id:     ${demo.clientId}`,
      `    client secret: ${demo.clientSecret}`,
    );
  }
  // Printed on stdout, never through the logger, so no secret reaches the log stream.
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  // The young generation grown while loading is released now rather than when V8 notices the
  // process idle, some 20 s later (platform/startup-memory.ts); one full collection, once.
  const release = setTimeout(
    () =>
      void releaseStartupMemory().catch((err) =>
        gh.app.log.warn({ err: { message: (err as Error).message } }, 'start-up memory was not released'),
      ),
    RELEASE_STARTUP_MEMORY_MS,
  );
  release.unref();
  // Graceful stop: turn not-ready so the balancer's health check takes this process out, keep
  // answering for the drain period, then close (in-flight requests finish, usage is flushed).
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(release);
    live?.stop();
    gh.health.drain();
    gh.app.log.info({ signal, drainSeconds: config.drainSeconds }, 'draining before shutdown');
    await new Promise((r) => setTimeout(r, config.drainSeconds * 1000));
    await gh.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

export async function main(argv: string[]): Promise<number> {
  const { command, flags, values, master, noMigrate, serviceAccount, follow } = parse(argv);
  if (command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig(flags);
  switch (command) {
    case 'start':
      await start(config, !noMigrate);
      return -1;
    case 'migrate': {
      const gh = await open(config);
      await gh.close();
      process.stdout.write('Migrations applied.\n');
      return 0;
    }
    case 'create-admin': {
      // Refused before the store is opened: the same policy as the users API (platform/password-policy.ts).
      const who = values as Record<string, unknown>;
      checkPassword(required(values, 'password'), [String(who.email ?? ''), String(who.name ?? '')]);
      const gh = await open(config);
      try {
        const org = await findOrg(gh, required(values, 'org'));
        const user = await gh.directory.users.create(org.id, null, {
          name: required(values, 'name'),
          email: required(values, 'email'),
          password: required(values, 'password'),
        });
        await gh.directory.roles.replaceGrants(org.id, null, { type: 'user', id: user.id, name: user.name }, [
          await adminRoleGrant(gh, org.id),
        ]);
        process.stdout.write(`Admin user created: ${user.email} (${user.id})\n`);
      } finally {
        await gh.close();
      }
      return 0;
    }
    case 'create-client': {
      const gh = await open(config);
      try {
        const org = await findOrg(gh, required(values, 'org'));
        const { client, secret } = await gh.oauth.clients.create(org.id, null, {
          name: required(values, 'name'),
          grantType: CLIENT_CREDENTIALS,
          roleDivisions: [await adminRoleGrant(gh, org.id)],
          serviceAccount,
        });
        const kind = serviceAccount
          ? `Service-account client created (user ${client.serviceAccountUser?.id})`
          : 'OAuth client created';
        process.stdout.write(
          `${kind}. The secret is shown once:\n  client id:     ${client.id}\n  client secret: ${secret}\n`,
        );
      } finally {
        await gh.close();
      }
      return 0;
    }
    case 'simulate': {
      const days = Number(values.days ?? 3);
      const rate = Number(values.rate ?? 40);
      if (!(days > 0 && days <= 400)) throw new ConfigError('--days must be a number of days between 0 and 400');
      if (!(rate > 0 && rate <= 100_000))
        throw new ConfigError('--rate must be a positive number of arrivals per hour');
      const gh = await open(config);
      try {
        const org = await findOrg(gh, required(values, 'org'));
        const started = Date.now();
        const n = await simulateTraffic({ ...gh, clock: systemClock }, org.id, {
          days,
          peakPerHour: rate,
          seed: started,
          ...(follow ? { follow: { intervalMs: LIVE_TICK_MS, onError: (err) => console.error(err) } } : {}),
        });
        process.stdout.write(
          `Simulated ${n.history} interactions over ${days} days, ${n.live} live and ${n.stuck} stuck, in ${n.queues} queues with ${n.agents} agents (${Date.now() - started} ms).\n`,
        );
        if (n.traffic) {
          // --follow: the traffic moves on in real time until the process is stopped.
          process.stdout.write(`Following live traffic every ${LIVE_TICK_MS / 1000} s; Ctrl-C to stop.\n`);
          n.traffic.start();
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          });
          n.traffic.stop();
        }
      } finally {
        await gh.close();
      }
      return 0;
    }
    case 'rotate-keys': {
      const gh = await open(config);
      try {
        process.stdout.write(`${await rotateKeys(gh, config, master)}\n`);
      } finally {
        await gh.close();
      }
      return 0;
    }
    case 'backup':
    case 'restore': {
      const file = required(values, 'file');
      const storage = createStorage(config.databaseUrl);
      try {
        const counts = command === 'backup' ? await backupStore(storage, file) : await restoreStore(storage, file);
        const rows = Object.values(counts).reduce((a, b) => a + b, 0);
        process.stdout.write(
          `${command === 'backup' ? 'Backup written to' : 'Restored from'} ${file}: ` +
            `${Object.keys(counts).length} tables, ${rows} rows.\n`,
        );
      } finally {
        await storage.close();
      }
      return 0;
    }
    case 'reset-admin-password': {
      const gh = await open(config);
      try {
        const org = await findOrg(gh, required(values, 'org'));
        const password = values.password ?? randomToken(12);
        const user = await gh.directory.users.resetPassword(org.id, null, required(values, 'email'), password);
        process.stdout.write(`Password reset for ${user.email}. It is shown once:\n  password: ${password}\n`);
      } finally {
        await gh.close();
      }
      return 0;
    }
    case 'reset-client-secret': {
      const gh = await open(config);
      try {
        const org = await findOrg(gh, required(values, 'org'));
        const client = await gh.oauth.clients.regenerateSecret(org.id, null, required(values, 'client-id'));
        process.stdout.write(
          `New secret for OAuth client ${client.id}; the old one no longer works. It is shown once:\n` +
            `  client secret: ${client.secret}\n`,
        );
      } finally {
        await gh.close();
      }
      return 0;
    }
    default:
      throw new ConfigError(`unknown command "${command}" (see gatehouse --help)`);
  }
}

/** Turns a start-up failure into one line a person can act on. */
export function describeStartupError(err: unknown, config?: Partial<Config>): string {
  if (err instanceof ConfigError) return `gatehouse: ${err.message}`;
  if (err instanceof ApiError) return `gatehouse: ${err.message}`;
  if (err instanceof MasterKeyError) {
    return `gatehouse: ${err.message} (give the store's master key with GATEHOUSE_MASTER_KEY or --master-key-file)`;
  }
  if (
    (err as { code?: string })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
    (err as { code?: string })?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
  ) {
    return `gatehouse: ${(err as Error).message} (see gatehouse --help)`;
  }
  if (isNotADatabase(err))
    return `gatehouse: the store file${config?.databaseUrl ? ` (${config.databaseUrl})` : ''} is not a Gatehouse database. Move it away or choose another --data-dir.`;
  const code = (err as { code?: string })?.code;
  if (code === 'EADDRINUSE')
    return `gatehouse: the port is already in use; choose another with --port. (${(err as Error).message})`;
  if (err instanceof BackupError) return `gatehouse: ${err.message}`;
  if (code === 'GATEHOUSE_NOT_MIGRATED') return `gatehouse: ${(err as Error).message}`;
  if (code === 'ECONNREFUSED') return `gatehouse: cannot reach the database: ${(err as Error).message}`;
  return `gatehouse: ${(err as Error)?.stack ?? String(err)}`;
}
