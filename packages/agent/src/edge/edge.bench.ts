/**
 * Edge pipeline throughput (decode -> Welch PSD -> detect -> quantize -> encode) on one core, for
 * continuous streams: every sample of the stream goes into a frame (10 frames/s, averaging all the
 * segments of 0.1 s). `npm run bench -- agent` prints it beside the bare Welch kernel on the same
 * bytes and as the share of one core each receiver needs at real time. Not a test: speed is
 * measured, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { bytesPerSample, Welch, type SampleFormat } from '@heimdall/dsp';
import { encodeDetections, encodeSpectrumFrame } from '@heimdall/protocol';
import type { ReceiverCapabilities } from '../receivers/receiver.ts';
import { layoutBand } from '../scan/band-layout.ts';
import { createEdge } from './edge.ts';
import { BandProcessor } from './band-processor.ts';

export interface StreamBenchOptions {
  readonly sampleRate: number;
  readonly fftSize: number;
  readonly format: SampleFormat;
  /** Frames per second (default 10). */
  readonly framesPerSecond?: number;
}

export interface StreamBenchResult {
  /** Pipeline throughput, mega-samples per second on one core. */
  readonly msps: number;
  /** The bare Welch kernel (float32) on the same bytes. */
  readonly welchMsps: number;
  /** Share of one core the stream needs at real time, %. */
  readonly corePercent: number;
  /** Signals the detector followed (the test stream holds three carriers). */
  readonly detections: number;
}

/** Deterministic bytes: noise at about -40 dBFS per sample, three carriers, a wide signal. */
function streamBytes(format: SampleFormat, samples: number): Uint8Array {
  const bps = bytesPerSample(format);
  const bytes = new Uint8Array(samples * bps);
  let seed = 2463534242;
  const rnd = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296 - 0.5;
  };
  for (let i = 0; i < samples; i++) {
    let re = 0.04 * (rnd() + rnd() + rnd());
    let im = 0.04 * (rnd() + rnd() + rnd());
    for (const [f, a] of [
      [0.0713, 0.2],
      [-0.2211, 0.05],
      [0.3105, 0.02],
    ] as const) {
      re += a * Math.cos(2 * Math.PI * f * i);
      im += a * Math.sin(2 * Math.PI * f * i);
    }
    if (format === 'cu8') {
      bytes[2 * i] = Math.max(0, Math.min(255, Math.floor(re * 128 + 128)));
      bytes[2 * i + 1] = Math.max(0, Math.min(255, Math.floor(im * 128 + 128)));
    } else if (format === 'ci8') {
      bytes[2 * i] = Math.max(-128, Math.min(127, Math.round(re * 128))) & 0xff;
      bytes[2 * i + 1] = Math.max(-128, Math.min(127, Math.round(im * 128))) & 0xff;
    } else {
      throw new Error(`benchEdgeStream: no generator for ${format}`);
    }
  }
  return bytes;
}

const NODE = '00000000-0000-4000-8000-000000000000';

export async function benchEdgeStream(o: StreamBenchOptions): Promise<StreamBenchResult> {
  const fps = o.framesPerSecond ?? 10;
  const perFrame = Math.floor(o.sampleRate / fps);
  const averaging = Math.floor((perFrame - o.fftSize) / (o.fftSize / 2)) + 1;
  const caps: ReceiverCapabilities = {
    tunable: true,
    sampleRate: o.sampleRate,
    centerHz: undefined,
    frequencyRange: [0, 1e11],
    format: o.format,
    dcGuardBins: 1,
    realTime: true,
  };
  const layout = layoutBand(
    {
      centerHz: 433.92e6,
      spanHz: o.sampleRate,
      fftSize: o.fftSize,
      framesPerSecond: fps,
      averaging,
      thresholdDb: 10,
    },
    0,
    caps,
  );
  const frames = 8;
  const bytes = streamBytes(o.format, layout.captureSamples * frames);
  const frameBytes = layout.captureSamples * bytesPerSample(o.format);
  const proc = new BandProcessor(layout, caps);
  let detections = 0;
  let seq = 0;
  const pass = (): number => {
    const t0 = performance.now();
    for (let k = 0; k < frames; k++) {
      proc.begin();
      const capture = bytes.subarray(k * frameBytes, (k + 1) * frameBytes);
      proc.addHop(0, { bytes: capture, centerHz: 433.92e6, timeNs: BigInt(k) * 100_000_000n });
      const out = proc.finish();
      encodeSpectrumFrame({ ...out.spectrum, nodeId: NODE, sequence: seq++ });
      if (out.detections !== null) encodeDetections({ ...out.detections, nodeId: NODE, sequence: seq++ });
    }
    return (performance.now() - t0) / 1000;
  };
  pass(); // warm-up
  let best = Infinity;
  for (let i = 0; i < 4; i++) {
    best = Math.min(best, pass());
    await Promise.resolve();
  }
  detections = proc.flush()?.detections.length ?? 0;
  proc.dispose();
  const welch = new Welch({ fftSize: o.fftSize, format: o.format, precision: 'single' });
  welch.push(bytes);
  let welchBest = Infinity;
  for (let i = 0; i < 4; i++) {
    welch.reset();
    const t0 = performance.now();
    welch.push(bytes);
    welchBest = Math.min(welchBest, (performance.now() - t0) / 1000);
    await Promise.resolve();
  }
  welch.dispose();
  const msps = (layout.captureSamples * frames) / best / 1e6;
  return {
    msps,
    welchMsps: (layout.captureSamples * frames) / welchBest / 1e6,
    corePercent: (100 * o.sampleRate) / 1e6 / msps,
    detections,
  };
}

/**
 * CPU of simulated edges as the demo runs them: every node of the built-in demo scenario with its
 * default plan (one band at its tuning, 5 frames/s, 16 segments of 2048), for `seconds` of wall
 * time, in this process. Returns the share of one core all of them took together, %.
 */
export async function benchDemoEdges(
  seconds: number,
): Promise<{ nodes: number; corePercent: number; frames: number }> {
  const nodes = ['twente', 'enschede', 'doorn', 'hack-green', 'bratislava', 'graz', 'linkoping'];
  const edges = nodes.map((n) => createEdge({ url: `sim://demo#${n}` }));
  let frames = 0;
  const stop = new AbortController();
  const sink = { push: (): void => void frames++ };
  // let the first frames (scenario compilation, JIT) pass before measuring
  const runs = edges.map((e) => e.run(sink, stop.signal));
  await new Promise((r) => setTimeout(r, 1000));
  const cpu0 = process.cpuUsage();
  const f0 = frames;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  const got = frames - f0;
  stop.abort();
  await Promise.all(runs);
  return { nodes: nodes.length, corePercent: ((cpu.user + cpu.system) / 1e6 / wall) * 100, frames: got };
}
