/** Small dense matrices (row-major Float64Array, n x n) for the localization solvers. */

/** Inverse of a symmetric positive-definite or general n x n matrix by Gauss-Jordan with pivoting; undefined when singular. */
export function invert(m: Float64Array, n: number): Float64Array | undefined {
  const a = Float64Array.from(m);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  let scale = 0;
  for (const v of m) scale = Math.max(scale, Math.abs(v));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs(a[r * n + c] as number) > Math.abs(a[p * n + c] as number)) p = r;
    const pivot = a[p * n + c] as number;
    if (!(Math.abs(pivot) > scale * 1e-14)) return undefined;
    if (p !== c)
      for (let j = 0; j < n; j++) {
        swap(a, p * n + j, c * n + j);
        swap(inv, p * n + j, c * n + j);
      }
    for (let j = 0; j < n; j++) {
      a[c * n + j] = (a[c * n + j] as number) / pivot;
      inv[c * n + j] = (inv[c * n + j] as number) / pivot;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c] as number;
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        a[r * n + j] = (a[r * n + j] as number) - f * (a[c * n + j] as number);
        inv[r * n + j] = (inv[r * n + j] as number) - f * (inv[c * n + j] as number);
      }
    }
  }
  return inv;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/** y = M x for an n x n matrix. */
export function mulVec(m: Float64Array, x: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += (m[i * n + j] as number) * (x[j] as number);
    y[i] = s;
  }
  return y;
}

/**
 * Weighted normal equations of a Jacobian J (rows x cols, row-major) with weight W (rows x rows):
 * returns JᵀWJ (cols x cols) and JᵀWe (cols).
 */
export function normalEquations(
  j: Float64Array,
  w: Float64Array,
  e: Float64Array,
  rows: number,
  cols: number,
): { readonly h: Float64Array; readonly g: Float64Array } {
  const wj = new Float64Array(rows * cols);
  const we = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < rows; k++) {
      const wrk = w[r * rows + k] as number;
      if (wrk === 0) continue;
      we[r] = (we[r] as number) + wrk * (e[k] as number);
      for (let c = 0; c < cols; c++)
        wj[r * cols + c] = (wj[r * cols + c] as number) + wrk * (j[k * cols + c] as number);
    }
  }
  const h = new Float64Array(cols * cols);
  const g = new Float64Array(cols);
  for (let a = 0; a < cols; a++) {
    for (let r = 0; r < rows; r++) g[a] = (g[a] as number) + (j[r * cols + a] as number) * (we[r] as number);
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += (j[r * cols + a] as number) * (wj[r * cols + b] as number);
      h[a * cols + b] = s;
    }
  }
  return { h, g };
}

/** eᵀ W e. */
export function quadratic(w: Float64Array, e: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) s += (e[i] as number) * (w[i * n + k] as number) * (e[k] as number);
  return s;
}
