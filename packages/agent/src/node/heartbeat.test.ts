import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heartbeatInputSchema } from '@heimdall/protocol';
import type { ReceiverStatus } from '../edge.contract.ts';
import { baselineOf, buildHeartbeat, ZERO_BASELINE, type HeartbeatSources } from './heartbeat.ts';

function sources(
  drops: number,
  overruns: number,
  spoolDropped: number,
  receiver: Partial<ReceiverStatus> = {},
) {
  const s: HeartbeatSources = {
    system: {
      cpuPercent: 12.345,
      memoryUsedBytes: 1e9,
      memoryTotalBytes: 4e9,
      diskFreeBytes: 5e10,
      temperatureC: null,
    },
    receiver: {
      state: 'streaming',
      message: null,
      url: 'rtl-tcp://10.0.0.5:1234',
      sampleDrops: drops,
      overruns,
      clockSource: 'ntp',
      clockOffsetMs: 1.5,
      ...receiver,
    },
    spool: {
      frames: 3,
      bytes: 4096,
      dropped: spoolDropped,
      quarantined: 0,
      nextSequence: 10,
      ackFloor: 7,
      writeErrors: 0,
    },
    agentVersion: '0.1.0',
    time: new Date('2026-06-01T12:00:00Z'),
  };
  return s;
}

describe('heartbeats', () => {
  it('make a body the server accepts, with counters since the last heartbeat the server took', () => {
    const first = sources(100, 2, 0);
    const hb = buildHeartbeat(first, ZERO_BASELINE);
    assert.ok(heartbeatInputSchema.safeParse(hb).success);
    assert.equal(hb.sample_drops, 100);
    assert.equal(hb.cpu_percent, 12.3);
    assert.equal(hb.spool_frames, 3);
    // the next post fails: its counts are not lost, the one after carries them
    const failed = sources(150, 3, 5);
    const later = sources(170, 3, 5, {
      state: 'stalled',
      message: 'rtl_tcp at 10.0.0.5:1234 sent nothing for 3 s',
    });
    const next = buildHeartbeat(later, baselineOf(first));
    assert.equal(next.sample_drops, 70);
    assert.equal(next.overruns, 1);
    assert.equal(next.spool_dropped, 5);
    assert.equal(next.receiver_state, 'stalled');
    assert.match(String(next.receiver_message), /sent nothing/);
    assert.equal(buildHeartbeat(failed, baselineOf(later)).sample_drops, 0, 'never negative');
  });
});
