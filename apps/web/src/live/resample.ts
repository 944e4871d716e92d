/**
 * Maps a spectrum (bins at `startHz + i * binHz`) onto `out.length` columns spanning `f0..f1`:
 * max-hold where a column covers several bins (a narrow carrier stays visible at any zoom),
 * the covering bin where a column is narrower than a bin. Columns outside the spectrum get
 * {@link NO_DATA}. Allocates nothing.
 */
export const NO_DATA = -1000;

export function resampleMax(
  db: Float32Array,
  startHz: number,
  binHz: number,
  f0: number,
  f1: number,
  out: Float32Array,
): Float32Array {
  const w = out.length;
  const n = db.length;
  const dx = (f1 - f0) / w;
  for (let c = 0; c < w; c++) {
    const a = (f0 + c * dx - startHz) / binHz;
    const b = a + dx / binHz;
    let i0 = Math.floor(a);
    let i1 = Math.max(i0 + 1, Math.ceil(b));
    if (i1 <= 0 || i0 >= n) {
      out[c] = NO_DATA;
      continue;
    }
    if (i0 < 0) i0 = 0;
    if (i1 > n) i1 = n;
    let m = db[i0] as number;
    for (let i = i0 + 1; i < i1; i++) {
      const v = db[i] as number;
      if (v > m) m = v;
    }
    out[c] = m;
  }
  return out;
}

/** The `q` quantile (0..1) of the columns that hold data: the noise floor at q = 0.2. */
export function quantile(values: Float32Array, q: number, scratch: Float32Array): number {
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v > NO_DATA) scratch[k++] = v;
  }
  if (k === 0) return NaN;
  const s = scratch.subarray(0, k).sort();
  return s[Math.min(k - 1, Math.floor(q * k))] as number;
}
