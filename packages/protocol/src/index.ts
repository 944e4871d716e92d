/**
 * Wire contracts shared by agent, server and web: the binary frame codec, quantization, the
 * spectrum tile layout, and the zod schemas of the REST API. Pure: no `node:*`, no I/O.
 */
export * from './frame-error.ts';
export * from './frame-codec.ts';
export * from './quantize.ts';
export * from './tile-codec.ts';
export * from './page.schema.ts';
export * from './time.schema.ts';
export * from './node.schema.ts';
export * from './auth.schema.ts';
export * from './heartbeat.schema.ts';
export * from './detection.schema.ts';
export * from './spectrum.schema.ts';
export * from './anomaly.schema.ts';
export * from './anomaly-model.schema.ts';
export * from './job.schema.ts';
export * from './scan-plan.schema.ts';
export * from './query-list.schema.ts';
export * from './localization.schema.ts';
