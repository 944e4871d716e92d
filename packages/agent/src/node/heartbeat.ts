/**
 * Heartbeats: every interval the agent tells the server how the node is (host, receiver, spool,
 * clock) via `POST /api/v1/nodes/:id/heartbeats`. Counters (sample drops, overruns, spool drops)
 * are sent as the change since the previous heartbeat the server took, so a failed post loses
 * nothing: its counts go with the next one.
 */
import type { HeartbeatInput } from '@heimdall/protocol';
import type { ReceiverStatus } from '../edge.contract.ts';
import type { SpoolStats } from '../spool/spool.ts';
import type { SystemHealth } from './system-health.ts';

export interface HeartbeatSources {
  readonly system: SystemHealth;
  readonly receiver: ReceiverStatus;
  readonly spool: SpoolStats;
  readonly agentVersion: string;
  readonly time: Date;
}

/** Totals at the last heartbeat the server accepted. */
export interface HeartbeatBaseline {
  readonly sampleDrops: number;
  readonly overruns: number;
  readonly spoolDropped: number;
}

export const ZERO_BASELINE: HeartbeatBaseline = { sampleDrops: 0, overruns: 0, spoolDropped: 0 };

const delta = (now: number, before: number) => Math.max(0, Math.round(now - before));

/** The heartbeat body, counters relative to `since`. */
export function buildHeartbeat(s: HeartbeatSources, since: HeartbeatBaseline): HeartbeatInput {
  return {
    time: s.time.toISOString(),
    cpu_percent: s.system.cpuPercent === null ? null : Math.round(s.system.cpuPercent * 10) / 10,
    memory_used_bytes: s.system.memoryUsedBytes,
    memory_total_bytes: s.system.memoryTotalBytes,
    disk_free_bytes: s.system.diskFreeBytes,
    temperature_c: s.system.temperatureC,
    sample_drops: delta(s.receiver.sampleDrops, since.sampleDrops),
    overruns: delta(s.receiver.overruns, since.overruns),
    clock_source: s.receiver.clockSource,
    clock_offset_ms: s.receiver.clockOffsetMs,
    agent_version: s.agentVersion,
    receiver_state: s.receiver.state,
    receiver_message: s.receiver.message === null ? null : s.receiver.message.slice(0, 500),
    spool_frames: s.spool.frames,
    spool_bytes: s.spool.bytes,
    spool_dropped: delta(s.spool.dropped, since.spoolDropped),
  };
}

/** The totals a heartbeat built from `s` reported up to. */
export function baselineOf(s: HeartbeatSources): HeartbeatBaseline {
  return {
    sampleDrops: s.receiver.sampleDrops,
    overruns: s.receiver.overruns,
    spoolDropped: s.spool.dropped,
  };
}
