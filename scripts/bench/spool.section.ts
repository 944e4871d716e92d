/**
 * The agent's store-and-forward path: how fast the spool takes frames (encode + CRC + append, with
 * its 100 ms fdatasync timer running), next to plain appends of the same bytes; and how fast a
 * backlog drains through the uplink into a real server on the embedded default (PGlite on disk)
 * after an outage: one node, 4096-bin frames, acks meaning durable.
 *
 * What it must beat: an edge makes 5-10 frames/s per band (40 kB/s at 4096 bins), so the spool
 * needs only that; a backlog of an hour (36,000 frames at 10/s) should drain in well under a minute.
 */
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@heimdall/config';
import { Spool } from '../../packages/agent/src/spool/spool.ts';
import { encodeRecord } from '../../packages/agent/src/spool/spool-record.ts';
import { testFrame } from '../../packages/agent/src/spool/test-frames.ts';
import { Uplink } from '../../packages/agent/src/uplink/uplink.ts';
import { enroll } from '../../packages/agent/src/node/enrollment.ts';
import { silentLogger } from '../../packages/server/src/http/logger.ts';
import { startServer } from '../../packages/server/src/start-server.ts';
import { encodeFrame, type Frame } from '@heimdall/protocol';
import { printTable } from './table.ts';

const BINS = 4096;
const PUSHES = 20_000;
const BACKLOG = 10_000;
const NODE = '6f1c2a4e-1b2c-4d5e-8f90-123456789abc';

function pushRate(): { framesPerS: number; mbPerS: number } {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-bench-spool-'));
  const frames = Array.from({ length: 64 }, (_, i) => testFrame(i, BINS));
  const spool = Spool.open({ dir, nodeId: NODE, capBytes: 4 * 2 ** 30 });
  const t0 = performance.now();
  for (let i = 0; i < PUSHES; i++) spool.push(frames[i % 64] as (typeof frames)[number]);
  spool.sync();
  const s = (performance.now() - t0) / 1000;
  const bytes = spool.stats().bytes;
  spool.close();
  rmSync(dir, { recursive: true, force: true });
  return { framesPerS: PUSHES / s, mbPerS: bytes / s / 1e6 };
}

/** The reference: the same records, already encoded, appended with one write each and one fdatasync. */
function plainAppendRate(): { framesPerS: number; mbPerS: number } {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-bench-append-'));
  const record = encodeRecord(encodeFrame({ ...testFrame(0, BINS), nodeId: NODE, sequence: 0 } as Frame));
  const fd = openSync(join(dir, 'plain'), 'w');
  const t0 = performance.now();
  for (let i = 0; i < PUSHES; i++) writeSync(fd, record);
  closeSync(fd);
  const s = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return { framesPerS: PUSHES / s, mbPerS: (record.length * PUSHES) / s / 1e6 };
}

async function drainRate(): Promise<{ framesPerS: number; seconds: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'heimdall-bench-drain-'));
  const config = { ...loadConfig({ HEIMDALL_DATA_DIR: dataDir }), port: 0, adminPassword: 'bench-password' };
  const running = await startServer(config, { host: '127.0.0.1', logger: silentLogger });
  try {
    const { token } = await running.server.nodes.createEnrollmentToken(undefined, {});
    const creds = await enroll({ serverUrl: running.url, token, name: 'bench-drain' });
    const spool = Spool.open({ dir: join(dataDir, 'spool'), nodeId: creds.nodeId, capBytes: 4 * 2 ** 30 });
    for (let i = 0; i < BACKLOG; i++) spool.push(testFrame(i, BINS));
    spool.sync();
    const stop = new AbortController();
    const uplink = new Uplink({ serverUrl: running.url, apiKey: creds.apiKey, nodeId: creds.nodeId, spool });
    const t0 = performance.now();
    const done = uplink.run(stop.signal);
    while (spool.stats().frames > 0) await new Promise((r) => setTimeout(r, 10));
    const seconds = (performance.now() - t0) / 1000;
    stop.abort();
    await done;
    spool.close();
    return { framesPerS: BACKLOG / seconds, seconds };
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runSpoolBench(): Promise<void> {
  const push = pushRate();
  const plain = plainAppendRate();
  printTable(
    ['what', 'frames', 'bins', 'frames/s', 'MB/s'],
    [
      [
        'spool.push (encode, CRC, append, fsync timer)',
        String(PUSHES),
        String(BINS),
        push.framesPerS.toFixed(0),
        push.mbPerS.toFixed(1),
      ],
      [
        'reference: plain append of the same records',
        String(PUSHES),
        String(BINS),
        plain.framesPerS.toFixed(0),
        plain.mbPerS.toFixed(1),
      ],
    ],
  );
  const drain = await drainRate();
  console.log('');
  printTable(
    ['backlog frames', 'bins', 'drained in s', 'frames/s (acked, durable)'],
    [[String(BACKLOG), String(BINS), drain.seconds.toFixed(1), drain.framesPerS.toFixed(0)]],
  );
  console.log(
    '(an edge makes 5-10 frames/s per band; goal: an hour of backlog (36,000 frames) drains in under a minute)',
  );
}
