/**
 * Synthetic multi-node captures for tests and quick evaluations: one band-limited noise burst received
 * by every node with its exact (fractional) propagation delay, its clock error and white noise at
 * the given in-band SNR. Delays are applied in the frequency domain, so they are exact.
 */
import { Fft } from '@heimdall/dsp';
import { EnuFrame, SPEED_OF_LIGHT, type GeoPosition } from './geodesy.ts';
import type { TdoaSnippet } from './tdoa.ts';
import { prng } from './prng.ts';

export { prng };

export const ORIGIN: GeoPosition = { latitude: 48.1, longitude: 11.5, altitude: 500 };

/** Five nodes spread over about 20 km (east, north metres from ORIGIN). */
export const FIVE_NODES: readonly (readonly [number, number])[] = [
  [-10_000, -9_000],
  [9_000, -10_000],
  [10_000, 8_000],
  [-8_000, 10_000],
  [1_000, 500],
];

export interface TrialOptions {
  readonly nodes: readonly (readonly [number, number])[];
  readonly emitter: readonly [number, number];
  readonly snrDb: number;
  readonly bandwidth: number;
  readonly sampleRate: number;
  readonly samples: number;
  readonly clockJitter: number;
  readonly centerFrequency: number;
  /** Signal centre as an offset from the capture centre, Hz. */
  readonly offset: number;
  readonly seed: number;
  /**
   * When set, the signal (not the noise) at each node is scaled by the log-distance law
   * (d / 1 km)^(-n / 2), so received powers carry the distance; `snrDb` holds at 1 km.
   */
  readonly pathLossExponent?: number;
}

export function synthesize(o: TrialOptions): { snippets: TdoaSnippet[]; truth: GeoPosition } {
  const rnd = prng(o.seed);
  const frame = new EnuFrame(ORIGIN);
  let m = 16;
  while (m < 2 * o.samples) m *= 2;
  const spec = new Float32Array(2 * m);
  let inBand = 0;
  for (let k = 0; k < m; k++) {
    const f = ((k < m / 2 ? k : k - m) * o.sampleRate) / m;
    if (Math.abs(f - o.offset) <= o.bandwidth / 2) {
      spec[2 * k] = rnd.gauss();
      spec[2 * k + 1] = rnd.gauss();
      inBand++;
    }
  }
  // Signal power per sample after the inverse FFT: 2 * inBand / m^2 with unit-variance bins.
  const signalPower = (2 * inBand) / (m * m);
  const noiseInBand = signalPower / 10 ** (o.snrDb / 10);
  const noiseSigma = Math.sqrt((noiseInBand * o.sampleRate) / o.bandwidth / 2);
  const truth = frame.toGeodetic([o.emitter[0], o.emitter[1], 0]);
  const fft = new Fft(m);
  const base = 1_763_800_000_000_000_000n;
  const snippets = o.nodes.map(([e, n], idx): TdoaSnippet => {
    const position = frame.toGeodetic([e, n, 0]);
    const delay = Math.hypot(o.emitter[0] - e, o.emitter[1] - n) / SPEED_OF_LIGHT;
    const startNs = base + BigInt(Math.round(rnd.uniform() * 5000));
    const clock = o.clockJitter * rnd.gauss();
    // Sample n is at true time start - clock + n / fs; x(t) = s(t - delay), s(t) = sum S_f e^{i2pi f t}.
    const shift = Number(startNs - base) * 1e-9 - clock - delay;
    const carrier = rnd.uniform() * 2 * Math.PI;
    const gain =
      o.pathLossExponent === undefined
        ? 1
        : (Math.hypot(o.emitter[0] - e, o.emitter[1] - n) / 1000) ** (-o.pathLossExponent / 2);
    const buf = new Float32Array(2 * m);
    for (let k = 0; k < m; k++) {
      const f = ((k < m / 2 ? k : k - m) * o.sampleRate) / m;
      const ph = 2 * Math.PI * f * shift + carrier;
      const c = Math.cos(ph);
      const s = Math.sin(ph);
      const re = spec[2 * k] as number;
      const im = spec[2 * k + 1] as number;
      buf[2 * k] = gain * (re * c - im * s);
      buf[2 * k + 1] = gain * (re * s + im * c);
    }
    fft.inverse(buf);
    const iq = new Float32Array(2 * o.samples);
    for (let i = 0; i < 2 * o.samples; i++) iq[i] = (buf[i] as number) + noiseSigma * rnd.gauss();
    return {
      name: `node${idx}`,
      position,
      iq,
      sampleRate: o.sampleRate,
      centerFrequency: o.centerFrequency,
      startNs,
      timestampResolutionNs: 1,
      clockSource: 'gps',
    };
  });
  return { snippets, truth };
}
