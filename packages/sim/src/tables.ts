/**
 * Lookup tables shared by every generator, built once on first use:
 * a sine/cosine table for the numerically controlled oscillators (phase as a 32-bit integer, the
 * top {@link SINCOS_BITS} bits index the table: spurs near -84 dBc, far below an 8-bit ADC), and a
 * table of standard-normal quantiles for noise (16 bits of randomness per value, tails to 4.3 sigma).
 */

export const SINCOS_BITS = 14;
export const SINCOS_SIZE = 1 << SINCOS_BITS;
/** Right shift that turns a 32-bit phase into a table index. */
export const SINCOS_SHIFT = 32 - SINCOS_BITS;

let cosTable: Float32Array | undefined;
let sinTable: Float32Array | undefined;

/** cos and sin of 2*pi*i/SINCOS_SIZE. */
export function sincosTables(): { readonly cos: Float32Array; readonly sin: Float32Array } {
  if (cosTable === undefined || sinTable === undefined) {
    cosTable = new Float32Array(SINCOS_SIZE);
    sinTable = new Float32Array(SINCOS_SIZE);
    for (let i = 0; i < SINCOS_SIZE; i++) {
      // sample at the centre of each phase interval: truncation error becomes symmetric
      const a = (2 * Math.PI * (i + 0.5)) / SINCOS_SIZE;
      cosTable[i] = Math.cos(a);
      sinTable[i] = Math.sin(a);
    }
  }
  return { cos: cosTable, sin: sinTable };
}

/** Fractional cycles (any real number) to a 32-bit phase word. */
export function cyclesToPhase(cycles: number): number {
  const f = cycles - Math.floor(cycles);
  return Math.floor(f * 4294967296) | 0;
}

/** Frequency as a fraction of the sample rate to a signed 32-bit phase increment per sample. */
export function phaseIncrement(freqHz: number, sampleRate: number): number {
  return cyclesToPhase(freqHz / sampleRate);
}

export const GAUSS_BITS = 16;
export const GAUSS_SIZE = 1 << GAUSS_BITS;
let gaussTable: Float32Array | undefined;

/**
 * Standard-normal quantiles at (i + 0.5) / 65536, made exactly zero-mean and unit-variance so that
 * noise power is exactly what the link budget says.
 */
export function gaussianTable(): Float32Array {
  if (gaussTable !== undefined) return gaussTable;
  // CDF by trapezoidal integration of the density on a fine grid, then inverse by interpolation.
  const h = 1e-4;
  const lo = -8;
  const steps = Math.round(16 / h);
  const table = new Float64Array(GAUSS_SIZE);
  const k = 1 / Math.sqrt(2 * Math.PI);
  let cdf = 0;
  let prevPdf = k * Math.exp(-0.5 * lo * lo);
  let i = 0;
  for (let s = 1; s <= steps && i < GAUSS_SIZE / 2; s++) {
    const x = lo + s * h;
    const pdf = k * Math.exp(-0.5 * x * x);
    const next = cdf + 0.5 * h * (prevPdf + pdf);
    while (i < GAUSS_SIZE / 2 && (i + 0.5) / GAUSS_SIZE <= next) {
      const p = (i + 0.5) / GAUSS_SIZE;
      table[i] = x - h + (h * (p - cdf)) / (next - cdf);
      i++;
    }
    cdf = next;
    prevPdf = pdf;
  }
  for (let j = 0; j < GAUSS_SIZE / 2; j++) table[GAUSS_SIZE - 1 - j] = -(table[j] ?? 0);
  let power = 0;
  for (let j = 0; j < GAUSS_SIZE; j++) power += (table[j] ?? 0) ** 2;
  const scale = 1 / Math.sqrt(power / GAUSS_SIZE);
  gaussTable = new Float32Array(GAUSS_SIZE);
  for (let j = 0; j < GAUSS_SIZE; j++) gaussTable[j] = (table[j] ?? 0) * scale;
  return gaussTable;
}

const PHASE_SCALE = SINCOS_SIZE;

/** cos(2*pi*cycles) from the table (for control-rate evaluation, not per sample). */
export function tcos(cycles: number, cos: Float32Array): number {
  return cos[((cycles - Math.floor(cycles)) * PHASE_SCALE) | 0] ?? 1;
}

/** sin(2*pi*cycles) from the table. */
export function tsin(cycles: number, sin: Float32Array): number {
  return sin[((cycles - Math.floor(cycles)) * PHASE_SCALE) | 0] ?? 0;
}
