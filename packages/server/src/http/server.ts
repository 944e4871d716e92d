/**
 * The HTTP app factory: Fastify with the route table, the two WebSockets, one error mapper, zod
 * validation, OpenAPI from the same schemas, metrics, and the services behind them. It does not
 * listen; `startServer` (server.start.ts) and tests do.
 */
import websocket from '@fastify/websocket';
import type { Config } from '@heimdall/config';
import { MAX_FRAME_BYTES } from '@heimdall/protocol';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AnomalyService } from '../anomalies/anomaly.service.ts';
import { AnomalyModelService } from '../anomalies/anomaly-model.service.ts';
import { AuthService } from '../auth/auth.service.ts';
import { access } from '../auth/principal.ts';
import type { Bus } from '../bus/bus.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Database } from '../database/database.ts';
import { ApiError, forbidden, notFound, unauthenticated } from '../errors.ts';
import { IngestService, type IngestServiceOptions } from '../ingest/ingest.service.ts';
import { JobService } from '../jobs/job.service.ts';
import {
  LocalizationService,
  type LocalizationServiceOptions,
} from '../localization/localization.service.ts';
import { ScanPlanService } from '../scan-plans/scan-plan.service.ts';
import { LiveHub, type LiveHubOptions } from '../live/live-hub.ts';
import { DEFAULT_OFFLINE_AFTER_MS, NodeService, type NodeServiceOptions } from '../nodes/node.service.ts';
import { mapError } from './error-mapper.ts';
import { silentLogger, type Logger } from './logger.ts';
import { ServerMetrics } from './metrics.ts';
import { buildOpenApi } from './openapi.ts';
import { isReply, type Route } from './route.ts';
import { anomalyRoutes } from './routes/anomaly.routes.ts';
import { anomalyModelRoutes } from './routes/anomaly-model.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { jobRoutes } from './routes/job.routes.ts';
import { localizationRoutes } from './routes/localization.routes.ts';
import { scanPlanRoutes } from './routes/scan-plan.routes.ts';
import { ingestRoutes, MAX_BATCH_BYTES } from './routes/ingest.routes.ts';
import { nodeRoutes } from './routes/node.routes.ts';
import { spectrumRoutes } from './routes/spectrum.routes.ts';
import { systemRoutes } from './routes/system.routes.ts';
import { registerSockets, SOCKET_ROUTES } from './sockets.ts';
import { registerWebAssets } from './web-assets.ts';

export const API_VERSION = '0.1.0';

export interface ServerOptions {
  readonly nodes?: NodeServiceOptions;
  readonly ingest?: IngestServiceOptions;
  readonly live?: Omit<LiveHubOptions, 'onDrop'>;
  readonly localizations?: Omit<LocalizationServiceOptions, 'offlineAfterMs'>;
  /** WebSocket keepalive ping interval (default 30 s). */
  readonly pingIntervalMs?: number;
  /** Readiness checks give up after this long (default 2 s). */
  readonly readyTimeoutMs?: number;
}

/**
 * The configuration the app reads: the first admin's password, and the sign-in settings, each of
 * which falls back to its `@heimdall/config` default when absent (tests and tools pass only some).
 */
export type ServerConfig = Pick<Config, 'adminPassword'> &
  Partial<Pick<Config, 'tokenTtlSeconds' | 'loginMaxFailures' | 'loginWindowSeconds' | 'trustProxy'>>;

export interface ServerDeps {
  readonly config: ServerConfig;
  readonly db: Database;
  readonly bus: Bus;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly options?: ServerOptions;
}

export interface HeimdallServer {
  readonly app: FastifyInstance;
  /** Every HTTP route, with the role it needs. */
  readonly routes: readonly Route[];
  readonly auth: AuthService;
  readonly nodes: NodeService;
  readonly ingest: IngestService;
  readonly live: LiveHub;
  readonly anomalies: AnomalyService;
  /** The anomaly model registry (versions per node, the active one, rollback). */
  readonly anomalyModels: AnomalyModelService;
  readonly scanPlans: ScanPlanService;
  readonly jobs: JobService;
  readonly localizations: LocalizationService;
  readonly metrics: ServerMetrics;
  /** The first admin, when this start created it (print a generated password once). */
  readonly createdAdmin: { readonly password: string; readonly generated: boolean } | undefined;
  /** Stops taking requests, commits pending ingest, unsubscribes; the db and bus stay open (the caller owns them). */
  close(): Promise<void>;
}

/** Parses `value` with `schema`; a failure is a 400 naming the parameter. */
function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? where : issue.path.map(String).join('.');
  throw new ApiError('invalid', issue?.message ?? `invalid ${where}`, {
    field,
    fix: `correct ${field} (see /openapi.json)`,
  });
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      () => {
        clearTimeout(t);
        resolve(false);
      },
    );
  });
}

export async function createServer(deps: ServerDeps): Promise<HeimdallServer> {
  const { config, db, bus } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const options = deps.options ?? {};
  const offlineAfterMs = options.nodes?.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS;
  const metrics = new ServerMetrics();
  const auth = new AuthService(db, clock, {
    tokenTtlSeconds: config.tokenTtlSeconds,
    loginLimit: {
      maxFailures: config.loginMaxFailures,
      windowMs: config.loginWindowSeconds === undefined ? undefined : config.loginWindowSeconds * 1000,
    },
  });
  const nodes = new NodeService(db, bus, clock, options.nodes);
  const ingest = new IngestService(
    db,
    bus,
    {
      stored: (kind, n) => metrics.ingestFrames.inc({ kind }, n),
      duplicates: (n) => metrics.ingestDuplicates.inc(n),
      gaps: (n) => metrics.ingestGaps.inc(n),
      commitSeconds: (s) => metrics.ingestCommit.observe(s),
      publishFailed: (e) =>
        logger.warn('publishing ingested data failed', { error: e instanceof Error ? e.message : String(e) }),
    },
    options.ingest,
  );
  const live = new LiveHub(bus, { ...options.live, onDrop: () => metrics.liveDropped.inc() });
  const anomalies = new AnomalyService(db, bus, clock);
  const anomalyModels = new AnomalyModelService(db);
  const scanPlans = new ScanPlanService(db, clock);
  const jobs = new JobService(db, bus, clock);
  const localizations = new LocalizationService(db, bus, clock, jobs, {
    ...options.localizations,
    offlineAfterMs,
  });
  const onReject = (reason: string) => metrics.ingestRejected.inc({ reason });

  const createdAdmin = await auth.ensureAdmin(config.adminPassword);
  await live.start();

  // behind a trusted proxy, req.ip (the login limiter's client address) comes from X-Forwarded-For
  const trustProxy = config.trustProxy ?? false;
  const app = Fastify({
    logger: false,
    bodyLimit: 1 << 20,
    trustProxy: typeof trustProxy === 'boolean' ? trustProxy : [...trustProxy],
  });
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: MAX_BATCH_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.setErrorHandler((error, req, rep) => {
    const m = mapError(error, logger, { method: req.method, url: req.url });
    void rep.status(m.status).headers(m.headers).send(m.body);
  });
  app.setNotFoundHandler((req, rep) => {
    const m = mapError(notFound(`${req.method} ${req.url.split('?')[0]}`, 'url'), logger);
    void rep.status(404).send({ ...m.body, fix: 'see /docs for the routes' });
  });
  app.addHook('onResponse', async (req, rep) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(rep.statusCode) },
      rep.elapsedTime / 1000,
    );
  });

  const readyTimeoutMs = options.readyTimeoutMs ?? 2000;
  const spec: { document?: unknown } = {};
  const routes: Route[] = [
    ...systemRoutes({
      ready: async () => {
        const [database, busOk] = await Promise.all([
          withTimeout(db.query('SELECT 1'), readyTimeoutMs),
          // a live subscription round-trips to NATS (in-process: always answers)
          withTimeout(
            bus.subscribe('node.status', () => undefined).then((s) => s.unsubscribe()),
            readyTimeoutMs,
          ),
        ]);
        return { database, bus: busOk };
      },
      metrics: async () => ({
        text: await metrics.registry.metrics(),
        contentType: metrics.registry.contentType,
      }),
      openApi: () => spec.document,
    }),
    ...authRoutes(auth),
    ...nodeRoutes(nodes, db, () => new Date(clock.now() - offlineAfterMs)),
    ...ingestRoutes(ingest, onReject),
    ...spectrumRoutes(db, ingest.tiles),
    ...anomalyRoutes(anomalies),
    ...anomalyModelRoutes(anomalyModels),
    ...scanPlanRoutes(scanPlans),
    ...jobRoutes(jobs),
    ...localizationRoutes(localizations),
  ];
  spec.document = buildOpenApi(routes, { version: API_VERSION }, SOCKET_ROUTES);

  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      handler: async (req: FastifyRequest, rep: FastifyReply) => {
        const principal =
          r.role === 'public' ? undefined : await auth.authenticate(req.headers.authorization);
        const a = access(r.role, principal);
        if (a === 'unauthenticated') throw unauthenticated();
        if (a === 'forbidden') {
          throw forbidden(
            principal?.kind === 'node'
              ? 'node API keys may not call user routes'
              : r.role === 'node'
                ? 'only nodes may call this route'
                : `this needs the ${r.role} role`,
          );
        }
        const isBinary = r.binaryBody === true;
        if (isBinary && req.body !== undefined && !Buffer.isBuffer(req.body)) {
          throw new ApiError('invalid', 'the body must be application/octet-stream', {
            field: 'content-type',
            fix: 'send Content-Type: application/octet-stream',
          });
        }
        const result = await r.handler({
          params: r.schema.params === undefined ? undefined : parse(r.schema.params, req.params, 'params'),
          query:
            r.schema.querystring === undefined ? undefined : parse(r.schema.querystring, req.query, 'query'),
          body: r.schema.body === undefined ? undefined : parse(r.schema.body, req.body ?? {}, 'body'),
          principal,
          ip: req.ip,
          rawBody:
            isBinary && Buffer.isBuffer(req.body)
              ? new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.byteLength)
              : undefined,
        });
        if (isReply(result)) {
          void rep.status(result.status ?? r.status ?? 200);
          if (result.headers !== undefined) void rep.headers(result.headers);
          if (result.contentType !== undefined) void rep.type(result.contentType);
          return result.body === undefined ? rep.send() : rep.send(result.body);
        }
        return rep.status(r.status ?? 200).send(result);
      },
    });
  }

  registerSockets(app, {
    auth,
    ingest,
    live,
    logger,
    onReject,
    liveClients: (d) => metrics.liveClients.inc(d),
    ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
  });
  // the dashboard (apps/web) at `/`; registered last, its `/*` only catches what no route takes
  registerWebAssets(app);

  const sweeper = setInterval(
    () => {
      nodes
        .sweepOffline()
        .catch((e: unknown) =>
          logger.warn('offline sweep failed', { error: e instanceof Error ? e.message : String(e) }),
        );
      localizations.sweep().catch((e: unknown) =>
        logger.warn('localization deadline sweep failed', {
          error: e instanceof Error ? e.message : String(e),
        }),
      );
    },
    Math.min(10_000, Math.max(1000, offlineAfterMs / 4)),
  );
  sweeper.unref();

  let closing: Promise<void> | undefined;
  return {
    app,
    routes,
    auth,
    nodes,
    ingest,
    live,
    anomalies,
    anomalyModels,
    scanPlans,
    jobs,
    localizations,
    metrics,
    createdAdmin,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        await app.close();
        await ingest.close();
        await live.close();
      })();
      return closing;
    },
  };
}
