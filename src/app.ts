/**
 * The composition root: storage → stores → services → Fastify. Registers the platform
 * pipeline, then each domain's routes by name. The only file that imports every domain.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { type AnalyticsService, createAnalyticsService, registerAnalyticsRoutes } from './domains/analytics/index.ts';
import {
  type AuditService,
  type AuditStreaming,
  createAuditPersonalData,
  createAuditService,
  createAuditStreaming,
  registerAuditRoutes,
  registerStreamRoutes,
} from './domains/audit/index.ts';
import {
  createAttachments,
  registerAttachmentRoutes,
  type ConversationsService,
  conversationDivisionObjectType,
  createConversationPersonalData,
  createConversationsService,
  registerConversationRoutes,
} from './domains/conversations/index.ts';
import { createConsolePersonalData, registerConsoleRoutes, registerPreferenceRoutes } from './domains/console/index.ts';
import { createDirectoryService, type DirectoryService, registerDirectoryRoutes } from './domains/directory/index.ts';
import {
  createContactMergeSets,
  createExternalContactPersonalData,
  createExternalContactsService,
  createExternalOrganizationsService,
  registerExternalContactRoutes,
} from './domains/externalcontacts/index.ts';
import { createGdprService, type GdprService, registerGdprRoutes } from './domains/gdpr/index.ts';
import { createOAuthService, type OAuthService, registerOAuthRoutes } from './domains/oauth/index.ts';
import {
  createRoutingService,
  queueDivisionObjectType,
  registerRoutingRoutes,
  type RoutingService,
} from './domains/routing/index.ts';
import {
  createScimService,
  registerScimRoutes,
  type ScimService,
  scimClientErrorResponse,
} from './domains/scim/index.ts';
import { createSsoService, registerSsoRoutes } from './domains/sso/index.ts';
import { createUsageMeter, createUsageService, registerUsageRoutes, type UsageService } from './domains/usage/index.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { newId } from './platform/ids.ts';
import { createJobRunner, type JobRunner } from './platform/jobs.ts';
import { installJsonParser } from './platform/json-body.ts';
import { installValidation } from './platform/validation.ts';
import { type Health, registerHealthRoutes } from './platform/health.ts';
import { inProcessBus, type InvalidationBus, redisBus } from './platform/invalidation.ts';
import { loggerOptions } from './platform/logger.ts';
import { makePrivateDir, type MasterKeySource, resolveMasterKey } from './platform/master-key.ts';
import { bindMasterKey } from './platform/server-keys.ts';
import { registerMetrics } from './platform/metrics.ts';
import type { Meter } from './platform/meter.ts';
import { frameworkErrorHandler, registerPipeline } from './platform/pipeline/index.ts';
import { createClientErrorHandler } from './platform/pipeline/client-errors.ts';
import { createRateLimits, memoryRateLimiter, type RateLimiter, redisRateLimiter } from './platform/rate-limit.ts';
import { createStorage, type Storage } from './storage/db.ts';
import { assertMigrated, migrateToLatest } from './storage/migrations/index.ts';

/** One registered route, for the compatibility report. */
export interface RouteEntry {
  method: string;
  url: string;
  permission?: unknown;
  /** The route's request schemas (the fuzz test drives them). */
  schema?: unknown;
}

export interface Gatehouse {
  app: FastifyInstance;
  routes: RouteEntry[];
  jobs: JobRunner;
  audit: AuditService;
  streaming: AuditStreaming;
  usage: UsageService;
  conversations: ConversationsService;
  routing: RoutingService;
  analytics: AnalyticsService;
  gdpr: GdprService;
  meter: Meter;
  storage: Storage;
  directory: DirectoryService;
  oauth: OAuthService;
  scim: ScimService;
  config: Config;
  health: Health;
  invalidation: InvalidationBus;
  close(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  meter?: Meter;
  /** An already-open storage (tests share one); otherwise opened from config.databaseUrl. */
  storage?: Storage;
  logger?: boolean;
  /** Where log lines go (default stdout); tests read them to prove no secret is logged. */
  logStream?: NodeJS.WritableStream;
  /** Apply migrations at start (default); `start --no-migrate` leaves that to `gatehouse migrate`. */
  migrate?: boolean;
  /** How often the audit stream dispatcher looks for work (default 250 ms). */
  streamIntervalMs?: number;
  /** How often the token keys are checked for a rotation (default 2 s). */
  keyRefreshMs?: number;
}

/** The checkout's root, from src/ when run by tsx and from dist/src/ when compiled. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const WEB_DIST = join(projectRoot(), 'web', 'dist');

export async function createGatehouse(config: Config, options: AppOptions = {}): Promise<Gatehouse> {
  const clock = options.clock ?? systemClock;
  const masterKey = openMasterKey(config);
  const storage =
    options.storage ??
    createStorage(config.databaseUrl, {
      max: config.poolSize,
      statementTimeoutMs: config.statementTimeoutMs,
      // A lost idle connection is replaced on the next query; it never ends the process.
      onIdleError: (err) => app?.log.warn({ err: { message: err.message } }, 'a store connection was lost'),
    });
  bindMasterKey(storage.db, masterKey);
  try {
    if (options.migrate !== false) {
      await migrateToLatest(storage, { sealServerKey: (value, name) => masterKey.current().seal(value, name) });
    } else await assertMigrated(storage);
  } catch (err) {
    if (!options.storage) await storage.close().catch(() => {});
    throw err;
  }
  const { db } = storage;

  const limiter: RateLimiter = config.redisUrl
    ? redisRateLimiter(config.redisUrl, (err) =>
        app.log.warn(
          { err: { message: (err as Error).message } },
          'Redis rate-limit counters unavailable; not limiting',
        ),
      )
    : memoryRateLimiter();
  const limits = createRateLimits(limiter, config.rateLimits, clock);
  // Revocations (and later narrowed grants and key changes) reach every process through Redis.
  const invalidation: InvalidationBus = config.redisUrl
    ? redisBus(config.redisUrl, (err) =>
        app.log.warn({ err: { message: (err as Error).message } }, 'Redis invalidation bus unavailable'),
      )
    : inProcessBus((err) => app.log.error({ err }, 'an invalidation subscriber failed'));
  // The domains that hold something of a user (oauth its tokens, SCIM its rows) attach their hooks
  // to the directory when they are built.
  const directory = createDirectoryService({ db, clock });
  const sso = createSsoService({ db, clock, directory, publicUrl: config.publicUrl });
  const oauth = await createOAuthService({
    db,
    clock,
    directory,
    samlBearer: sso.samlBearer,
    invalidation,
    config: {
      tokenCacheMs: config.tokenCacheSeconds * 1000,
      implicitCutoff: config.implicitCutoff,
      implicitSunset: config.implicitSunset,
    },
  });
  // OAuth clients are subjects of grants and objects of divisions; directory reads no oauth table itself.
  directory.subjects.registerClientResolver(oauth.clients.asSubject);
  directory.divisions.registerObjectType(oauth.clients.divisionObjectType());

  const meter: Meter =
    options.meter ??
    createUsageMeter({ db, clock, onError: (err) => app.log.error({ err }, 'usage counts could not be saved') });
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : { ...loggerOptions(config.logLevel), ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: config.bodyLimit,
    genReqId: () => newId(),
    // A hop count trusts that many proxies nearest to this process (Fastify's own number form).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_addr: string, hop: number) =>
              hop < hops
          )(config.trustProxy)
        : config.trustProxy,
    // Errors raised before a route is found, or before Fastify sees the request, in upstream shapes too.
    frameworkErrors: frameworkErrorHandler(config.bodyLimit),
    // Oversized URLs or headers on SCIM paths are answered as SCIM errors, the rest as ErrorBody.
    clientErrorHandler: createClientErrorHandler([scimClientErrorResponse]),
  });
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      routes.push({ method, url: r.url, permission: r.config?.permission, schema: r.schema });
  });
  await app.register(cookie);
  installJsonParser(app);
  installValidation(app);
  registerPipeline(app, {
    tokens: {
      resolve: (t) => oauth.tokens.resolve(t),
      cached: (t) => oauth.tokens.cached(t),
      csrfTokenFor: (t) => oauth.secrets.csrfFor(t),
    },
    meter,
    clock,
    bodyLimit: config.bodyLimit,
    limits,
    hsts: config.publicUrl.startsWith('https:'),
  });
  // Sources read at scrape time (jobs and streaming are built below).
  registerMetrics(
    app,
    {
      poolUsage: () => storage.poolUsage(),
      jobQueueDepth: () => jobs.depth(),
      usageFlushLagSeconds: () => meter.flushLagSeconds?.() ?? 0,
      auditOutbox: () => streaming.outbox(),
    },
    config.metricsToken,
  );
  const ssoFlows = sso.flows(oauth);
  registerOAuthRoutes(app, {
    oauth,
    directory,
    secureCookies: config.secureCookies,
    publicUrl: config.publicUrlExplicit ? config.publicUrl : null,
    limits,
    loginPolicy: sso,
    ssoGuard: ssoFlows.authorizeGuard,
  });
  registerDirectoryRoutes(app, { directory });
  registerSsoRoutes(app, { sso, flows: ssoFlows, secureCookies: config.secureCookies });
  const jobs = createJobRunner((name, err) => app.log.error({ err, job: name }, 'background job failed'));
  const audit = createAuditService({ db, clock, jobs, retentionDays: config.auditRetentionDays });
  await audit.resume();
  // Retention: purge at start and hourly, then refresh the planner's statistics; the timer never
  // keeps the process alive.
  const purge = () =>
    jobs.enqueue('audit-retention', async () => {
      await audit.purgeExpired();
      storage.optimize();
    });
  purge();
  const purgeTimer = setInterval(purge, 3_600_000);
  purgeTimer.unref();
  registerAuditRoutes(app, { audit });
  const streaming = await createAuditStreaming({
    db,
    clock,
    natsUrl: config.natsUrl,
    leaseMs: config.auditStreamLeaseSeconds * 1000,
    intervalMs: options.streamIntervalMs,
    allowPrivate: config.auditStreamAllowPrivate,
    onError: (err, streamId) =>
      app.log.warn({ err: { message: (err as Error).message }, streamId }, 'audit stream delivery failed'),
  });
  streaming.start();
  // Keys rotated by `rotate-keys` (possibly in another process) are picked up within seconds.
  const keyTimer = setInterval(
    () => void oauth.refreshKeys().catch((err) => app.log.error({ err }, 'token keys could not be reloaded')),
    options.keyRefreshMs ?? 2000,
  );
  keyTimer.unref();
  // …and at once when the rotation is announced on the invalidation bus (the poll is the fallback).
  const reloadKeys = () =>
    void oauth.refreshKeys().catch((err) => app.log.error({ err }, 'token keys could not be reloaded'));
  invalidation.subscribe('oauth.token-keys', { onMessage: reloadKeys, onResync: reloadKeys });
  registerStreamRoutes(app, { streams: streaming.streams });
  const health = registerHealthRoutes(app, [
    { name: 'store', check: () => storage.ping() },
    ...(limiter.ping ? [{ name: 'redis', check: () => limiter.ping!() }] : []),
    ...(config.natsUrl ? [{ name: 'nats', check: () => streaming.natsPing(1_500) }] : []),
  ]);
  const usage = createUsageService({
    db,
    clock,
    jobs,
    clients: {
      divisionOf: async (orgId, clientId) => {
        const row = await oauth.clients.find(orgId, clientId);
        return row && row.internal !== 1 ? (row.division_id ?? null) : undefined;
      },
    },
  });
  registerUsageRoutes(app, { usage });
  const routing = createRoutingService({ db, clock, directory });
  directory.divisions.registerObjectType(queueDivisionObjectType());
  registerRoutingRoutes(app, { routing });
  const homeDivision = (orgId: string) => directory.organizations.homeDivision(orgId);
  const externalContacts = createExternalContactsService({
    db,
    clock,
    phoneRegion: config.scimPhoneRegion,
    homeDivision,
    division: (orgId, id) => directory.divisions.get(orgId, id).catch(() => null),
  });
  directory.divisions.registerObjectType({
    type: 'EXTERNALCONTACT',
    permission: 'externalContacts:contact:edit',
    count: (ex, orgId, divisionId) => externalContacts.store.inDivision(ex, orgId, divisionId),
  });
  const conversations = createConversationsService({
    db,
    clock,
    directory,
    contactExists: (orgId, id) => externalContacts.exists(orgId, id),
  });
  directory.divisions.registerObjectType(conversationDivisionObjectType());
  registerConversationRoutes(app, { conversations });
  const analytics = createAnalyticsService({ db, clock, jobs, conversations, routing });
  await analytics.resume();
  registerAnalyticsRoutes(app, { analytics });
  registerAttachmentRoutes(app, { attachments: createAttachments({ db, clock }) });
  // A deactivated or deleted user's tokens stop for good, in the transaction that changes the state.
  const scim = createScimService({
    db,
    clock,
    phoneRegion: config.scimPhoneRegion,
    directory,
  });
  registerScimRoutes(app, { scim, publicUrl: config.publicUrlExplicit ? config.publicUrl : null });
  const externalOrganizations = createExternalOrganizationsService({
    db,
    clock,
    phoneRegion: config.scimPhoneRegion,
    homeDivision,
  });
  registerExternalContactRoutes(app, { contacts: externalContacts, organizations: externalOrganizations });
  // Data-subject requests reach each domain's personal data through its source; the audit
  // trail's comes last, so that its erasure also scrubs what the others just recorded.
  const users = directory.personalData();
  const gdpr = createGdprService({
    db,
    clock,
    jobs,
    phoneRegion: config.scimPhoneRegion,
    sources: [
      users,
      oauth.personalData,
      sso.personalData,
      createConsolePersonalData(),
      createConversationPersonalData({ clock }),
      createExternalContactPersonalData({ clock, phoneRegion: config.scimPhoneRegion }),
      createAuditPersonalData(),
    ],
    describeUsers: users.describeUsers,
    contactMergeSet: createContactMergeSets(),
    purge: {
      changedTables: (trx) => storage.changedTables(trx),
      afterCommit: (t) => storage.purgeErased(t, { rewrite: config.gdprVacuumFull }),
    },
    userExists: (orgId, userId) =>
      directory.users.get(orgId, userId).then(
        () => true,
        () => false,
      ),
  });
  await gdpr.resume();
  // Requests whose process stopped mid-run are taken up again once their lease has run out.
  const gdprTimer = setInterval(
    () => void gdpr.resume().catch((err) => app.log.error({ err }, 'GDPR requests could not be resumed')),
    60_000,
  );
  gdprTimer.unref();
  registerGdprRoutes(app, { gdpr, limits });
  registerConsoleRoutes(app, {
    directory,
    oauth,
    secureCookies: config.secureCookies,
    limits,
    checkPasswordLogin: sso.checkPasswordLogin,
  });
  registerPreferenceRoutes(app, { db, clock });
  await registerConsoleAssets(app);

  return {
    app,
    routes,
    storage,
    directory,
    oauth,
    scim,
    config,
    health,
    invalidation,
    jobs,
    audit,
    streaming,
    usage,
    conversations,
    routing,
    analytics,
    gdpr,
    meter,
    async close() {
      clearInterval(purgeTimer);
      clearInterval(gdprTimer);
      clearInterval(keyTimer);
      await app.close();
      await streaming.stop();
      await jobs.idle();
      await (meter.close ?? meter.flush)();
      await limiter.close();
      await invalidation.close();
      if (!options.storage) await storage.close();
    },
  };
}

/**
 * The master key that seals server_keys (docs/security.md). The data folder becomes owner-only
 * when it holds the key file or the SQLite store.
 */
function openMasterKey(config: Config): MasterKeySource {
  const inDataDir = (path: string) => path.startsWith(config.dataDir + sep);
  const sqliteFile = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : '';
  if ((!config.masterKey && inDataDir(config.masterKeyFile)) || inDataDir(resolve(sqliteFile || '/'))) {
    makePrivateDir(config.dataDir);
  }
  return resolveMasterKey({
    value: config.masterKey,
    file: config.masterKeyFile,
    fileExplicit: config.masterKeyFileExplicit,
  });
}

/** Listens on a free loopback port and answers the base URL (tests and benchmarks). */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** The console's built files, with index.html for every client-side route. */
async function registerConsoleAssets(app: FastifyInstance) {
  if (!existsSync(join(WEB_DIST, 'index.html'))) return;
  await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'] });
  const spa = (_req: unknown, reply: { sendFile(f: string): unknown }) => reply.sendFile('index.html');
  app.get('/login', spa as never);
  app.get('/admin', spa as never);
  app.get('/admin/*', spa as never);
}
