/**
 * Starts a whole server from configuration: the database (PGlite in the data folder, or
 * PostgreSQL), migrations, the bus (in-process, or NATS), the HTTP app, listening on `config.port`.
 * `stop()` closes everything in order (requests, pending ingest, bus, database).
 */
import type { Config } from '@heimdall/config';
import { openBus } from './bus/bus.factory.ts';
import { systemClock } from './clock.ts';
import type { Database } from './database/database.ts';
import { openStorage } from './database/database.factory.ts';
import { jsonLogger, type Logger } from './http/logger.ts';
import { createServer, type HeimdallServer, type ServerConfig, type ServerOptions } from './http/server.ts';
import { AnomalyMonitorService } from './anomalies/anomaly-monitor.service.ts';
import { AnomalyHistoryRetrainer } from './anomalies/anomaly-history-retrain.service.ts';

export interface RunningServer {
  readonly server: HeimdallServer;
  readonly db: Database;
  /** `http://host:port` it listens on. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Interface to listen on (default all). */
  readonly host?: string;
  readonly logger?: Logger;
  /** Tuning of the server's parts (tests and benches). */
  readonly server?: ServerOptions;
}

export async function startServer(
  config: ServerConfig &
    Pick<Config, 'dataDir' | 'databaseUrl' | 'natsUrl' | 'port' | 'logLevel'> &
    Partial<Pick<Config, 'anomalyRetrainDays'>>,
  options: StartOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? jsonLogger(config.logLevel);
  const storage = await openStorage(config);
  const { db } = storage;
  let bus;
  try {
    bus = await openBus(config, {
      onError: (error, context) =>
        logger.warn('bus handler failed', {
          event: context.event,
          error: error instanceof Error ? error.message : String(error),
        }),
    });
  } catch (e) {
    await db.close();
    throw e;
  }
  let server: HeimdallServer;
  let url: string;
  try {
    server = await createServer({
      config,
      db,
      bus,
      logger,
      ...(options.server === undefined ? {} : { options: options.server }),
    });
    // the tile worker starts before the first node can send: not with the first batch
    await server.ingest.tiles.prepare();
    url = await server.app.listen({ port: config.port, host: options.host ?? '0.0.0.0' });
  } catch (e) {
    await bus.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw e;
  }
  // the anomaly engine: learns each node from its frames, then stores what departs from normal
  const anomalyMonitor = new AnomalyMonitorService(bus, server.anomalies.repository, {
    models: server.anomalyModels.repository,
    onError: (error, nodeId) =>
      logger.warn('anomaly monitor', {
        node: nodeId,
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  await anomalyMonitor.start();
  // an operator's activation (rollback) applies at once
  server.anomalyModels.onActivated((m) => anomalyMonitor.useModel(m));
  // every node's model is retrained from its stored history on schedule
  const retrainDays = config.anomalyRetrainDays ?? 7;
  const retrainer =
    retrainDays > 0
      ? new AnomalyHistoryRetrainer(
          db,
          server.ingest.tiles,
          server.anomalyModels.repository,
          (m) => anomalyMonitor.useModel(m),
          systemClock,
          {
            periodMs: retrainDays * 86_400_000,
            onError: (error, nodeId) =>
              logger.warn('anomaly retraining from history', {
                node: nodeId,
                error: error instanceof Error ? error.message : String(error),
              }),
          },
        )
      : undefined;
  retrainer?.start();
  logger.info('server started', {
    url,
    database: db.kind,
    bus: bus.kind,
    migrations_applied: storage.migrations.applied,
    schema_version: storage.migrations.version,
  });
  let stopping: Promise<void> | undefined;
  return {
    server,
    db,
    url,
    stop() {
      stopping ??= (async () => {
        await retrainer?.stop();
        await anomalyMonitor.stop();
        await server.close();
        await bus.close();
        await db.close();
        logger.info('server stopped');
      })();
      return stopping;
    },
  };
}
