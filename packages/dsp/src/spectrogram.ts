/**
 * Short-time PSD frames: consecutive groups of `segmentsPerFrame` Welch segments, each frame the
 * Welch density of its own segments (same window, overlap and scaling as {@link Welch}). Used for
 * burst start/end detection and for live spectrum frames.
 */
import { UserError } from '@heimdall/errors';
import { checkFftSize } from './fft-size.ts';
import { PsdAccumulator } from './psd-accumulator.ts';
import { checkSampleRate, resolveWindow, segmentStep } from './welch.ts';
import type { WelchOptions } from './welch.ts';

export interface SpectrogramOptions extends WelchOptions {
  /** Segments averaged into one frame (1 = one FFT per frame). */
  readonly segmentsPerFrame: number;
  /** Sample rate in Hz, for density scaling (psd / (fs * sum(w^2))). */
  readonly sampleRate: number;
}

export interface SpectrumFrame {
  /** 0, 1, 2, ... since the first byte pushed (or the last reset). */
  readonly index: number;
  /** First sample of the frame's first segment. */
  readonly startSample: number;
  /** Samples the frame covers: (segmentsPerFrame - 1) * step + fftSize. */
  readonly sampleCount: number;
  /** Linear density per Hz, fftshifted (index 0 = -fs/2), length fftSize. Reused buffer: copy to keep. */
  readonly psd: Float32Array;
}

export class Spectrogram {
  readonly fftSize: number;
  readonly step: number;
  readonly segmentsPerFrame: number;
  readonly sampleRate: number;
  private readonly acc: PsdAccumulator;
  private readonly psd: Float32Array;
  private readonly scale: number;
  private frames = 0;

  constructor(opts: SpectrogramOptions) {
    checkFftSize(opts.fftSize);
    checkSampleRate(opts.sampleRate);
    if (!Number.isInteger(opts.segmentsPerFrame) || opts.segmentsPerFrame < 1) {
      throw new UserError(`segments per frame must be a whole number >= 1 (got ${opts.segmentsPerFrame})`, {
        field: 'segmentsPerFrame',
        fix: 'use 1 for one FFT per frame, or more to average',
      });
    }
    this.fftSize = opts.fftSize;
    this.step = segmentStep(opts.fftSize, opts.overlap);
    this.segmentsPerFrame = opts.segmentsPerFrame;
    this.sampleRate = opts.sampleRate;
    this.acc = new PsdAccumulator({
      fftSize: opts.fftSize,
      step: this.step,
      window: resolveWindow(opts.fftSize, opts.window, opts.windowBeta),
      format: opts.format,
      engine: opts.engine ?? 'wasm',
      ...(opts.precision === undefined ? {} : { precision: opts.precision }),
    });
    this.psd = new Float32Array(opts.fftSize);
    this.scale = 1 / (opts.sampleRate * this.acc.windowPower * opts.segmentsPerFrame);
  }

  /** Frames completed so far. */
  get frameCount(): number {
    return this.frames;
  }

  /** Adds bytes of any length and alignment; calls `onFrame` for every frame they complete, in order. */
  push(bytes: Uint8Array, onFrame: (frame: SpectrumFrame) => void): void {
    const chunk = Math.max(1 << 20, this.fftSize * 16);
    for (let off = 0; off < bytes.length; off += chunk) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + chunk));
      this.inputBuffer(part.length).set(part);
      this.pushInput(part.length, onFrame);
    }
  }

  /** Zero-copy input, as {@link Welch.inputBuffer}. */
  inputBuffer(maxBytes: number): Uint8Array {
    return this.acc.inputBuffer(maxBytes);
  }

  /** Processes `byteCount` bytes written into the last {@link inputBuffer}. */
  pushInput(byteCount: number, onFrame: (frame: SpectrumFrame) => void): void {
    this.acc.commit(byteCount);
    const spf = this.segmentsPerFrame;
    for (;;) {
      const startSample = this.acc.nextSegmentStart - this.acc.segments * this.step;
      const done = this.acc.drain(spf - this.acc.segments);
      if (this.acc.segments < spf) {
        if (done === 0) return;
        continue;
      }
      const n = this.fftSize;
      const half = n >> 1;
      const sum = this.acc.sum();
      for (let k = 0; k < n; k++) this.psd[k] = (sum[(k + half) & (n - 1)] as number) * this.scale;
      this.acc.clearSum();
      onFrame({
        index: this.frames++,
        startSample,
        sampleCount: (spf - 1) * this.step + n,
        psd: this.psd,
      });
    }
  }

  /** Drops partial frames and kept bytes; the next byte pushed is sample 0 again. */
  reset(): void {
    this.acc.reset();
    this.frames = 0;
  }

  dispose(): void {
    this.acc.dispose();
  }
}
