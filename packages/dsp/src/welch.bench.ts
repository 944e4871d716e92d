/**
 * In-memory Welch throughput of the hot path (decode + window + FFT + |X|^2 accumulate), one core.
 * `npm run bench` prints it beside FFTW and scipy. Not a test: speed is measured, never asserted.
 */
import { performance } from 'node:perf_hooks';
import type { DspEngine } from './fft.ts';
import type { DspPrecision } from './kernel.ts';
import { bytesPerSample } from './iq-format.ts';
import type { SampleFormat } from './iq-format.ts';
import { Welch } from './welch.ts';

export interface KernelBenchOptions {
  readonly fftSize: number;
  /** Samples pushed per timed pass. */
  readonly samples: number;
  /** Default cf32_le. */
  readonly format?: SampleFormat;
  /** Default wasm. */
  readonly engine?: DspEngine;
  /** Default double. */
  readonly precision?: DspPrecision;
}

/** Deterministic test bytes: noise plus a tone, in the requested format. */
function makeBytes(format: SampleFormat, samples: number): Uint8Array {
  const bytes = new Uint8Array(samples * bytesPerSample(format));
  const view = new DataView(bytes.buffer);
  let seed = 987654321;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  for (let i = 0; i < 2 * samples; i++) {
    const v = 0.3 * rnd() + 0.4 * Math.cos(0.1 * i);
    switch (format) {
      case 'cf32_le':
        view.setFloat32(i * 4, v, true);
        break;
      case 'ci16_le':
        view.setInt16(i * 2, Math.round(v * 32767), true);
        break;
      case 'cu8':
        view.setUint8(i, Math.round(v * 127 + 127.5));
        break;
      case 'ci8':
        view.setInt8(i, Math.round(v * 127));
        break;
      default:
        throw new Error(`benchWelchKernel: no generator for ${format}`);
    }
  }
  return bytes;
}

export async function benchWelchKernel(opts: KernelBenchOptions): Promise<{ msps: number; seconds: number }> {
  const format = opts.format ?? 'cf32_le';
  const bytes = makeBytes(format, opts.samples);
  const welch = new Welch({
    fftSize: opts.fftSize,
    format,
    engine: opts.engine ?? 'wasm',
    precision: opts.precision ?? 'double',
  });
  // Warm up (JIT tiers, caches), then take the best of a few passes.
  welch.push(bytes.subarray(0, Math.min(bytes.length, 1 << 22)));
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    welch.reset();
    const t0 = performance.now();
    welch.push(bytes);
    best = Math.min(best, (performance.now() - t0) / 1000);
    await Promise.resolve();
  }
  welch.dispose();
  return { msps: opts.samples / best / 1e6, seconds: best };
}
