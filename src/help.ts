/**
 * The one help text of the `gatehouse` command: every command and every option with its
 * environment variable. test/cli checks that each flag config.ts accepts is listed here.
 */
export const HELP = `Usage: gatehouse <command> [options]

Commands:
  start                 Start the server and console (creates a demo organization on a first start)
      --no-migrate      Do not apply migrations; refuse to start if the store lacks one (rolling upgrades:
                        run \`gatehouse migrate\` once, then restart each process)
  migrate               Apply database migrations and exit
  create-admin          Create an admin user (Master Admin in all divisions):
                        --org <name> --email <email> --name <name> --password <pw>
  create-client         Create a client-credentials OAuth client with the admin role in all divisions
                        (prints the secret once):
                        --org <name> --name <client name> [--service-account]
                        (--service-account: the client gets its own non-human user; /users/me answers it)
  simulate              Generate contact-center traffic (queues and agents made if the organization has none):
                        --org <name> [--days <n, default 3>] [--rate <arrivals per peak hour, default 40>]
                        [--follow] (--follow: keep running, moving live interactions on in real time)
  reset-admin-password  Set a new password for a user (a lost admin password); prints it once:
                        --org <name> --email <email> [--password <pw>]
  reset-client-secret   Give an OAuth client a new secret (a lost client secret); prints it once:
                        --org <name> --client-id <id>
  rotate-keys           A new token key signs from now on (the old ones verify until their tokens expire);
                        running processes pick it up within seconds. --master: seal every key with a new
                        master key instead (written to the key file, or printed once for GATEHOUSE_MASTER_KEY)
  backup                Write every table of the store to a file: --file <path>
  restore               Load a backup into an empty store (migrated first): --file <path>
  help                  Show this help

Options (environment variable in brackets):
  --host <addr>                   Address to listen on [GATEHOUSE_HOST] (default 127.0.0.1)
  --port <n>                      Port [GATEHOUSE_PORT] (default 8080)
  --data-dir <dir>                Folder of the embedded SQLite store [GATEHOUSE_DATA_DIR] (default ./data)
  --database-url <url>            sqlite:<file> or postgres://… [GATEHOUSE_DATABASE_URL]
  --log-level <level>             fatal|error|warn|info|debug|trace|silent [GATEHOUSE_LOG_LEVEL] (default info)
  --public-url <url>              Base URL printed and used in links [GATEHOUSE_PUBLIC_URL]
  --seed-demo <bool>              Create the demo organization on a first start [GATEHOUSE_SEED_DEMO] (default true)
  --live-traffic <bool>           Move the demo organization's simulated interactions on in real time
                                  [GATEHOUSE_LIVE_TRAFFIC] (default true)
  --token-cache-seconds <0|1>     How long a validated token is cached in process [GATEHOUSE_TOKEN_CACHE_SECONDS]
                                  (default 1)
  --body-limit <bytes>            Largest request body [GATEHOUSE_BODY_LIMIT] (default 512000)
  --secure-cookies <bool>         Secure attribute on the console cookie [GATEHOUSE_SECURE_COOKIES]
                                  (default: true when the public URL is https)
  --implicit-cutoff <date>        No new implicit-grant clients from this date [GATEHOUSE_IMPLICIT_CUTOFF]
  --implicit-sunset <date>        No implicit-grant tokens from this date [GATEHOUSE_IMPLICIT_SUNSET]
  --audit-retention-days <n>      How long audit events are kept [GATEHOUSE_AUDIT_RETENTION_DAYS] (default 365)
  --audit-stream-lease-seconds <n>  How long a dispatcher holds a batch it sends [GATEHOUSE_AUDIT_STREAM_LEASE_SECONDS]
                                  (default 30)
  --rate-limit-client <n>         Requests a minute per client-credentials client [GATEHOUSE_RATE_LIMIT_CLIENT] (300)
  --rate-limit-user-client <n>    Per user per client [GATEHOUSE_RATE_LIMIT_USER_CLIENT] (300)
  --rate-limit-user <n>           Per user across clients [GATEHOUSE_RATE_LIMIT_USER] (3000)
  --rate-limit-org <n>            Per organization [GATEHOUSE_RATE_LIMIT_ORG] (15000)
  --rate-limit-token <n>          Token requests per client [GATEHOUSE_RATE_LIMIT_TOKEN] (300)
  --rate-limit-login <n>          Failed logins per email and address [GATEHOUSE_RATE_LIMIT_LOGIN] (10)
  --rate-limit-auth-failures <n>  Failed authentications per address [GATEHOUSE_RATE_LIMIT_AUTH_FAILURES] (100)
  --rate-limit-scim <n>           Per client on the SCIM paths [GATEHOUSE_RATE_LIMIT_SCIM] (10000; a client's own
                                  scimRequestsPerMinute overrides it)
  --rate-limit-gdpr <n>           GDPR requests a minute per organization [GATEHOUSE_RATE_LIMIT_GDPR] (30)
  --gdpr-vacuum-full <bool>       PostgreSQL: VACUUM FULL (not plain VACUUM) the tables an erasure changed
                                  [GATEHOUSE_GDPR_VACUUM_FULL] (default false)
  --nats-url <url>                NATS server for audit streams [GATEHOUSE_NATS_URL]
  --redis-url <url>               Redis for shared rate limits and invalidation [GATEHOUSE_REDIS_URL]
  --scim-phone-region <CC>        Country of SCIM phone numbers without one [GATEHOUSE_SCIM_PHONE_REGION] (US)
  --trust-proxy <n|addrs>         Believe X-Forwarded-For from this many hops, or from these proxy addresses/CIDRs
                                  (comma-separated) [GATEHOUSE_TRUST_PROXY] (default: none)
  --pool-size <n>                 Most PostgreSQL connections per process [GATEHOUSE_POOL_SIZE] (default 10)
  --statement-timeout-ms <n>      PostgreSQL statement timeout, 0 = none [GATEHOUSE_STATEMENT_TIMEOUT_MS] (30000)
  --drain-seconds <n>             At SIGTERM: seconds not-ready before closing [GATEHOUSE_DRAIN_SECONDS] (default 5)
  --metrics-token <token>         Require "Authorization: Bearer <token>" on /metrics [GATEHOUSE_METRICS_TOKEN]
  --master-key-file <file>        Master key file shared by every process [GATEHOUSE_MASTER_KEY_FILE]
                                  (default <data dir>/master.key, created at first start; or GATEHOUSE_MASTER_KEY)
  --audit-stream-allow-private <bool>  Let audit streams deliver to private and loopback addresses
                                  [GATEHOUSE_AUDIT_STREAM_ALLOW_PRIVATE] (default false)
  -h, --help                      Show this help
`;
