/**
 * The `gatehouse` command: start | migrate | create-admin | create-client. Flags override
 * environment variables; a bad value stops with a message naming it and exit code 2.
 */
import { parseArgs } from 'node:util';
import { createGatehouse, type Gatehouse } from './app.ts';
import { CONFIG_FLAGS, type Config, ConfigError, type ConfigFlag, loadConfig } from './config.ts';
import { simulateTraffic } from './contact-center.ts';
import { seedDemo } from './demo.ts';
import { ADMIN_ROLE } from './domains/directory/index.ts';
import { CLIENT_CREDENTIALS } from './domains/oauth/index.ts';
import { systemClock } from './platform/clock.ts';
import { ApiError } from './platform/errors/index.ts';
import { isNotADatabase } from './storage/db.ts';

const HELP = `Usage: gatehouse <command> [options]

Commands:
  start            Start the server and console (creates a demo organization on first start)
  migrate          Apply database migrations and exit
  create-admin     Create an admin user:   --org <name> --email <email> --name <name> --password <pw>
  create-client    Create a client-credentials OAuth client with the admin role (prints the secret once):
                   --org <name> --name <client name> [--service-account]
                   (--service-account: the client gets its own non-human user; /users/me answers it)
  simulate         Generate contact-center traffic (queues and agents made if the organization has none):
                   --org <name> [--days <n, default 3>] [--rate <arrivals per peak hour, default 40>]
  help             Show this help

Options (environment variable in brackets):
  --host <addr>           Address to listen on [GATEHOUSE_HOST] (default 127.0.0.1)
  --port <n>              Port [GATEHOUSE_PORT] (default 8080)
  --data-dir <dir>        Folder of the embedded SQLite store [GATEHOUSE_DATA_DIR] (default ./data)
  --database-url <url>    sqlite:<file> or postgres://… [GATEHOUSE_DATABASE_URL]
  --log-level <level>     fatal|error|warn|info|debug|trace|silent [GATEHOUSE_LOG_LEVEL] (default info)
  --public-url <url>      Base URL printed and used in links [GATEHOUSE_PUBLIC_URL]
  --seed-demo <bool>      Create the demo organization on a first start [GATEHOUSE_SEED_DEMO] (default true)
`;

const COMMAND_FLAGS = ['org', 'email', 'name', 'password', 'days', 'rate'] as const;

function parse(argv: string[]) {
  const options = Object.fromEntries(
    [...CONFIG_FLAGS, ...COMMAND_FLAGS].map((f) => [f, { type: 'string' as const }]),
  ) as Record<string, { type: 'string' }>;
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean', short: 'h' }, 'service-account': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const strings = values as Record<string, string | undefined>;
  const flags: Partial<Record<ConfigFlag, string>> = {};
  for (const f of CONFIG_FLAGS) if (typeof strings[f] === 'string') flags[f] = strings[f];
  return {
    command: values.help ? 'help' : (positionals[0] ?? 'help'),
    flags,
    values: strings,
    serviceAccount: values['service-account'] === true,
  };
}

function required(values: Record<string, string | undefined>, name: string): string {
  const v = values[name];
  if (!v) throw new ConfigError(`--${name} is required`);
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
  const home = await gh.directory.organizations.homeDivision(orgId);
  return { roleId: role.id, divisionId: home.id };
}

async function start(config: Config) {
  const gh = await open(config, true);
  const traffic = (orgId: string) => simulateTraffic({ ...gh, clock: systemClock }, orgId);
  const demo = config.seedDemo ? await seedDemo(gh.directory, gh.oauth, undefined, gh.conversations, traffic) : null;
  await gh.app.listen({ host: config.host, port: config.port });
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
  const stop = async () => {
    await gh.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export async function main(argv: string[]): Promise<number> {
  const { command, flags, values, serviceAccount } = parse(argv);
  if (command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig(flags);
  switch (command) {
    case 'start':
      await start(config);
      return -1;
    case 'migrate': {
      const gh = await open(config);
      await gh.close();
      process.stdout.write('Migrations applied.\n');
      return 0;
    }
    case 'create-admin': {
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
        });
        process.stdout.write(
          `Simulated ${n.history} interactions over ${days} days, ${n.live} live and ${n.stuck} stuck, in ${n.queues} queues with ${n.agents} agents (${Date.now() - started} ms).\n`,
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
  if (code === 'ECONNREFUSED') return `gatehouse: cannot reach the database: ${(err as Error).message}`;
  return `gatehouse: ${(err as Error)?.stack ?? String(err)}`;
}
