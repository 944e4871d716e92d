/**
 * The Heimdall server's foundations: storage (PGlite or PostgreSQL behind one port, one set of
 * migrations), repositories, spectrum history tiles, and the event bus (in-process or NATS).
 *
 * Test matrices (they import `node:test`, so they are not exported here): `forEachDatabase` in
 * `database/for-each-database.ts`, `forEachBus` in `bus/for-each-bus.ts`.
 */
export type {
  ColumnSpec,
  ColumnType,
  Database,
  DatabaseKind,
  InsertValue,
  Queryable,
  QueryResult,
  Row,
  SqlParam,
} from './database/database.ts';
export {
  openDatabase,
  openStorage,
  embeddedDatabaseDir,
  type DatabaseConfig,
  type Storage,
} from './database/database.factory.ts';
export { openPglite, type PgliteOptions } from './database/pglite.database.ts';
export { openPostgres, redact, type PostgresOptions } from './database/postgres.database.ts';
export { ensureTimescale, HYPERTABLES, type TimescaleReport } from './database/timescale.ts';
export { isoColumn, usColumn, usParam } from './database/sql-time.ts';
export {
  loadMigrations,
  migrate,
  MIGRATIONS_DIR,
  type Migration,
  type MigrationReport,
} from './migrations.ts';

export { decodeCursor, encodeCursor } from './repositories/cursor.ts';
export {
  NodeRepository,
  type IngestCounts,
  type NewNode,
  type NodeRepositoryOptions,
} from './repositories/node.repository.ts';
export { HeartbeatRepository } from './repositories/heartbeat.repository.ts';
export { DetectionRepository, type NewDetection } from './repositories/detection.repository.ts';
export { AnomalyRepository, type NewAnomaly } from './repositories/anomaly.repository.ts';
export { AnomalyService } from './anomalies/anomaly.service.ts';
export { ScanPlanRepository } from './repositories/scan-plan.repository.ts';
export { desiredPlan } from './scan-plans/desired-plan.ts';
export { JobRepository, type NewJob } from './repositories/job.repository.ts';
export { JobService } from './jobs/job.service.ts';
export {
  LocalizationService,
  MAX_SNIPPET_BYTES,
  type LocalizationServiceOptions,
} from './localization/localization.service.ts';
export {
  SpectrumTileRepository,
  type BandKey,
  type BandRecord,
  type TileRecord,
} from './repositories/spectrum-tile.repository.ts';

export {
  findGaps,
  inflateTile,
  SpectrumTileStore,
  type FlushReport,
  type SpectrumTileStoreOptions,
  type TileQuery,
  type TileResult,
} from './spectrum/spectrum-tiles.ts';
export {
  BandRollup,
  rollUpTiles,
  type ClosedTile,
  type FinerTile,
  type RollupOptions,
} from './spectrum/tile-rollup.ts';

export type {
  Bus,
  BusErrorReporter,
  Handler,
  MessageMeta,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './bus/bus.ts';
export { reportToStderr } from './bus/bus.ts';
export {
  EVENT_CODECS,
  EVENT_NAMES,
  nodeStatusEventSchema,
  type EventCodec,
  type EventMap,
  type EventName,
} from './bus/event-map.ts';
export { createInProcessBus, InProcessHub, type InProcessBusOptions } from './bus/in-process.bus.ts';
export { createNatsBus, type NatsBusOptions } from './bus/nats.bus.ts';
export { openBus } from './bus/bus.factory.ts';
export { idempotent, RecentIds, type IdempotentOptions } from './bus/dedupe.ts';

export {
  createServer,
  API_VERSION,
  type HeimdallServer,
  type ServerConfig,
  type ServerDeps,
  type ServerOptions,
} from './http/server.ts';
export { startServer, type RunningServer, type StartOptions } from './start-server.ts';
export { jsonLogger, silentLogger, type Logger } from './http/logger.ts';
export type { Route, RouteRole } from './http/route.ts';
export type { Clock } from './clock.ts';
