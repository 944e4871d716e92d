/**
 * Pulse shapes sampled into tables (built once per waveform, read with linear interpolation):
 * the Gaussian-filtered rectangular frequency pulse of GFSK and the raised-cosine pulse of PSK.
 */

/** Tabulated symmetric pulse over [-span, span] symbols. */
export class PulseTable {
  private readonly table: Float64Array;
  private readonly perSymbol: number;
  constructor(
    readonly span: number,
    shape: (x: number) => number,
    perSymbol = 64,
  ) {
    this.perSymbol = perSymbol;
    const n = 2 * span * perSymbol + 2;
    this.table = new Float64Array(n);
    for (let i = 0; i < n; i++) this.table[i] = shape(i / perSymbol - span);
  }
  /** Pulse value at x symbols from its centre (0 outside the span). */
  at(x: number): number {
    const p = (x + this.span) * this.perSymbol;
    if (p < 0 || p >= this.table.length - 1) return 0;
    const i = Math.floor(p);
    const a = this.table[i] ?? 0;
    return a + ((this.table[i + 1] ?? 0) - a) * (p - i);
  }
}

/** Error function (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}

/** GFSK frequency pulse: a one-symbol rectangle through a Gaussian filter of bandwidth-time bt. */
export function gaussianFrequencyPulse(bt: number): (x: number) => number {
  if (bt <= 0) return (x) => (x >= -0.5 && x < 0.5 ? 1 : 0);
  const sigma = Math.sqrt(Math.log(2)) / (2 * Math.PI * bt);
  const k = 1 / (Math.SQRT2 * sigma);
  return (x) => 0.5 * (erf((x + 0.5) * k) - erf((x - 0.5) * k));
}

/** Raised-cosine pulse (Nyquist: 1 at 0, 0 at other whole symbols), roll-off beta. */
export function raisedCosine(beta: number): (x: number) => number {
  return (x) => {
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const d = 1 - (2 * beta * x) ** 2;
    if (Math.abs(d) < 1e-9) return (Math.PI / 4) * (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
    return (sinc * Math.cos(Math.PI * beta * x)) / d;
  };
}
