import express, { type Express } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiRoot, hubPrefix } from '@clusterhub/shared';
import type { ResolvedConfig } from './config/types';
import type { Store } from './store/store';
import type { Spawner } from './spawners/spawner';
import type { Proxy } from './proxy/proxy';
import { openStore } from './store/open';
import { createBackends } from './spawners/registry';
import type { Backends } from './spawners/backends';
import { createProxy, proxyOptionsFromConfig } from './proxy/registry';
import { hubRouteTarget } from './proxy/hub-route-target';
import { RouteReconciler } from './proxy/route-reconciler';
import { createAuthenticator } from './authenticators/registry';
import { createLogger, type Logger } from './observability/logger';
import { HubMetrics } from './observability/metrics';
import { systemClock, type Clock } from './lib/clock';
import { loadCookieSecret } from './lib/cookie-secret';
import { secureDataDir } from './lib/data-dir';
import { IdentityService } from './services/identity';
import { ServerLifecycle } from './services/server-lifecycle';
import { RouteService } from './services/route-service';
import { UserService } from './services/users';
import { Ledger } from './services/ledger';
import { BudgetService } from './services/budget';
import { AuditLog } from './services/audit';
import { GroupRefresh } from './services/group-refresh';
import { SpendMetrics } from './services/spend-metrics';
import { auditRequests } from './http/audit-requests';
import { auditRouter } from './http/api/audit.routes';
import { BatchCapacity } from './services/batch-capacity';
import { BatchJobs } from './services/batch-jobs';
import { OAuthProvider } from './oauth/oauth-provider';
import { SessionCookieCodec } from './http/session-cookie';
import type { HubContext } from './http/context';
import { requestContext } from './http/request-context';
import { jsonBody } from './http/json-body';
import { authenticate, checkXsrf } from './http/auth-guard';
import { hasDotSegment } from './http/browser-session';
import { errorHandler } from './http/error-handler';
import { HubError } from './errors';
import { hubRouter } from './http/api/hub.routes';
import { usersRouter } from './http/api/users.routes';
import { serversRouter } from './http/api/servers.routes';
import { activityRouter } from './http/api/activity.routes';
import { batchspawnerRouter } from './http/api/batchspawner.routes';
import { walltimeRouter } from './http/api/walltime.routes';
import { WalltimeService } from './services/walltime';
import { tokensRouter } from './http/api/tokens.routes';
import { groupsRouter } from './http/api/groups.routes';
import { sharesRouter } from './http/api/shares.routes';
import { authorizationsRouter } from './http/api/authorizations.routes';
import { gpuRouter, type GpuRouterDeps } from './http/api/gpu.routes';
import { usageRouter, type UsageRouterDeps } from './http/api/usage.routes';
import { budgetAdminRouter } from './http/api/budget-admin.routes';
import { BudgetAdmin } from './services/budget-admin';
import { jobsRouter } from './http/api/jobs.routes';
import { GpuMonitor } from './metrics/gpu/gpu-monitor';
import { backendGpuSources } from './metrics/gpu/gpu-sources';
import { BudgetWatch } from './culler/budget-watch';
import { BuiltinCuller } from './culler/builtin-culler';
import { GpuIdleWatch } from './culler/gpu-idle-watch';
import { KernelProbe } from './culler/kernel-probe';
import { CullWarnings } from './culler/warnings';
import { CullWebhook } from './culler/webhook';
import { methodNotAllowed } from './http/api/method-not-allowed';
import { oauthRouter } from './http/web/oauth.routes';
import { loginRouter } from './http/web/login.routes';
import { serverPagesRouter } from './http/web/servers.routes';
import { tokenPageRouter } from './http/web/token.routes';
import { homePageRouter } from './http/web/home.routes';
import { adminPageRouter } from './http/web/admin.routes';
import { serverLogRouter } from './http/web/server-log.routes';
import { miscRouter } from './http/web/misc.routes';
import { expressServerOptions } from './http/express-server';

/** clusterhub's own version (package.json). */
export const CLUSTERHUB_VERSION = '0.1.0';

/** Replaceable collaborators, for tests (a fake spawner, an in-memory store, a fixed clock). */
export interface HubOverrides {
  readonly store?: Store;
  /** Replaces the `default` backend. */
  readonly spawner?: Spawner;
  /** Replaces (or adds) named backends. */
  readonly backends?: Readonly<Record<string, Spawner>>;
  readonly proxy?: Proxy;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** A built hub: call {@link Hub.start} to listen. */
export interface Hub {
  readonly context: HubContext;
  readonly app: Express;
  /** Listens (hub + proxy), re-adopts servers, reconciles routes, starts the loops. */
  start(): Promise<void>;
  /** Stops listening and the loops; user servers keep running (a restart re-adopts them). */
  stop(): Promise<void>;
  /** The hub's own URL, e.g. `http://127.0.0.1:8081`. */
  readonly internalUrl: string;
  /** The proxy's public URL (built-in proxy), e.g. `http://127.0.0.1:8000`. */
  readonly publicUrl: string | null;
  readonly proxy: Proxy;
  /** The built-in culler when `culler.enabled` (docs/culler.md), else null. */
  readonly culler: BuiltinCuller | null;
  /** Walltime notices and extensions of batch servers (docs/slurm.md). */
  readonly walltime: WalltimeService;
}

function hostFor(ip: string): string {
  if (ip === '0.0.0.0' || ip === '') return '127.0.0.1';
  if (ip === '::') return '[::1]';
  return ip.includes(':') ? `[${ip}]` : ip;
}

/** The composition root: the only place that picks concrete adapters. No listening happens here. */
export async function buildHub(config: ResolvedConfig, overrides: HubOverrides = {}): Promise<Hub> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger({ level: config.hub.logLevel });
  secureDataDir(config.hub.dataDir);
  const store =
    overrides.store ??
    (await openStore(config.db.kind === 'sqlite' ? { kind: 'sqlite', path: config.db.path } : { kind: 'postgres', url: config.db.url }, { logger }));
  const backends = createBackends(config, { logger }, { ...overrides.backends, ...(overrides.spawner ? { default: overrides.spawner } : {}) });
  const spawner = backends.default;
  const proxy = overrides.proxy ?? createProxy(proxyOptionsFromConfig(config), { logger, clock });
  const metrics = new HubMetrics({
    gauges: async () => ({ runningServers: await store.servers.countActive(), totalUsers: await store.users.count() }),
    processMetrics: config.hub.processMetrics,
  });
  const base = config.hub.baseUrl;
  const hubPath = hubPrefix(base);
  let internalPort = config.hub.internal.port;
  const internalUrl = (): string => `http://${hostFor(config.hub.internal.ip)}:${internalPort}`;
  const hubUrl = (): string => config.hub.connectUrl ?? `${internalUrl()}${hubPath}`;

  const routes = new RouteService({ proxy, store, baseUrl: base, hubTarget: () => hubRouteTarget(config, internalUrl()), logger });
  const ledger = new Ledger({ store, clock });
  const budgets = new BudgetService({ config: config.budgets, store, ledger, clock });
  const audit = new AuditLog({ store, clock, logger, settings: config.audit });
  new SpendMetrics({ store, clock, budgets, metrics }).attach();
  const authenticator = createAuthenticator(config.auth, { store, clock });
  // Groups read again with the provider's refresh token, periodically and before starts (docs/login.md).
  const groupRefresh = authenticator.refresher
    ? new GroupRefresh({
        store,
        refresher: authenticator.refresher,
        auth: config.auth,
        periodSeconds: config.auth.oidc?.refreshGroupsSeconds ?? 0,
        providerName: config.auth.oidc?.displayName ?? 'the identity provider',
        clock,
        logger,
        audit,
      })
    : undefined;
  const lifecycle = new ServerLifecycle({
    store,
    backends,
    routes,
    config,
    clock,
    logger,
    hubUrl,
    observe: {
      spawn: (status, s) => metrics.observeSpawn(status, s),
      stop: (status, s) => metrics.observeServerStop(status, s),
      rejected: (reason) => metrics.countSpawnRejection(reason),
    },
    ledger,
    budget: budgets,
    audit,
    ...(groupRefresh ? { startCheck: groupRefresh } : {}),
  });
  const reconciler = new RouteReconciler({
    proxy,
    desired: () => routes.desired(),
    onActivity: (list) => routes.recordActivity(list),
    intervalMs: config.proxy.checkRoutesIntervalSeconds * 1000,
    logger,
  });
  const context: HubContext = {
    config,
    store,
    identity: new IdentityService({ store, config, clock }),
    lifecycle,
    routes,
    users: new UserService({ store, lifecycle }),
    authenticator,
    metrics,
    logger,
    clock,
    sessions: new SessionCookieCodec(loadCookieSecret(config.hub.dataDir), config.hub.cookieMaxAgeDays * 86_400),
    checkRoutes: async () => {
      const t0 = clock();
      await reconciler.checkRoutes();
      metrics.observeCheckRoutes((clock() - t0) / 1000);
    },
    hubPrefix: hubPath,
    batch: batchServices(config, backends, budgets, clock, logger),
    backends,
    audit,
    ...(groupRefresh ? { groupRefresh } : {}),
  };
  const oauth = new OAuthProvider({ store, clock, tokenLifetimeSeconds: Math.round(config.hub.cookieMaxAgeDays * 86_400) });
  const gpu = gpuMonitorFor(config, spawner, { store, metrics, clock, logger });
  const walltime = new WalltimeService({ store, backends, config, clock, logger });
  // The culler's warnings (web-idle, max-age, GPU-idle), its webhook, and the keep-alive: one place.
  const webhook = config.culler.webhook && new CullWebhook(config.culler.webhook, logger);
  const warnings = config.culler.enabled ? new CullWarnings({ store, clock, logger, webhook }) : null;
  // GPU-idle actions (profiles' cull.gpuIdle) run in the culler's passes on the GPU monitor's readings.
  const gpuIdle = warnings && gpu.monitor ? new GpuIdleWatch({ profiles: config.profiles, store, lifecycle, source: gpu.monitor, clock, logger, warnings }) : null;
  const culler = warnings
    ? new BuiltinCuller({
        settings: config.culler,
        profiles: config.profiles,
        store,
        lifecycle,
        clock,
        logger,
        warnings,
        gpuIdle,
        kernels: new KernelProbe({ store, baseUrl: config.hub.baseUrl, clock }),
        // Budget notices (budgets.warnAtPercent) and the 100 % action (budgets.onExhausted) on the culler's passes.
        budget: new BudgetWatch({
          budgets,
          profiles: config.profiles,
          thresholds: config.budgets.warnAtPercent,
          onExhausted: config.budgets.onExhausted,
          period: config.budgets.period,
          store,
          lifecycle,
          clock,
          logger,
          warnings,
        }),
      })
    : null;
  const app = buildExpressApp(context, oauth, { ...gpu, idle: gpuIdle, culling: warnings }, { ledger, budgets, period: config.budgets.period }, walltime);

  let server: Server | null = null;
  return {
    context,
    app,
    proxy,
    culler,
    walltime,
    get internalUrl() {
      return internalUrl();
    },
    get publicUrl() {
      if (proxy.kind !== 'builtin') return null;
      const port = (proxy as Proxy & { port?: number }).port ?? config.hub.public.port;
      return `${config.hub.tls === null ? 'http' : 'https'}://${hostFor(config.hub.public.ip)}:${port}`;
    },
    async start() {
      const t0 = clock();
      server = createServer(expressServerOptions(app), app);
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(config.hub.internal.port, config.hub.internal.ip, () => resolve());
      });
      internalPort = (server.address() as AddressInfo).port;
      await proxy.start();
      const adoption = await lifecycle.adopt();
      await context.checkRoutes();
      reconciler.start();
      lifecycle.startPolling();
      gpu.monitor?.start();
      culler?.start();
      if (Object.keys(config.backends).length > 0) walltime.start();
      audit.start();
      groupRefresh?.start();
      metrics.observeHubStartup((clock() - t0) / 1000);
      logger.info({ internal: internalUrl(), proxy: proxy.kind, spawner: spawner.kind, backends: backends.all().map((b) => b.name), store: store.kind, ...adoption }, 'clusterhub started');
    },
    async stop() {
      await reconciler.stop();
      await culler?.stop();
      walltime.stop();
      await gpu.monitor?.stop();
      await groupRefresh?.stop();
      await lifecycle.close();
      await audit.stop();
      await proxy.stop();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server?.close(() => resolve()));
      }
      await backends.close();
      metrics.stop();
      await store.close();
    },
  };
}

/** Capacity and choices of batch profiles, and the jobs API (docs/batch-jobs.md). */
function batchServices(config: ResolvedConfig, backends: Backends, budget: BudgetService, clock: Clock, logger: Logger): NonNullable<HubContext['batch']> {
  const capacity = new BatchCapacity({ backends, clock, logger });
  return { capacity, jobs: new BatchJobs({ backends, profiles: config.profiles, budget, clock, logger, onChange: () => capacity.invalidate() }) };
}

/**
 * The GPU monitor when `gpuMetrics.enabled`: nvidia-smi on this machine for local-process servers,
 * plus the sources of the Slurm and Kubernetes backends (docs/gpu-metrics.md); otherwise none, and why.
 */
function gpuMonitorFor(config: ResolvedConfig, spawner: Spawner, deps: { store: Store; metrics: HubMetrics; clock: Clock; logger: Logger }): GpuRouterDeps {
  if (!config.gpuMetrics.enabled) return { monitor: null, disabledReason: 'GPU metrics are off on this hub (gpuMetrics.enabled).' };
  const logger = deps.logger.child({ component: 'gpu-metrics' });
  const sources = backendGpuSources(config, { clock: deps.clock, logger });
  const local = spawner.kind === 'local-process';
  if (!local && sources.length === 0) {
    logger.warn({ spawner: spawner.kind }, 'gpuMetrics.enabled, but no backend of this hub has a GPU source: no GPU metrics');
    return { monitor: null, disabledReason: `No backend of this hub (${spawner.kind}) has a GPU source.` };
  }
  return { monitor: new GpuMonitor({ settings: config.gpuMetrics, store: deps.store, metrics: deps.metrics, clock: deps.clock, logger, sources, local }), disabledReason: '' };
}

/** The express application: `/hub/api/*` (JSON API), `/hub/*` (pages), everything else redirected under `/hub/`. */
export function buildExpressApp(
  ctx: HubContext,
  oauth: OAuthProvider,
  gpu: GpuRouterDeps = { monitor: null, disabledReason: 'GPU metrics are off on this hub (gpuMetrics.enabled).' },
  usage?: UsageRouterDeps,
  walltime?: WalltimeService,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('etag', false);
  const api = apiRoot(ctx.config.hub.baseUrl);
  // Budget top-ups and overrides: one service for the API and the admin page.
  const budgetAdmin = usage ? new BudgetAdmin({ ...usage, store: ctx.store, users: ctx.users, clock: ctx.clock, audit: ctx.audit }) : undefined;
  app.use(requestContext({ version: ctx.config.hub.version, logger: ctx.logger, metrics: ctx.metrics }));

  const apiRouter = express.Router();
  apiRouter.use('/oauth2/token', express.urlencoded({ extended: false, limit: ctx.config.hub.maxBodyBytes }));
  apiRouter.use('/oauth2/authorize', express.urlencoded({ extended: false, limit: ctx.config.hub.maxBodyBytes }));
  apiRouter.use(jsonBody(ctx.config.hub.maxBodyBytes));
  apiRouter.use(authenticate(ctx));
  apiRouter.use(auditRequests(ctx, ctx.audit, { api: true }));
  apiRouter.use(oauthRouter(ctx, oauth));
  // Health and metrics answer under the API prefix too (protocol.md §5: /hub/api/health, /hub/api/metrics).
  apiRouter.get(['/health', '/metrics'], miscRouter(ctx));
  apiRouter.use((req, _res, next) => {
    checkXsrf(req);
    next();
  });
  apiRouter.use(hubRouter(ctx, { serverVersion: CLUSTERHUB_VERSION }));
  apiRouter.use(usersRouter(ctx));
  apiRouter.use(serversRouter(ctx));
  apiRouter.use(activityRouter(ctx));
  apiRouter.use(batchspawnerRouter(ctx));
  if (walltime) apiRouter.use(walltimeRouter(ctx, walltime));
  apiRouter.use(tokensRouter(ctx));
  apiRouter.use(groupsRouter(ctx));
  apiRouter.use(sharesRouter(ctx));
  apiRouter.use(authorizationsRouter(ctx));
  apiRouter.use(gpuRouter(ctx, gpu));
  if (usage) apiRouter.use(usageRouter(ctx, usage));
  if (budgetAdmin) apiRouter.use(budgetAdminRouter(ctx, budgetAdmin));
  if (ctx.audit) apiRouter.use(auditRouter(ctx, ctx.audit));
  if (ctx.batch) apiRouter.use(jobsRouter(ctx, ctx.batch.jobs));
  apiRouter.use(methodNotAllowed(apiRouter));
  apiRouter.use((req, _res, next) => next(new HubError('not_found', `No API endpoint ${req.method} ${req.path}.`)));
  app.use(api, apiRouter);

  const pages = express.Router();
  // Hub pages may be framed by the hub's own origin only (clickjacking); the API answers JSON.
  pages.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', "frame-ancestors 'self'");
    next();
  });
  pages.use(express.urlencoded({ extended: false, limit: ctx.config.hub.maxBodyBytes }));
  pages.use(authenticate(ctx));
  pages.use(auditRequests(ctx, ctx.audit, { api: false }));
  pages.use(miscRouter(ctx));
  pages.use(loginRouter(ctx));
  pages.use(tokenPageRouter(ctx));
  pages.use(homePageRouter(ctx));
  pages.use(adminPageRouter(ctx, budgetAdmin));
  pages.use(serverLogRouter(ctx));
  pages.use(serverPagesRouter(ctx));
  pages.use((req, _res, next) => next(new HubError('not_found', `No page at ${req.path}.`)));
  app.use(ctx.hubPrefix, pages);
  app.use((req, res, next) => {
    // Dot segments could resolve the target above /hub/ (and to `//host`): refuse, never redirect.
    if (hasDotSegment(req.originalUrl)) {
      next(new HubError('bad_request', 'The path has "." or ".." segments.'));
      return;
    }
    const rel = req.originalUrl.startsWith(ctx.config.hub.baseUrl) ? req.originalUrl.slice(ctx.config.hub.baseUrl.length) : req.originalUrl.replace(/^\//, '');
    res.redirect(302, `${ctx.hubPrefix}${rel.replace(/^\/+/, '')}`);
  });
  app.use(errorHandler({ logger: ctx.logger, apiPrefix: api, hubPrefix: ctx.hubPrefix }));
  return app;
}
