/**
 * How one band of a scan plan is measured on a given receiver: which captures (hops) to make and
 * where each one's bins go in the band's single spectrum frame.
 *
 * - A band no wider than the sample rate is one capture tuned to its centre; the frame holds the
 *   capture's bins inside the span.
 * - A wider band is a hopping sweep, like rtl_power and hackrf_sweep: each hop contributes only the
 *   central `usableFraction` of its bins (the edges are lost to the anti-alias filter's roll-off),
 *   hops are placed so their usable parts tile the band on one common bin grid, and the DC spike
 *   at each hop's centre is bridged before stitching (see `dcGuardRange`). The frame covers the
 *   span rounded up to whole hops.
 * - An untunable receiver (a recording) measures only bands inside its capture.
 *
 * The frame format wants evenly spaced bins over [centre - rate/2, centre + rate/2): the frame's
 * `fftSize` is the number of fine bins of the stitched grid and, above {@link MAX_BINS}, adjacent
 * fine bins are averaged in groups (a power of two) into the frame's bins.
 */
import { UserError } from '@heimdall/errors';
import { MAX_BINS, MAX_FFT_SIZE } from '@heimdall/protocol';
import type { ScanBand } from '../edge.contract.ts';
import type { ReceiverCapabilities } from '../receivers/receiver.ts';

export interface Hop {
  /** Where the receiver is tuned for this hop, Hz. */
  readonly centerHz: number;
  /** Fine bins [frameFrom, frameTo) of the frame that this hop fills... */
  readonly frameFrom: number;
  readonly frameTo: number;
  /** ...from its own fftshifted bins starting at this one. */
  readonly hopFrom: number;
}

export interface BandLayout {
  readonly band: ScanBand;
  /** FFT size of every capture. */
  readonly fftSize: number;
  /** Width of one fine bin, Hz (sample rate / FFT size). */
  readonly binHz: number;
  readonly hops: readonly Hop[];
  readonly sweep: boolean;
  /** Fine bins of the stitched frame (the frame's `fftSize`). */
  readonly fineBins: number;
  /** Fine bins averaged into one frame bin (1, or a power of two above {@link MAX_BINS} fine bins). */
  readonly group: number;
  /** The frame's centre and span: fine bin i is centred on centre + (i - fineBins / 2) * binHz. */
  readonly frameCenterHz: number;
  readonly frameSpanHz: number;
  /** Samples per capture: `averaging` Welch segments with 50 % overlap. */
  readonly captureSamples: number;
  /** Samples discarded after each retune. */
  readonly settleSamples: number;
}

export interface LayoutOptions {
  /** Central fraction of each sweep hop that is used (default 0.75). */
  readonly usableFraction?: number;
  /** Settling time after a retune, seconds (default 0.01). */
  readonly settleS?: number;
}

const mhz = (hz: number): string => `${(hz / 1e6).toFixed(6).replace(/\.?0+$/, '')} MHz`;

function bandName(b: ScanBand, index: number): string {
  return b.name === undefined ? `band ${index + 1} (${mhz(b.centerHz)})` : `band "${b.name}"`;
}

/** Smallest power of two g with ceil(bins / g) <= MAX_BINS. */
function groupFor(bins: number): number {
  let g = 1;
  while (Math.ceil(bins / g) > MAX_BINS) g *= 2;
  return g;
}

/** Lays out band `index` of a plan on a receiver; throws a UserError when it cannot be measured. */
export function layoutBand(
  band: ScanBand,
  index: number,
  caps: ReceiverCapabilities,
  opts: LayoutOptions = {},
): BandLayout {
  const n = band.fftSize;
  const fs = caps.sampleRate;
  const binHz = fs / n;
  const name = bandName(band, index);
  const lo = band.centerHz - band.spanHz / 2;
  const hi = band.centerHz + band.spanHz / 2;
  const captureSamples = n + Math.max(0, band.averaging - 1) * (n >> 1);
  const settleSamples = caps.tunable ? Math.round((opts.settleS ?? 0.01) * fs) : 0;
  const base = { band, fftSize: n, binHz, captureSamples, settleSamples };

  if (!caps.tunable) {
    const fc = caps.centerHz ?? 0;
    const tol = binHz / 2;
    if (lo < fc - fs / 2 - tol || hi > fc + fs / 2 + tol) {
      throw new UserError(
        `${name} covers ${mhz(lo)} to ${mhz(hi)}, outside the recording's capture ${mhz(fc - fs / 2)} to ${mhz(fc + fs / 2)}; a recording cannot be retuned`,
        {
          field: 'scan plan',
          fix: `run only bands inside ${mhz(fc - fs / 2)} to ${mhz(fc + fs / 2)} on this receiver`,
        },
      );
    }
    const from = Math.max(0, Math.ceil((lo - fc) / binHz + n / 2 - 1e-9));
    const rawM = Math.min(n, Math.floor((hi - fc) / binHz + n / 2 - 1e-9) + 1) - from;
    const g = groupFor(rawM);
    const m = Math.floor(rawM / (2 * g)) * 2 * g;
    if (m < 2) throw tooNarrow(name, band, binHz);
    return {
      ...base,
      hops: [{ centerHz: fc, frameFrom: 0, frameTo: m, hopFrom: from }],
      sweep: false,
      fineBins: m,
      group: g,
      frameCenterHz: fc + (from + m / 2 - n / 2) * binHz,
      frameSpanHz: m * binHz,
      settleSamples: 0,
    };
  }

  const [fmin, fmax] = caps.frequencyRange;
  const checkTune = (hz: number): void => {
    if (hz < fmin || hz > fmax) {
      throw new UserError(
        `${name} needs the receiver tuned to ${mhz(hz)}, outside its range ${mhz(fmin)} to ${mhz(fmax)}`,
        { field: 'scan plan', fix: `keep bands between ${mhz(fmin)} and ${mhz(fmax)}` },
      );
    }
  };

  if (band.spanHz <= fs * (1 + 1e-9)) {
    checkTune(band.centerHz);
    const rawM = Math.min(n, Math.round(band.spanHz / binHz));
    const g = groupFor(rawM);
    const m = Math.floor(rawM / (2 * g)) * 2 * g;
    if (m < 2) throw tooNarrow(name, band, binHz);
    return {
      ...base,
      hops: [{ centerHz: band.centerHz, frameFrom: 0, frameTo: m, hopFrom: n / 2 - m / 2 }],
      sweep: false,
      fineBins: m,
      group: g,
      frameCenterHz: band.centerHz,
      frameSpanHz: m * binHz,
    };
  }

  const u = opts.usableFraction ?? 0.75;
  const usable = Math.max(2, Math.floor((u * n) / 2) * 2);
  const hopsNeeded = Math.ceil(Math.ceil(band.spanHz / binHz) / usable);
  const total = hopsNeeded * usable;
  if (total > MAX_FFT_SIZE) {
    throw new UserError(
      `${name} spans ${mhz(band.spanHz)}: ${total} bins of ${binHz.toFixed(1)} Hz, above the ${MAX_FFT_SIZE} a frame can describe`,
      { field: 'scan plan', fix: 'use a smaller fft_size for wide sweeps, or split the band' },
    );
  }
  const g = groupFor(total);
  if (total % g !== 0) {
    throw new UserError(`${name}: ${total} bins cannot be grouped evenly into a frame`, {
      field: 'scan plan',
      fix: 'use a power-of-two fft_size of at least 64',
    });
  }
  const hops: Hop[] = [];
  for (let h = 0; h < hopsNeeded; h++) {
    const centerHz = band.centerHz + (h * usable + usable / 2 - total / 2) * binHz;
    checkTune(centerHz);
    hops.push({ centerHz, frameFrom: h * usable, frameTo: (h + 1) * usable, hopFrom: n / 2 - usable / 2 });
  }
  return {
    ...base,
    hops,
    sweep: true,
    fineBins: total,
    group: g,
    frameCenterHz: band.centerHz,
    frameSpanHz: total * binHz,
  };
}

function tooNarrow(name: string, band: ScanBand, binHz: number): UserError {
  return new UserError(`${name} spans ${band.spanHz} Hz, less than two FFT bins of ${binHz.toFixed(1)} Hz`, {
    field: 'scan plan',
    fix: 'widen the span or raise fft_size',
  });
}
