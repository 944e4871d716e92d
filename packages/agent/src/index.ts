export * from './rtl-tcp/rtl-tcp.protocol.ts';
export * from './rtl-tcp/rtl-tcp.server.ts';
export type { TunableSource } from './rtl-tcp/tunable-source.ts';
export { SimSource } from './sim/sim-source.ts';
export { loadScenario } from './sim/scenario-file.ts';
export * from './sim/sim-run.service.ts';
export type * from './edge.contract.ts';
export * from './agent-logger.ts';
export * from './spool/spool.ts';
export * from './uplink/uplink.ts';
export * from './node/agent-runner.ts';
export * from './node/credentials.ts';
export * from './node/enrollment.ts';
export * from './node/heartbeat.ts';
export * from './node/scan-plan-sync.ts';
export * from './node/server-api.ts';
export { createEdge, DEFAULT_BAND, layoutPlan, type CreateEdgeOptions } from './edge/edge.ts';
export { systemEdgeClock, toEdgeLogger, type EdgeClock, type EdgeLogger } from './edge/edge-clock.ts';
export * from './receivers/receiver-url.ts';
export { createReceiver } from './receivers/create-receiver.ts';
export type { Capture, CaptureRequest, Receiver, ReceiverCapabilities } from './receivers/receiver.ts';
export * from './scan/scan-plan.ts';
export { layoutBand, type BandLayout, type Hop, type LayoutOptions } from './scan/band-layout.ts';
export type { IqSnippet, SnippetRequest } from './receivers/receiver.ts';
export {
  JobRunner,
  describeJobError,
  type JobRunnerOptions,
  type JobRunnerStatus,
} from './jobs/job-runner.ts';
export {
  HttpJobApi,
  cf32Bytes,
  type JobApi,
  type ReportOutcome,
  type SnippetReceipt,
} from './jobs/job-api.ts';
export { MAX_SNIPPET_SAMPLES, runLocalizationCapture } from './jobs/localization-capture.job.ts';
