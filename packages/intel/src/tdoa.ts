/**
 * Emitter localization by time difference of arrival. Every pair of snippets is correlated
 * (GCC-PHAT in the signal's band), the pair delays are reconciled into one arrival time per node by
 * weighted least squares with residual-based rejection of inconsistent pairs, and the position is
 * fitted to the arrival times (hyperbolae) by weighted Levenberg-Marquardt in a local ENU frame
 * from a coarse grid and a closed-form (spherical-intersection) start. Uncertainty comes from the
 * measured delay noise of each pair plus the clock jitter of each node's clock source.
 */
import { UserError } from '@heimdall/errors';
import { bandSpectrum, correlationSize, gccPhat, type BandSpectrum } from './gcc-phat.ts';
import { SPEED_OF_LIGHT, type Enu, type GeoPosition } from './geodesy.ts';
import { chiSquare999, errorEllipse, type Fix, type FixQuality } from './fix.ts';
import { invert } from './matrix.ts';
import { nodeGeometry, type NodeGeometry } from './nodes.ts';
import { gdop, solveFromStarts, type Model } from './solver.ts';

/** Timing jitter (1 sigma, seconds) of each clock source that is good enough for TDOA. */
export const CLOCK_JITTER: Readonly<Record<string, number>> = {
  gps: 20e-9,
  gnss: 20e-9,
  ptp: 50e-9,
  'white-rabbit': 1e-9,
};

export interface TdoaSnippet {
  /** Recording path or node id, for messages. */
  readonly name: string;
  /** Where the node's antenna is; undefined when the recording does not say. */
  readonly position: GeoPosition | undefined;
  /** Interleaved (re, im) IQ. */
  readonly iq: Float32Array;
  readonly sampleRate: number;
  readonly centerFrequency: number;
  /** Absolute time of sample 0, nanoseconds since the Unix epoch (the node's clock). */
  readonly startNs: bigint;
  /** Resolution of that timestamp as written, nanoseconds (1 for nine fractional digits). */
  readonly timestampResolutionNs: number;
  /** `heimdall:clock_source`, e.g. `gps`. */
  readonly clockSource: string | undefined;
}

export interface TdoaOptions {
  /** Centre frequency of the signal, Hz. */
  readonly frequency: number;
  /** Width of the signal, Hz. */
  readonly bandwidth: number;
  /** Emitter height above the ellipsoid, metres (default: the nodes' mean height). */
  readonly emitterAltitude?: number;
}

/** One pair's measured arrival-time difference t_i - t_j, seconds, and its standard deviation. */
export interface PairDelay {
  readonly i: number;
  readonly j: number;
  readonly tdoa: number;
  readonly sigma: number;
  readonly peak: number;
  /** False when the pair was rejected (weak peak or inconsistent with the other pairs). */
  readonly used: boolean;
}

export interface TdoaFix extends Fix {
  readonly pairs: readonly PairDelay[];
}

export function localizeTdoa(snippets: readonly TdoaSnippet[], opts: TdoaOptions): TdoaFix {
  const geo = nodeGeometry(snippets, 3, 'TDOA');
  checkSnippets(snippets, opts);
  const pairs = measurePairs(snippets, opts, geo);
  const arrivals = reconcile(snippets, pairs);
  return solve(snippets, opts, geo, pairs, arrivals);
}

function checkSnippets(snippets: readonly TdoaSnippet[], opts: TdoaOptions): void {
  const first = snippets[0] as TdoaSnippet;
  if (!(opts.bandwidth > 0))
    throw new UserError(`the signal bandwidth must be positive (got ${opts.bandwidth} Hz)`, {
      field: '--bandwidth',
      fix: 'give the width of the signal in Hz, e.g. --bandwidth 100k',
    });
  for (const s of snippets) {
    if (Math.abs(s.centerFrequency - first.centerFrequency) > 1 || s.sampleRate !== first.sampleRate)
      throw new UserError(
        `recordings at different frequencies or rates: ${first.name} at ${fmtHz(first.centerFrequency)} / ${fmtHz(first.sampleRate)}/s, ${s.name} at ${fmtHz(s.centerFrequency)} / ${fmtHz(s.sampleRate)}/s`,
        {
          source: s.name,
          field: 'core:frequency',
          fix: 'record the transmission on every node at the same centre frequency and sample rate',
        },
      );
    const lo = s.centerFrequency - s.sampleRate / 2;
    const hi = s.centerFrequency + s.sampleRate / 2;
    if (opts.frequency - opts.bandwidth / 2 < lo || opts.frequency + opts.bandwidth / 2 > hi)
      throw new UserError(
        `the signal band ${fmtHz(opts.frequency - opts.bandwidth / 2)}..${fmtHz(opts.frequency + opts.bandwidth / 2)} is not inside the recording's ${fmtHz(lo)}..${fmtHz(hi)}`,
        {
          source: s.name,
          field: '--freq',
          fix: 'give the frequency and bandwidth of a signal the recordings contain',
        },
      );
    const jitter = s.clockSource === undefined ? undefined : CLOCK_JITTER[s.clockSource];
    if (jitter === undefined)
      throw new UserError(
        `clock source ${s.clockSource === undefined ? 'unknown' : `"${s.clockSource}"`} is not synchronized well enough for TDOA (it needs tens of nanoseconds)`,
        {
          source: s.name,
          field: 'heimdall:clock_source',
          fix: 'record with GPS-disciplined clocks (heimdall:clock_source "gps"), or localize by received power',
        },
      );
    if (!(s.timestampResolutionNs < 1000))
      throw new UserError(
        `the capture time has ${s.timestampResolutionNs >= 1e9 ? 'whole-second' : `${s.timestampResolutionNs} ns`} precision; TDOA needs sub-microsecond timestamps`,
        {
          source: s.name,
          field: 'core:datetime',
          fix: 'write core:datetime with nanosecond fractional seconds from a GPS-disciplined clock, or localize by received power',
        },
      );
    if (s.iq.length >> 1 < 64)
      throw new UserError(`the snippet holds only ${s.iq.length >> 1} samples`, {
        source: s.name,
        fix: 'record at least a few milliseconds of the transmission',
      });
  }
}

function fmtHz(f: number): string {
  return Math.abs(f) >= 1e6
    ? `${(f / 1e6).toFixed(6).replace(/\.?0+$/, '')} MHz`
    : `${(f / 1e3).toFixed(3).replace(/\.?0+$/, '')} kHz`;
}

function measurePairs(snippets: readonly TdoaSnippet[], opts: TdoaOptions, geo: NodeGeometry): PairDelay[] {
  const first = snippets[0] as TdoaSnippet;
  const fs = first.sampleRate;
  const maxLen = Math.max(...snippets.map((s) => s.iq.length >> 1));
  const nfft = correlationSize(maxLen);
  const lowOff = opts.frequency - opts.bandwidth / 2 - first.centerFrequency;
  const highOff = opts.frequency + opts.bandwidth / 2 - first.centerFrequency;
  const spectra: BandSpectrum[] = snippets.map((s) => bandSpectrum(s.iq, fs, lowOff, highOff, nfft));
  const t0 = snippets.reduce((m, s) => (s.startNs < m ? s.startNs : m), first.startNs);
  const starts = snippets.map((s) => Number(s.startNs - t0) * 1e-9);
  const pairs: PairDelay[] = [];
  for (let i = 0; i < snippets.length; i++)
    for (let j = i + 1; j < snippets.length; j++) {
      const ei = geo.enu[i] as Enu;
      const ej = geo.enu[j] as Enu;
      const base = Math.hypot(ei[0] - ej[0], ei[1] - ej[1], ei[2] - ej[2]) / SPEED_OF_LIGHT;
      // t_i - t_j = lag + (start_i - start_j); |t_i - t_j| <= baseline / c (plus clock slack).
      const ds = (starts[i] as number) - (starts[j] as number);
      const slack = base + 2e-6 + 4 / fs;
      const est = gccPhat(spectra[i] as BandSpectrum, spectra[j] as BandSpectrum, -ds - slack, -ds + slack);
      if (!est) continue;
      const good = est.peak > est.threshold && Number.isFinite(est.sigma);
      pairs.push({ i, j, tdoa: est.delay + ds, sigma: est.sigma, peak: est.peak, used: good });
    }
  return pairs;
}

interface Arrivals {
  /** Arrival time per node relative to their mean, seconds. */
  readonly t: Float64Array;
  /** Covariance of t (rank n - 1; the common shift is free), s². */
  readonly cov: Float64Array;
  readonly pairs: PairDelay[];
}

/** Least-squares arrival times from pair delays; drops the most inconsistent pair while any is beyond 4 sigma. */
function reconcile(snippets: readonly TdoaSnippet[], measured: readonly PairDelay[]): Arrivals {
  const n = snippets.length;
  let pairs = measured.slice();
  for (;;) {
    const used = pairs.filter((p) => p.used);
    if (!connected(n, used)) {
      const weak = snippets.filter((_, k) => !used.some((p) => p.i === k || p.j === k)).map((s) => s.name);
      throw new UserError(
        `the transmission could not be found in every recording (no reliable correlation for ${weak.length > 0 ? weak.join(', ') : 'some nodes'})`,
        {
          fix: 'check that the recordings capture the same moment and that --freq and --bandwidth cover the signal',
        },
      );
    }
    const h = new Float64Array(n * n);
    const g = new Float64Array(n);
    for (const p of used) {
      const w = 1 / (p.sigma * p.sigma);
      h[p.i * n + p.i] = (h[p.i * n + p.i] as number) + w;
      h[p.j * n + p.j] = (h[p.j * n + p.j] as number) + w;
      h[p.i * n + p.j] = (h[p.i * n + p.j] as number) - w;
      h[p.j * n + p.i] = (h[p.j * n + p.i] as number) - w;
      g[p.i] = (g[p.i] as number) + w * p.tdoa;
      g[p.j] = (g[p.j] as number) - w * p.tdoa;
    }
    // Pseudo-inverse through the projector onto the common shift: (H + J)^-1 - J, J = 11ᵀ/n.
    let scale = 0;
    for (let k = 0; k < n; k++) scale = Math.max(scale, h[k * n + k] as number);
    const reg = Float64Array.from(h);
    for (let k = 0; k < n * n; k++) reg[k] = (reg[k] as number) + scale / n;
    const inv = invert(reg, n) as Float64Array;
    const cov = new Float64Array(n * n);
    for (let k = 0; k < n * n; k++) cov[k] = (inv[k] as number) - 1 / (scale * n);
    const t = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let b = 0; b < n; b++) s += (cov[a * n + b] as number) * (g[b] as number);
      t[a] = s;
    }
    if (used.length <= n - 1) return { t, cov: nodeCovariance(n, used), pairs };
    let worst = -1;
    let worstZ = 4;
    for (let k = 0; k < pairs.length; k++) {
      const p = pairs[k] as PairDelay;
      if (!p.used) continue;
      // Normalized residual with the leverage of the pair taken out.
      const r = p.tdoa - ((t[p.i] as number) - (t[p.j] as number));
      const vFit =
        (cov[p.i * n + p.i] as number) + (cov[p.j * n + p.j] as number) - 2 * (cov[p.i * n + p.j] as number);
      const vRes = Math.max(p.sigma * p.sigma - vFit, 0.05 * p.sigma * p.sigma);
      const z = Math.abs(r) / Math.sqrt(vRes);
      const without = used.filter((q) => q !== p);
      if (z > worstZ && connected(n, without)) {
        worstZ = z;
        worst = k;
      }
    }
    if (worst < 0) return { t, cov: nodeCovariance(n, used), pairs };
    pairs = pairs.map((p, k) => (k === worst ? { ...p, used: false } : p));
  }
}

/**
 * Covariance of the arrival times. Pairs that share a node share that node's noise, so the pairs
 * are not independent: the pair variances are split into per-node variances a_k with
 * var(pair i, j) = a_i + a_j (least squares), and the arrival times get diag(a).
 */
function nodeCovariance(n: number, used: readonly PairDelay[]): Float64Array {
  const h = new Float64Array(n * n);
  const g = new Float64Array(n);
  let minVar = Number.POSITIVE_INFINITY;
  for (const p of used) {
    const v = p.sigma * p.sigma;
    const w = 1 / (v * v);
    minVar = Math.min(minVar, v);
    for (const a of [p.i, p.j]) {
      g[a] = (g[a] as number) + w * v;
      for (const b of [p.i, p.j]) h[a * n + b] = (h[a * n + b] as number) + w;
    }
  }
  const inv = invert(h, n);
  const cov = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    let s = 0;
    if (inv) for (let b = 0; b < n; b++) s += (inv[a * n + b] as number) * (g[b] as number);
    else s = minVar / 2;
    cov[a * n + a] = Math.max(s, minVar / 10);
  }
  return cov;
}

function connected(n: number, pairs: readonly PairDelay[]): boolean {
  const seen = new Set<number>([0]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of pairs)
      if (seen.has(p.i) !== seen.has(p.j)) {
        seen.add(p.i);
        seen.add(p.j);
        grew = true;
      }
  }
  return seen.size === n;
}

/** Arrival ranges rho_k = b + |p - s_k| in metres, for the nodes in `use`. */
function rangeModel(enu: readonly Enu[], z: number, rho: Float64Array, weight: Float64Array): Model {
  const rows = enu.length;
  return {
    rows,
    cols: 3,
    weight,
    evaluate(p, residual, jacobian) {
      const x = p[0] as number;
      const y = p[1] as number;
      const b = p[2] as number;
      for (let k = 0; k < rows; k++) {
        const s = enu[k] as Enu;
        const r = Math.max(Math.hypot(x - s[0], y - s[1], z - s[2]), 1e-6);
        residual[k] = (rho[k] as number) - (b + r);
        jacobian[3 * k] = (x - s[0]) / r;
        jacobian[3 * k + 1] = (y - s[1]) / r;
        jacobian[3 * k + 2] = 1;
      }
    },
  };
}

function solve(
  snippets: readonly TdoaSnippet[],
  opts: TdoaOptions,
  geo: NodeGeometry,
  pairs: PairDelay[],
  arrivals: Arrivals,
): TdoaFix {
  const n = snippets.length;
  const z =
    opts.emitterAltitude === undefined
      ? 0
      : geo.frame.toEnu({ ...geo.frame.origin, altitude: opts.emitterAltitude })[2];
  let use = Array.from({ length: n }, (_, k) => k);
  let attempt = fitNodes(snippets, geo, arrivals, use, z);
  // A node whose arrival time disagrees with the others (multipath, a bad clock): drop it while the
  // fit stays over-determined and the fit is inconsistent.
  while (attempt.chi2 > chiSquare999(attempt.dof) && use.length - 1 >= 4) {
    let best: typeof attempt | undefined;
    let bestUse: number[] = use;
    for (const drop of use) {
      const u = use.filter((k) => k !== drop);
      const a = fitNodes(snippets, geo, arrivals, u, z);
      if (!best || a.chi2 / Math.max(a.dof, 1) < best.chi2 / Math.max(best.dof, 1)) {
        best = a;
        bestUse = u;
      }
    }
    if (!best) break;
    attempt = best;
    use = bestUse;
  }
  const { sol, model, chi2, dof, ambiguous } = attempt;
  let cov = [
    sol.covariance[0] as number,
    sol.covariance[1] as number,
    sol.covariance[3] as number,
    sol.covariance[4] as number,
  ] as const;
  let quality: FixQuality = 'good';
  let reason = 'consistent measurements, good geometry';
  if (dof > 0 && chi2 > chiSquare999(dof)) {
    // Measurements scatter more than their noise says: widen the ellipse by the excess.
    const k = chi2 / dof;
    cov = [cov[0] * k, cov[1] * k, cov[2] * k, cov[3] * k];
    quality = 'fair';
    reason = `residuals larger than the measured timing noise (chi-square ${chi2.toFixed(1)} for ${dof} degrees of freedom); ellipse widened`;
  } else if (dof === 0) {
    quality = 'fair';
    reason = 'three nodes: no redundancy to check the fix against';
  }
  const g = gdop(model, sol.p);
  const ellipse = errorEllipse(cov[0], cov[1], cov[3]);
  if (g > 10 || ellipse.semiMajor > geo.maxSpacing) {
    quality = 'poor-geometry';
    reason = `the emitter is poorly placed for these nodes (GDOP ${g.toFixed(1)}); add nodes around it`;
  }
  if (ambiguous) {
    quality = 'insufficient';
    reason = 'two positions fit the measurements equally well; add a node to tell them apart';
  }
  const position = geo.frame.toGeodetic([sol.p[0] as number, sol.p[1] as number, z]);
  const residuals: number[] = Array.from({ length: n }, () => Number.NaN);
  use.forEach((k, r) => (residuals[k] = sol.residual[r] as number));
  return {
    position,
    ellipse,
    confidence: 0.95,
    covariance: [cov[0], cov[1], cov[2], cov[3]],
    gdop: g,
    method: 'tdoa',
    quality,
    qualityReason: reason,
    residuals,
    used: use,
    chiSquare: chi2,
    degreesOfFreedom: dof,
    pairs: arrivals.pairs.length > 0 ? arrivals.pairs : pairs,
  };
}

function fitNodes(
  snippets: readonly TdoaSnippet[],
  geo: NodeGeometry,
  arrivals: Arrivals,
  use: readonly number[],
  z: number,
): {
  sol: NonNullable<ReturnType<typeof solveFromStarts>>['best'];
  model: Model;
  chi2: number;
  dof: number;
  ambiguous: boolean;
} {
  const n = arrivals.t.length;
  const m = use.length;
  const c = SPEED_OF_LIGHT;
  const rho = new Float64Array(m);
  const cov = new Float64Array(m * m);
  let trace = 0;
  for (let a = 0; a < m; a++) {
    const ka = use[a] as number;
    rho[a] = (arrivals.t[ka] as number) * c;
    for (let b = 0; b < m; b++) {
      const kb = use[b] as number;
      cov[a * m + b] = (arrivals.cov[ka * n + kb] as number) * c * c;
    }
    const jit = CLOCK_JITTER[(snippets[ka] as TdoaSnippet).clockSource ?? ''] ?? 0;
    cov[a * m + a] = (cov[a * m + a] as number) + (jit * c) ** 2;
    trace += cov[a * m + a] as number;
  }
  // Adding a multiple of 11ᵀ leaves the fit unchanged (the common offset b absorbs it) and makes
  // the covariance invertible even without clock jitter.
  for (let k = 0; k < m * m; k++) cov[k] = (cov[k] as number) + trace / m;
  const weight = invert(cov, m);
  if (!weight)
    throw new UserError('the timing measurements are degenerate', { fix: 'record longer snippets' });
  const enu = use.map((k) => geo.enu[k] as Enu);
  const model = rangeModel(enu, z, rho, weight);
  const starts = gridStarts(model, enu, geo.maxSpacing);
  const closed = sphericalIntersection(enu, z, rho);
  if (closed) starts.push(closed);
  const solved = solveFromStarts(model, starts);
  if (!solved)
    throw new UserError('no position fits the measured time differences', {
      fix: 'check node positions and that all recordings captured the same transmission',
    });
  const dof = m - 3;
  return { sol: solved.best, model, chi2: solved.best.cost, dof, ambiguous: solved.ambiguous };
}

/** The best few cells of a coarse grid over three times the nodes' extent (b eliminated per cell). */
function gridStarts(model: Model, enu: readonly Enu[], extent: number): Float64Array[] {
  const cells = 48;
  const half = 1.5 * extent;
  const rows = model.rows;
  const e = new Float64Array(rows);
  const j = new Float64Array(rows * 3);
  const w = model.weight;
  const w1 = new Float64Array(rows);
  let sw = 0;
  for (let a = 0; a < rows; a++) {
    let s = 0;
    for (let b = 0; b < rows; b++) s += w[a * rows + b] as number;
    w1[a] = s;
    sw += s;
  }
  let cx = 0;
  let cy = 0;
  for (const s of enu) {
    cx += s[0] / enu.length;
    cy += s[1] / enu.length;
  }
  const found: { p: Float64Array; cost: number }[] = [];
  const p = new Float64Array(3);
  for (let a = 0; a <= cells; a++)
    for (let b = 0; b <= cells; b++) {
      p[0] = cx - half + (2 * half * a) / cells;
      p[1] = cy - half + (2 * half * b) / cells;
      p[2] = 0;
      model.evaluate(p, e, j);
      let we = 0;
      for (let k = 0; k < rows; k++) we += (w1[k] as number) * (e[k] as number);
      const off = we / sw;
      let cost = 0;
      for (let r = 0; r < rows; r++)
        for (let k = 0; k < rows; k++)
          cost += ((e[r] as number) - off) * (w[r * rows + k] as number) * ((e[k] as number) - off);
      found.push({ p: Float64Array.of(p[0], p[1], off), cost });
    }
  found.sort((x, y) => x.cost - y.cost);
  const picked: Float64Array[] = [];
  for (const f of found) {
    if (picked.length >= 4) break;
    if (
      picked.every(
        (q) =>
          Math.hypot((q[0] as number) - (f.p[0] as number), (q[1] as number) - (f.p[1] as number)) > half / 6,
      )
    )
      picked.push(f.p);
  }
  return picked;
}

/**
 * Closed-form start: squaring rho_k - b = r_k and subtracting node 0's equation gives equations
 * linear in (x, y, b); solved by least squares (needs four or more nodes).
 */
function sphericalIntersection(enu: readonly Enu[], z: number, rho: Float64Array): Float64Array | undefined {
  const m = enu.length;
  if (m < 4) return undefined;
  const s0 = enu[0] as Enu;
  const r0 = rho[0] as number;
  const ata = new Float64Array(9);
  const atb = new Float64Array(3);
  for (let k = 1; k < m; k++) {
    const s = enu[k] as Enu;
    const rk = rho[k] as number;
    const row = [2 * (s[0] - s0[0]), 2 * (s[1] - s0[1]), -2 * (rk - r0)];
    const rhs =
      s[0] ** 2 +
      s[1] ** 2 +
      s[2] ** 2 -
      (s0[0] ** 2 + s0[1] ** 2 + s0[2] ** 2) -
      2 * z * (s[2] - s0[2]) -
      rk * rk +
      r0 * r0;
    for (let a = 0; a < 3; a++) {
      atb[a] = (atb[a] as number) + (row[a] as number) * rhs;
      for (let b = 0; b < 3; b++)
        ata[a * 3 + b] = (ata[a * 3 + b] as number) + (row[a] as number) * (row[b] as number);
    }
  }
  const inv = invert(ata, 3);
  if (!inv) return undefined;
  const out = new Float64Array(3);
  for (let a = 0; a < 3; a++)
    for (let b = 0; b < 3; b++) out[a] = (out[a] as number) + (inv[a * 3 + b] as number) * (atb[b] as number);
  return Number.isFinite(out[0]) && Number.isFinite(out[1]) ? out : undefined;
}
