/**
 * The load side of the ingest bench, in its own process so the server under test has the other
 * core: 100 nodes' WebSockets and the live viewer. Reads `{ base, token, nodes, seconds, window }` as JSON
 * from argv[2], prints `{ acked, seconds, latencies }` as JSON. Capture times and arrival times both
 * come from `process.hrtime` (CLOCK_MONOTONIC, shared by the processes of one machine).
 */
import { decodeFrame, encodeSpectrumFrame } from '@heimdall/protocol';
import { WebSocket } from 'ws';

const BINS = 4096;

/** Sends frames for one node until `stopped()`, keeping `WINDOW` unacked; resolves with frames acked. */
function runNode(
  base: string,
  nodeId: string,
  apiKey: string,
  bins: Uint8Array,
  window: number,
  stopped: () => boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/api/v1/ingest`, { headers: { authorization: `Bearer ${apiKey}` } });
    const out = new Uint8Array(76 + bins.length);
    let next = 0;
    let acked = 0;
    const pump = () => {
      while (!stopped() && next - acked < window) {
        const frame = encodeSpectrumFrame(
          {
            nodeId,
            sequence: next++,
            captureTimeNs: process.hrtime.bigint(),
            centerHz: 100e6,
            sampleRateHz: 2.4e6,
            fftSize: bins.length,
            refDb: -120,
            stepDb: 0.5,
            bins,
          },
          out,
        );
        ws.send(frame); // ws copies the bytes before send returns
      }
      if (stopped() && acked >= next) ws.close();
    };
    ws.on('open', pump);
    ws.on('message', (data) => {
      const f = decodeFrame(new Uint8Array(data as Buffer));
      if (f.kind !== 'ack') return;
      acked = f.nextSequence;
      pump();
    });
    ws.on('close', () => resolve(acked));
    ws.on('error', reject);
  });
}

interface Job {
  readonly base: string;
  readonly token: string;
  readonly seconds: number;
  /** Frames a node keeps unacked. */
  readonly window: number;
  readonly nodes: readonly { readonly nodeId: string; readonly apiKey: string }[];
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const latencies: number[] = [];
const viewer = new WebSocket(`${job.base}/api/v1/live`, {
  headers: { authorization: `Bearer ${job.token}` },
});
await new Promise((resolve, reject) => viewer.once('open', resolve).once('error', reject));
viewer.on('message', (data, isBinary) => {
  if (!isBinary) return;
  const f = decodeFrame(new Uint8Array(data as Buffer));
  if (f.kind === 'spectrum') latencies.push(Number(process.hrtime.bigint() - f.captureTimeNs) / 1e6);
});
viewer.send(JSON.stringify({ type: 'subscribe', kinds: ['spectrum'] }));
await new Promise((r) => setTimeout(r, 200));

const bins = new Uint8Array(BINS);
for (let i = 0; i < BINS; i++) bins[i] = 40 + ((Math.imul(i, 2654435761) >>> 28) & 15);
let stop = false;
const timer = setTimeout(() => (stop = true), job.seconds * 1000);
const started = performance.now();
const counts = await Promise.all(
  job.nodes.map((n) => runNode(job.base, n.nodeId, n.apiKey, bins, job.window, () => stop)),
);
const seconds = (performance.now() - started) / 1000;
clearTimeout(timer);
await new Promise((r) => setTimeout(r, 200));
viewer.close();
process.stdout.write(JSON.stringify({ acked: counts.reduce((a, b) => a + b, 0), seconds, latencies }));
