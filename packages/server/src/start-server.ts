/**
 * Starts a whole server from configuration: the database (PGlite in the data folder, or
 * PostgreSQL), migrations, the bus (in-process, or NATS), the HTTP app, listening on `config.port`.
 * `stop()` closes everything in order (requests, pending ingest, bus, database).
 */
import type { Config } from '@heimdall/config';
import { openBus } from './bus/bus.factory.ts';
import type { Database } from './database/database.ts';
import { openStorage } from './database/database.factory.ts';
import { jsonLogger, type Logger } from './http/logger.ts';
import { createServer, type HeimdallServer } from './http/server.ts';

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
}

export async function startServer(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'natsUrl' | 'port' | 'adminPassword' | 'logLevel'>,
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
    server = await createServer({ config, db, bus, logger });
    url = await server.app.listen({ port: config.port, host: options.host ?? '0.0.0.0' });
  } catch (e) {
    await bus.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw e;
  }
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
        await server.close();
        await bus.close();
        await db.close();
        logger.info('server stopped');
      })();
      return stopping;
    },
  };
}
