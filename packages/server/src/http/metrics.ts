/** Prometheus metrics of one server instance (`GET /metrics`), on its own registry. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'heimdall_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly ingestFrames = new Counter({
    name: 'heimdall_ingest_frames_total',
    help: 'Frames stored by the ingest, by message kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly ingestDuplicates = new Counter({
    name: 'heimdall_ingest_duplicates_total',
    help: 'Frames dropped as duplicates (same node and sequence).',
    registers: [this.registry],
  });
  readonly ingestGaps = new Counter({
    name: 'heimdall_ingest_sequence_gaps_total',
    help: 'Sequence gaps seen by the ingest (a frame arrived after a skipped sequence).',
    registers: [this.registry],
  });
  readonly ingestRejected = new Counter({
    name: 'heimdall_ingest_rejected_total',
    help: 'Frames refused by the ingest, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly ingestCommit = new Histogram({
    name: 'heimdall_ingest_commit_duration_seconds',
    help: 'Time to make one ingest batch durable.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly liveClients = new Gauge({
    name: 'heimdall_live_clients',
    help: 'Connected live API clients.',
    registers: [this.registry],
  });
  readonly liveDropped = new Counter({
    name: 'heimdall_live_dropped_frames_total',
    help: 'Spectrum frames not sent to a slow live client (it gets newer ones instead).',
    registers: [this.registry],
  });

  /*
   * prom-client's default Node metrics are not used: three of them (active handles, requests,
   * resources) are gauges named `_total`, which `promtool check metrics` rejects.
   */
  readonly residentMemory = new Gauge({
    name: 'heimdall_process_resident_memory_bytes',
    help: 'Resident memory of the server process.',
    registers: [this.registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  readonly heapUsed = new Gauge({
    name: 'heimdall_process_heap_used_bytes',
    help: 'V8 heap in use.',
    registers: [this.registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  readonly uptime = new Gauge({
    name: 'heimdall_process_uptime_seconds',
    help: 'Seconds since the server process started.',
    registers: [this.registry],
    collect() {
      this.set(process.uptime());
    },
  });
}
