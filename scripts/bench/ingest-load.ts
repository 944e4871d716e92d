/**
 * The load side of the ingest bench, in its own process so the server under test has a core of
 * its own: 100 nodes' WebSockets and the live viewer. Reads a {@link Job} as JSON from argv[2],
 * prints `{ acked, sent, seconds, latencies }` as JSON: frames acked and latencies of the measured
 * seconds, after the warm-up.
 *
 * Two ways to load the server:
 * - closed loop (`rate` unset): each node keeps `window` frames unacked and sends the next one as
 *   soon as an ack makes room: the most the server can take, but frames leave in bursts.
 * - open loop (`rate` set): the nodes together capture `rate` frames/s at an even pace, as real
 *   receivers do, each keeping at most `window` unacked (the rest wait, as in an agent's spool).
 *   A frame's capture time is when it was due, not when it could leave: if the server falls
 *   behind, the waiting shows in the latency instead of hiding it (no coordinated omission).
 *
 * Capture times and arrival times both come from `process.hrtime` (CLOCK_MONOTONIC, shared by the
 * processes of one machine).
 */
import { decodeFrame, decodeHeader, encodeSpectrumFrame } from '@heimdall/protocol';
import { WebSocket } from 'ws';
import { syntheticSpectra } from './synthetic-spectra.ts';

/** Distinct spectra per node, cycled (more than deflate's 32 KiB window holds). */
const POOL = 64;

interface Job {
  readonly base: string;
  readonly token: string;
  readonly seconds: number;
  /**
   * Seconds of the same load before `seconds` are measured: a server's steady state is what its
   * users live with, not its first seconds (cold code, buffers growing to their working size).
   */
  readonly warmup: number;
  /** Frames a node keeps unacked. */
  readonly window: number;
  /** Frames per second offered by all nodes together (open loop); unset: closed loop. */
  readonly rate?: number;
  readonly nodes: readonly { readonly nodeId: string; readonly apiKey: string }[];
}

interface NodeLoad {
  /** Frames acked when the node stopped. */
  readonly acked: Promise<number>;
  /** Frames sent so far. */
  sent(): number;
  /** Frames acked so far. */
  ackedNow(): number;
}

/**
 * One node: sends frames while `running()`; `due()` says how many frames it has captured so far
 * (Infinity in closed loop) and `dueTimeNs(k)` when frame k was captured.
 */
function runNode(
  job: Job,
  node: Job['nodes'][number],
  spectra: readonly { readonly codes: Uint8Array; readonly refDb: number }[],
  due: () => number,
  dueTimeNs: (sequence: number) => bigint,
  running: () => boolean,
  onPump: (pump: () => void) => void,
): NodeLoad {
  let next = 0;
  let acked = 0;
  const acking = new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(`${job.base}/api/v1/ingest`, {
      headers: { authorization: `Bearer ${node.apiKey}` },
      perMessageDeflate: false,
    });
    const bins = (spectra[0] as { codes: Uint8Array }).codes.length;
    const out = new Uint8Array(76 + bins);
    let open = false;
    const pump = () => {
      if (!open) return;
      const limit = Math.min(due(), acked + job.window);
      while (running() && next < limit) {
        const s = spectra[next % spectra.length] as { codes: Uint8Array; refDb: number };
        const frame = encodeSpectrumFrame(
          {
            nodeId: node.nodeId,
            sequence: next,
            captureTimeNs: dueTimeNs(next),
            centerHz: 100e6,
            sampleRateHz: 2.4e6,
            fftSize: bins,
            refDb: s.refDb,
            stepDb: 0.5,
            bins: s.codes,
          },
          out,
        );
        next++;
        ws.send(frame); // ws copies the bytes before send returns
      }
      if (!running() && acked >= next) ws.close();
    };
    onPump(pump);
    ws.on('open', () => {
      open = true;
      pump();
    });
    ws.on('message', (data) => {
      const f = decodeFrame(new Uint8Array(data as Buffer));
      if (f.kind !== 'ack') return;
      acked = f.nextSequence;
      pump();
    });
    ws.on('close', () => resolve(acked));
    ws.on('error', reject);
  });
  return { acked: acking, sent: () => next, ackedNow: () => acked };
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const latencies: number[] = [];
/** Frames captured before this (the warm-up) are not measured. */
let measureFromNs = 0n;
const viewer = new WebSocket(`${job.base}/api/v1/live`, {
  headers: { authorization: `Bearer ${job.token}` },
  perMessageDeflate: false,
});
await new Promise((resolve, reject) => viewer.once('open', resolve).once('error', reject));
viewer.on('message', (data, isBinary) => {
  if (!isBinary) return;
  // the header and the capture time are all the latency needs: the viewer's decode stays light,
  // so the load process leaves the server as much of the machine as it can
  const bytes = new Uint8Array(data as Buffer);
  if (decodeHeader(bytes).kind !== 'spectrum') return;
  const captureNs = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigInt64(36, true);
  if (captureNs < measureFromNs) return;
  latencies.push(Number(process.hrtime.bigint() - captureNs) / 1e6);
});
viewer.send(JSON.stringify({ type: 'subscribe', kinds: ['spectrum'] }));
await new Promise((r) => setTimeout(r, 200));

const pools = job.nodes.map((_, i) => syntheticSpectra(1000 + i, POOL));
let stop = false;
const startNs = process.hrtime.bigint();
measureFromNs = startNs + BigInt(Math.round(job.warmup * 1e9));
let started = performance.now();
let ackedBefore = 0;
const pumps: (() => void)[] = [];
const perNode = job.rate === undefined ? 0 : job.rate / job.nodes.length;
const loads = job.nodes.map((n, i) => {
  // nodes' capture clocks are spread over one frame interval, as independent receivers' are
  const phaseNs =
    perNode > 0 ? (BigInt(Math.round(1e9 / perNode)) * BigInt(i)) / BigInt(job.nodes.length) : 0n;
  const intervalNs = perNode > 0 ? 1e9 / perNode : 0;
  return runNode(
    job,
    n,
    pools[i] as ReturnType<typeof syntheticSpectra>,
    perNode > 0
      ? () => Math.floor((Number(process.hrtime.bigint() - startNs - phaseNs) / 1e9) * perNode) + 1
      : () => Infinity,
    perNode > 0
      ? (k) => startNs + phaseNs + BigInt(Math.round(k * intervalNs))
      : () => process.hrtime.bigint(),
    () => !stop,
    (pump) => pumps.push(pump),
  );
});
// open loop: a pacing tick releases the frames that came due since the last one
const ticker = perNode > 0 ? setInterval(() => pumps.forEach((p) => p()), 2) : undefined;
const warm = setTimeout(() => {
  started = performance.now();
  ackedBefore = loads.reduce((a, l) => a + l.ackedNow(), 0);
}, job.warmup * 1000);
const timer = setTimeout(
  () => {
    stop = true;
    if (ticker !== undefined) clearInterval(ticker);
    pumps.forEach((p) => p());
  },
  (job.warmup + job.seconds) * 1000,
);
const counts = await Promise.all(loads.map((l) => l.acked));
const seconds = (performance.now() - started) / 1000;
clearTimeout(timer);
clearTimeout(warm);
await new Promise((r) => setTimeout(r, 200));
viewer.close();
process.stdout.write(
  JSON.stringify({
    acked: counts.reduce((a, b) => a + b, 0) - ackedBefore,
    sent: loads.reduce((a, l) => a + l.sent(), 0),
    seconds,
    latencies,
  }),
);
