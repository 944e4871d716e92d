/** Test helpers for the edge: a scenario with one known emitter, a collecting sink, frame peaks. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binFrequencyHz, dequantizeDb, type SpectrumFrame } from '@heimdall/protocol';
import type { Edge, FrameSink, OutgoingFrame } from '../edge.contract.ts';

/** The frequency of the steady carrier in {@link labScenario}. */
export const TONE_HZ = 100.3e6;

/**
 * One node "lab" tuned to 100 MHz (2.4 MS/s, exact LO, a DC spike at -40 dBFS) and one steady CW
 * carrier 1 km away at {@link TONE_HZ}, about 30 dB over the noise in a bin. Returns the file path.
 */
export function labScenario(): string {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-edge-'));
  const path = join(dir, 'lab.yaml');
  writeFileSync(
    path,
    `name: lab
seed: 7
nodes:
  - { name: lab, latitude: 52.0, longitude: 5.0, center_frequency: 100 MHz, sample_rate: 2.4M,
      gain_db: 30, ppm: 0, dc_offset_dbfs: -30, clock: gps }
emitters:
  - { name: tone, latitude: 52.009, longitude: 5.0, frequency: ${TONE_HZ}, power_dbm: 0,
      modulation: { type: cw, keying: none }, schedule: always }
`,
  );
  return path;
}

export type EdgeFrame = Omit<SpectrumFrame, 'nodeId' | 'sequence'>;

/** A sink that keeps every frame. */
export function collectingSink(): FrameSink & { frames: OutgoingFrame[]; spectra(): EdgeFrame[] } {
  const frames: OutgoingFrame[] = [];
  return {
    frames,
    push: (f) => frames.push(f),
    spectra: () => frames.filter((f): f is EdgeFrame => f.kind === 'spectrum'),
  };
}

/** A running edge: its frames, the signal that stops it, and `stop()` (aborts and waits for run()). */
export interface RunningEdge {
  readonly sink: ReturnType<typeof collectingSink>;
  readonly signal: AbortSignal;
  stop(): Promise<void>;
}

/** Starts `edge` into a {@link collectingSink}. */
export function startEdge(edge: Edge): RunningEdge {
  const sink = collectingSink();
  const ctl = new AbortController();
  const running = edge.run(sink, ctl.signal);
  return {
    sink,
    signal: ctl.signal,
    async stop() {
      ctl.abort();
      await running;
    },
  };
}

/** Runs `edge` until `until()` holds or `timeoutMs` passes; resolves after run() returned. */
export async function runUntil(
  edge: Edge,
  sink: FrameSink,
  until: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const stop = new AbortController();
  const started = Date.now();
  const poll = setInterval(() => {
    if (until() || Date.now() - started > timeoutMs) stop.abort();
  }, 10);
  try {
    await edge.run(sink, stop.signal);
  } finally {
    clearInterval(poll);
  }
}

/** dB per frame bin, and the bin of the strongest. */
export function levels(f: EdgeFrame): { db: Float32Array; peak: number; peakHz: number; binHz: number } {
  const db = dequantizeDb(f.bins, f.stepDb, f.refDb);
  let peak = 0;
  for (let i = 1; i < db.length; i++) if ((db[i] as number) > (db[peak] as number)) peak = i;
  const binHz = f.sampleRateHz / f.bins.length;
  return { db, peak, peakHz: binFrequencyHz(f, peak), binHz };
}

/** Median of a range of values. */
export function median(v: Float32Array | Float64Array): number {
  const s = Float64Array.from(v).sort();
  return s[s.length >> 1] as number;
}
