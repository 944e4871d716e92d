/**
 * Turns the captures of one band into frames: Welch PSD of each capture (the dsp package's
 * float32 path), the DC spike bridged, hops stitched onto the band's fine grid, detection on the
 * stitched PSD, then bins grouped and quantized (0.5 dB steps, u8 codes) into a spectrum frame,
 * plus a detections message when a signal's record ended (see `DetectionTracker`). Buffers are
 * allocated once per band.
 */
import {
  averagedShape,
  bridgeGuard,
  dcGuardRange,
  makeWindow,
  Welch,
  windowCorrelation,
  type BinRange,
  type WindowCorrelation,
} from '@heimdall/dsp';
import {
  DEFAULT_STEP_DB,
  MAX_DETECTIONS,
  QUANT_MAX_U8,
  quantizeDb,
  type DetectionRecord,
  type DetectionsMessage,
  type SpectrumFrame,
} from '@heimdall/protocol';
import type { BandLayout } from '../scan/band-layout.ts';
import type { Capture, ReceiverCapabilities } from '../receivers/receiver.ts';
import { DetectionTracker } from './detection-tracker.ts';
import { detectInFrame } from './frame-detector.ts';

export interface BandFrames {
  readonly spectrum: Omit<SpectrumFrame, 'nodeId' | 'sequence'>;
  readonly detections: Omit<DetectionsMessage, 'nodeId' | 'sequence'> | null;
}

export class BandProcessor {
  readonly layout: BandLayout;
  private readonly caps: ReceiverCapabilities;
  private readonly welch: Welch;
  private readonly guard: BinRange | undefined;
  private readonly hopPsd: Float64Array;
  private readonly fine: Float64Array;
  private readonly db: Float32Array;
  private readonly corr: WindowCorrelation;
  private readonly shape: number;
  private readonly hopTimes: bigint[];
  private readonly hopDurationNs: bigint;
  private hopsDone = 0;
  private readonly tracker = new DetectionTracker();

  constructor(layout: BandLayout, caps: ReceiverCapabilities) {
    this.layout = layout;
    this.caps = caps;
    const n = layout.fftSize;
    this.welch = new Welch({ fftSize: n, format: caps.format, precision: 'single' });
    this.guard = dcGuardRange(n, caps.dcGuardBins);
    this.hopPsd = new Float64Array(n);
    this.fine = new Float64Array(layout.fineBins);
    this.db = new Float32Array(layout.fineBins / layout.group);
    this.corr = windowCorrelation(makeWindow('hann', n), this.welch.step);
    this.shape = averagedShape(this.corr, Math.max(1, layout.band.averaging));
    this.hopTimes = layout.hops.map(() => 0n);
    this.hopDurationNs = BigInt(Math.round((layout.captureSamples / caps.sampleRate) * 1e9));
  }

  /** Starts a new frame (hops may be added in any order, each once). */
  begin(): void {
    this.hopsDone = 0;
  }

  /** Adds the capture of hop `index` to the frame being made. */
  addHop(index: number, capture: Capture): void {
    const hop = this.layout.hops[index];
    if (hop === undefined) throw new RangeError(`no hop ${index}`);
    const n = this.layout.fftSize;
    this.welch.reset();
    this.welch.push(capture.bytes);
    const d = this.welch.density(this.caps.sampleRate);
    const half = n >> 1;
    for (let k = 0; k < n; k++) this.hopPsd[k] = d[(k + half) & (n - 1)] as number;
    bridgeGuard(this.hopPsd, this.guard);
    this.fine.set(
      this.hopPsd.subarray(hop.hopFrom, hop.hopFrom + hop.frameTo - hop.frameFrom),
      hop.frameFrom,
    );
    this.hopTimes[index] = capture.timeNs;
    this.hopsDone++;
  }

  /** The frames of the hops added since {@link begin}. */
  finish(): BandFrames {
    const L = this.layout;
    const g = L.group;
    const fine = this.fine;
    const out = this.db;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let j = i * g; j < (i + 1) * g; j++) s += fine[j] as number;
      const v = 10 * Math.log10(s / g);
      out[i] = v;
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    // reference: the lowest bin, unless that would clip the strongest at the top of the u8 range
    const step = DEFAULT_STEP_DB;
    const top = QUANT_MAX_U8 * step;
    const refDb = Number.isFinite(min)
      ? Math.max(Math.floor(min / step), Math.ceil((max - top) / step)) * step
      : -200;
    const captureTimeNs = this.hopTimes[0] as bigint;
    const spectrum = {
      kind: 'spectrum' as const,
      captureTimeNs,
      centerHz: L.frameCenterHz,
      sampleRateHz: L.frameSpanHz,
      fftSize: L.fineBins,
      refDb,
      stepDb: step,
      bins: quantizeDb(out, step, refDb),
    };
    const found = detectInFrame(fine, {
      shape: this.shape,
      correlation: this.corr,
      thresholdDb: L.band.thresholdDb,
      binHz: L.binHz,
    });
    const freq = (bin: number): number => L.frameCenterHz + (bin - L.fineBins / 2) * L.binHz;
    const records: DetectionRecord[] = found.map((d) => {
      const hopIndex = Math.max(
        0,
        L.hops.findIndex((h) => d.centroidBin < h.frameTo),
      );
      const start = this.hopTimes[hopIndex] as bigint;
      return {
        startTimeNs: start,
        endTimeNs: start + this.hopDurationNs,
        freqLowHz: freq(d.lowerBin),
        freqHighHz: freq(d.upperBin),
        snrDb: d.snrDb,
        powerDbfs: d.powerDbfs,
        label: d.label,
      };
    });
    return { spectrum, detections: this.message(captureTimeNs, this.tracker.push(records)) };
  }

  /** The records still open (the band stops running), or null. */
  flush(): BandFrames['detections'] {
    return this.message(this.hopTimes[0] as bigint, this.tracker.flush());
  }

  private message(captureTimeNs: bigint, records: DetectionRecord[]): BandFrames['detections'] {
    if (records.length === 0) return null;
    return { kind: 'detections', captureTimeNs, detections: records.slice(0, MAX_DETECTIONS) };
  }

  /** Hops added since {@link begin}. */
  get hopsAdded(): number {
    return this.hopsDone;
  }

  dispose(): void {
    this.welch.dispose();
  }
}
