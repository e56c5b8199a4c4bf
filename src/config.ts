/**
 * One typed, frozen configuration, read from environment variables and command-line flags
 * (flags win). Every bad value is refused with a message naming the flag or variable.
 */
import { resolve } from 'node:path';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `sqlite:<file>` (embedded default) or a `postgres://` URL. */
  readonly databaseUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Public base URL used in links the server prints. */
  readonly publicUrl: string;
  /** Whether the public URL was given (else the OAuth issuer follows the request's origin). */
  readonly publicUrlExplicit: boolean;
  /** Seconds a validated token may be served from the in-process cache. */
  readonly tokenCacheSeconds: number;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
  /** Whether the console session cookie carries the Secure attribute. */
  readonly secureCookies: boolean;
  /** Create the demo organization on a first start. */
  readonly seedDemo: boolean;
  /** Progress the demo organization's simulated interactions in real time (a timer in this process). */
  readonly liveTraffic: boolean;
  /** From this date no new implicit-grant client may be created. */
  readonly implicitCutoff: Date;
  /** From this date existing implicit-grant clients get no more tokens. */
  readonly implicitSunset: Date;
  /** How long audit events are kept and queryable. */
  readonly auditRetentionDays: number;
  /** How long a dispatcher holds a batch it is sending; after a crash, another resends it then. */
  readonly auditStreamLeaseSeconds: number;
  /** NATS server for audit streams to JetStream (none: NATS streams cannot be created). */
  readonly natsUrl: string | null;
  /** Requests per minute (0 = no limit): see docs/usage.md. */
  readonly rateLimits: {
    client: number;
    userClient: number;
    user: number;
    org: number;
    token: number;
    login: number;
    authFailures: number;
    scim: number;
    /** GDPR requests submitted per organization (docs/gdpr.md). */
    gdpr: number;
  };
  /** Redis for rate-limit counters shared by several processes (none: counters in process). */
  readonly redisUrl: string | null;
  /** Region (ISO 3166 alpha-2) for SCIM phone numbers written without a country code. */
  readonly scimPhoneRegion: string;
  /** The master key itself, from GATEHOUSE_MASTER_KEY only (never a flag: flags show in `ps`). */
  readonly masterKey: string | null;
  /** The master key file (default `<data dir>/master.key`, created at first start). */
  readonly masterKeyFile: string;
  /** Whether the master key file was named (then it must exist: processes share it). */
  readonly masterKeyFileExplicit: boolean;
  /** Audit streams may deliver to private and loopback addresses (on-premises receivers). */
  readonly auditStreamAllowPrivate: boolean;
  /**
   * Which proxies' X-Forwarded-For to believe: false (none), a hop count, or addresses/CIDR
   * ranges of the balancers. The client's real address drives per-address limits and audit.
   */
  readonly trustProxy: false | number | string[];
  /** Most PostgreSQL connections per process. */
  readonly poolSize: number;
  /** PostgreSQL statement timeout in ms (0: none). */
  readonly statementTimeoutMs: number;
  /** Seconds between turning not-ready at SIGTERM and closing the listener. */
  readonly drainSeconds: number;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null;
  /**
   * PostgreSQL: after a GDPR erasure or rectification, rewrite the tables it changed (VACUUM FULL,
   * an exclusive lock while each is rewritten) instead of a plain VACUUM (docs/gdpr.md).
   */
  readonly gdprVacuumFull: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Source = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Flag name → environment variable. */
const ENV_OF = {
  host: 'GATEHOUSE_HOST',
  port: 'GATEHOUSE_PORT',
  'data-dir': 'GATEHOUSE_DATA_DIR',
  'database-url': 'GATEHOUSE_DATABASE_URL',
  'log-level': 'GATEHOUSE_LOG_LEVEL',
  'public-url': 'GATEHOUSE_PUBLIC_URL',
  'token-cache-seconds': 'GATEHOUSE_TOKEN_CACHE_SECONDS',
  'body-limit': 'GATEHOUSE_BODY_LIMIT',
  'secure-cookies': 'GATEHOUSE_SECURE_COOKIES',
  'seed-demo': 'GATEHOUSE_SEED_DEMO',
  'live-traffic': 'GATEHOUSE_LIVE_TRAFFIC',
  'implicit-cutoff': 'GATEHOUSE_IMPLICIT_CUTOFF',
  'implicit-sunset': 'GATEHOUSE_IMPLICIT_SUNSET',
  'audit-retention-days': 'GATEHOUSE_AUDIT_RETENTION_DAYS',
  'audit-stream-lease-seconds': 'GATEHOUSE_AUDIT_STREAM_LEASE_SECONDS',
  'rate-limit-client': 'GATEHOUSE_RATE_LIMIT_CLIENT',
  'rate-limit-user-client': 'GATEHOUSE_RATE_LIMIT_USER_CLIENT',
  'rate-limit-user': 'GATEHOUSE_RATE_LIMIT_USER',
  'rate-limit-org': 'GATEHOUSE_RATE_LIMIT_ORG',
  'rate-limit-token': 'GATEHOUSE_RATE_LIMIT_TOKEN',
  'rate-limit-login': 'GATEHOUSE_RATE_LIMIT_LOGIN',
  'rate-limit-auth-failures': 'GATEHOUSE_RATE_LIMIT_AUTH_FAILURES',
  'rate-limit-scim': 'GATEHOUSE_RATE_LIMIT_SCIM',
  'nats-url': 'GATEHOUSE_NATS_URL',
  'redis-url': 'GATEHOUSE_REDIS_URL',
  'scim-phone-region': 'GATEHOUSE_SCIM_PHONE_REGION',
  'master-key-file': 'GATEHOUSE_MASTER_KEY_FILE',
  'audit-stream-allow-private': 'GATEHOUSE_AUDIT_STREAM_ALLOW_PRIVATE',
  'trust-proxy': 'GATEHOUSE_TRUST_PROXY',
  'pool-size': 'GATEHOUSE_POOL_SIZE',
  'statement-timeout-ms': 'GATEHOUSE_STATEMENT_TIMEOUT_MS',
  'drain-seconds': 'GATEHOUSE_DRAIN_SECONDS',
  'metrics-token': 'GATEHOUSE_METRICS_TOKEN',
  'gdpr-vacuum-full': 'GATEHOUSE_GDPR_VACUUM_FULL',
  'rate-limit-gdpr': 'GATEHOUSE_RATE_LIMIT_GDPR',
} as const;
export type ConfigFlag = keyof typeof ENV_OF;
export const CONFIG_FLAGS = Object.keys(ENV_OF) as ConfigFlag[];

function pick(flags: Partial<Record<ConfigFlag, string>>, env: Source, flag: ConfigFlag) {
  const fromFlag = flags[flag];
  if (fromFlag !== undefined) return { value: fromFlag, origin: `--${flag}` };
  const name = ENV_OF[flag];
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, origin: name };
  return undefined;
}

function integer(v: { value: string; origin: string } | undefined, fallback: number, min: number, max: number) {
  if (!v) return fallback;
  if (!/^\d+$/.test(v.value)) throw new ConfigError(`${v.origin} must be a whole number, got "${v.value}"`);
  const n = Number(v.value);
  if (n < min || n > max) throw new ConfigError(`${v.origin} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function date(v: { value: string; origin: string } | undefined, fallback: string): Date {
  const text = v?.value ?? fallback;
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw new ConfigError(`${v?.origin} must be a date like 2026-05-01, got "${text}"`);
  }
  return d;
}

function boolean(v: { value: string; origin: string } | undefined, fallback: boolean) {
  if (!v) return fallback;
  if (/^(1|true|yes|on)$/i.test(v.value)) return true;
  if (/^(0|false|no|off)$/i.test(v.value)) return false;
  throw new ConfigError(`${v.origin} must be true or false, got "${v.value}"`);
}

function serviceUrl(v: { value: string; origin: string } | undefined, shape: RegExp, example: string): string | null {
  if (!v) return null;
  if (!shape.test(v.value)) throw new ConfigError(`${v.origin} must be a URL like ${example}, got "${v.value}"`);
  return v.value;
}

function region(v: { value: string; origin: string } | undefined, fallback: string): string {
  if (!v) return fallback;
  if (!/^[A-Za-z]{2}$/.test(v.value))
    throw new ConfigError(`${v.origin} must be a two-letter country code like US or GB, got "${v.value}"`);
  return v.value.toUpperCase();
}

const ADDRESS_OR_CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)(\/\d{1,3})?$/;

function trustProxy(v: { value: string; origin: string } | undefined): false | number | string[] {
  if (!v || /^(false|no|off|0)$/i.test(v.value)) return false;
  if (/^\d+$/.test(v.value)) return Number(v.value);
  const list = v.value.split(',').map((a) => a.trim());
  if (list.some((a) => !ADDRESS_OR_CIDR.test(a)))
    throw new ConfigError(
      `${v.origin} must be a hop count or a comma-separated list of proxy addresses or CIDR ranges ` +
        `(e.g. 1 or 10.0.0.5,10.1.0.0/16), got "${v.value}"`,
    );
  return list;
}

export function loadConfig(flags: Partial<Record<ConfigFlag, string>> = {}, env: Source = process.env): Config {
  const host = pick(flags, env, 'host')?.value ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError(`--host must be a host name or address, got "${host}"`);
  const port = integer(pick(flags, env, 'port'), 8080, 0, 65535);
  const dataDir = resolve(pick(flags, env, 'data-dir')?.value ?? 'data');
  const db = pick(flags, env, 'database-url');
  const databaseUrl = db?.value ?? `sqlite:${resolve(dataDir, 'gatehouse.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(
      `${db?.origin ?? '--database-url'} must start with sqlite: or postgres://, got "${databaseUrl}"`,
    );
  }
  const level = pick(flags, env, 'log-level');
  const logLevel = (level?.value ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`${level?.origin} must be one of ${LOG_LEVELS.join(', ')}, got "${level?.value}"`);
  }
  const publicUrlRaw = pick(flags, env, 'public-url');
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const publicUrl = (
    publicUrlRaw?.value ?? `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`
  ).replace(/\/$/, '');
  if (publicUrlRaw && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new ConfigError(`${publicUrlRaw.origin} must be an http(s) URL, got "${publicUrlRaw.value}"`);
  }
  return Object.freeze({
    host,
    port,
    dataDir,
    databaseUrl,
    logLevel,
    publicUrl,
    publicUrlExplicit: publicUrlRaw !== undefined,
    tokenCacheSeconds: integer(pick(flags, env, 'token-cache-seconds'), 1, 0, 1),
    bodyLimit: integer(pick(flags, env, 'body-limit'), 512_000, 1024, 64 * 1024 * 1024),
    secureCookies: boolean(pick(flags, env, 'secure-cookies'), publicUrl.startsWith('https:')),
    seedDemo: boolean(pick(flags, env, 'seed-demo'), true),
    liveTraffic: boolean(pick(flags, env, 'live-traffic'), true),
    implicitCutoff: date(pick(flags, env, 'implicit-cutoff'), '2026-05-01T00:00:00Z'),
    implicitSunset: date(pick(flags, env, 'implicit-sunset'), '2027-05-01T00:00:00Z'),
    auditRetentionDays: integer(pick(flags, env, 'audit-retention-days'), 365, 1, 3650),
    auditStreamLeaseSeconds: integer(pick(flags, env, 'audit-stream-lease-seconds'), 30, 2, 3600),
    rateLimits: Object.freeze({
      client: integer(pick(flags, env, 'rate-limit-client'), 300, 0, 1_000_000),
      userClient: integer(pick(flags, env, 'rate-limit-user-client'), 300, 0, 1_000_000),
      user: integer(pick(flags, env, 'rate-limit-user'), 3000, 0, 1_000_000),
      org: integer(pick(flags, env, 'rate-limit-org'), 15_000, 0, 10_000_000),
      token: integer(pick(flags, env, 'rate-limit-token'), 300, 0, 1_000_000),
      login: integer(pick(flags, env, 'rate-limit-login'), 10, 0, 1_000_000),
      authFailures: integer(pick(flags, env, 'rate-limit-auth-failures'), 100, 0, 1_000_000),
      // An identity provider's push of 10,000 users (a lookup and a create each) in about two minutes.
      scim: integer(pick(flags, env, 'rate-limit-scim'), 10_000, 0, 1_000_000),
      gdpr: integer(pick(flags, env, 'rate-limit-gdpr'), 30, 0, 100_000),
    }),
    natsUrl: serviceUrl(pick(flags, env, 'nats-url'), /^(nats|tls):\/\/[^/\s]+$/, 'nats://host:4222'),
    redisUrl: serviceUrl(pick(flags, env, 'redis-url'), /^rediss?:\/\/\S+$/, 'redis://host:6379'),
    scimPhoneRegion: region(pick(flags, env, 'scim-phone-region'), 'US'),
    masterKey: env.GATEHOUSE_MASTER_KEY ? env.GATEHOUSE_MASTER_KEY : null,
    masterKeyFile: resolve(pick(flags, env, 'master-key-file')?.value ?? resolve(dataDir, 'master.key')),
    masterKeyFileExplicit: pick(flags, env, 'master-key-file') !== undefined,
    auditStreamAllowPrivate: boolean(pick(flags, env, 'audit-stream-allow-private'), false),
    trustProxy: trustProxy(pick(flags, env, 'trust-proxy')),
    poolSize: integer(pick(flags, env, 'pool-size'), 10, 1, 1000),
    statementTimeoutMs: integer(pick(flags, env, 'statement-timeout-ms'), 30_000, 0, 86_400_000),
    drainSeconds: integer(pick(flags, env, 'drain-seconds'), 5, 0, 600),
    metricsToken: pick(flags, env, 'metrics-token')?.value ?? null,
    gdprVacuumFull: boolean(pick(flags, env, 'gdpr-vacuum-full'), false),
  });
}
