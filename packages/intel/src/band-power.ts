/** Received power of a signal in a band of an IQ snippet, for power-only localization. */
import { Fft } from '@heimdall/dsp';
import { localizePower, type PowerFix, type PowerOptions } from './power.ts';
import type { TdoaSnippet } from './tdoa.ts';

/**
 * Mean power per sample (dB relative to the samples' full scale) of the signal in [lowHz, highHz]
 * (offsets from the capture centre), noise removed: averaged periodograms of non-overlapping
 * segments, with the noise density taken as the median of the bins outside the band (ignoring the
 * outer 20 % where anti-alias filters roll off), corrected from median to mean.
 */
export function bandPowerDb(iq: Float32Array, sampleRate: number, lowHz: number, highHz: number): number {
  const length = iq.length >> 1;
  let nfft = 16;
  while (nfft * 2 <= Math.min(length, 4096)) nfft *= 2;
  const buf = new Float32Array(2 * nfft);
  const fft = new Fft(nfft);
  const acc = new Float64Array(nfft);
  let segments = 0;
  for (let start = 0; start + nfft <= length; start += nfft) {
    buf.set(iq.subarray(2 * start, 2 * (start + nfft)));
    fft.forward(buf);
    for (let k = 0; k < nfft; k++)
      acc[k] = (acc[k] as number) + (buf[2 * k] as number) ** 2 + (buf[2 * k + 1] as number) ** 2;
    segments++;
  }
  let inBand = 0;
  let inBins = 0;
  const outside: number[] = [];
  for (let k = 0; k < nfft; k++) {
    const f = ((k < nfft / 2 ? k : k - nfft) * sampleRate) / nfft;
    const p = (acc[k] as number) / (Math.max(segments, 1) * nfft * nfft);
    if (f >= lowHz && f <= highHz) {
      inBand += p;
      inBins++;
    } else if (Math.abs(f) < 0.4 * sampleRate) outside.push(p);
  }
  outside.sort((a, b) => a - b);
  // Median of a chi-square with 2K degrees of freedom over its mean (Wilson-Hilferty).
  const medianOverMean = (1 - 2 / (9 * 2 * Math.max(segments, 1))) ** 3;
  const noise = outside.length > 16 ? (outside[outside.length >> 1] as number) / medianOverMean : 0;
  const signal = Math.max(inBand - noise * inBins, inBand * 1e-3);
  return 10 * Math.log10(signal);
}

/**
 * A power-only fix from snippets of one transmission: each node's power in the band
 * `frequency ± bandwidth / 2` (absolute Hz), then the path-loss fit of {@link localizePower}.
 */
export function localizePowerFromSnippets(
  snippets: readonly TdoaSnippet[],
  band: { readonly frequency: number; readonly bandwidth: number },
  opts: PowerOptions = {},
): PowerFix {
  return localizePower(
    snippets.map((s) => ({
      name: s.name,
      position: s.position,
      powerDb: bandPowerDb(
        s.iq,
        s.sampleRate,
        band.frequency - band.bandwidth / 2 - s.centerFrequency,
        band.frequency + band.bandwidth / 2 - s.centerFrequency,
      ),
    })),
    opts,
  );
}
