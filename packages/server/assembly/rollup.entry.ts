// The arithmetic of spectrum tile roll-ups in WebAssembly SIMD (AssemblyScript): every frame of
// every band passes through here at ingest, 4096 bins at a time, and plain TypeScript spends about
// 4 ns a bin on it. Host: packages/server/src/spectrum/rollup-kernel.ts, which owns the memory
// layout: every function takes byte pointers into this module's memory and nothing here allocates.
//
// A row accumulator is two float64 arrays of `n` bins: the running max-hold and the running sum of
// dB values. The operations are exactly those of the TypeScript roll-up they replace, in the same
// order and precision (float64, IEEE), so a tile rolled up here at ingest and one rolled up at
// query time from finer tiles agree bit for bit:
//   addCodes:  v = refDb + code * stepDb;  max = max < v ? v : max;  sum = sum + v
//   addRow:    max = max < rowMax ? rowMax : max;  sum = sum + rowMean * frames
//   emitRow:   rowMax = max;  rowMean = sum * (1 / frames);  then max = -inf, sum = 0
//   quantize:  x = (v - refDb) * (1 / stepDb) + 0.5;  code = x < maxCode ? trunc(x) : maxCode
// `f64x2.pmax(a, b)` is `a < b ? b : a`: the TypeScript `if (v > max) max = v`, NaN and -0 alike.

/** First byte of memory the host may use. */
export function heapBase(): usize {
  return __heap_base;
}

function accumulate(max: usize, sum: usize, at: usize, v: v128): void {
  v128.store(max + at, f64x2.pmax(v128.load(max + at), v));
  v128.store(sum + at, f64x2.add(v128.load(sum + at), v));
}

/** Four u32 lanes `q` (codes of bins i..i+3) into dB and accumulated at bin i. */
function accumulate4(q: v128, ref: v128, step: v128, max: usize, sum: usize, i: usize): void {
  const lo = f64x2.convert_low_i32x4_u(q);
  const hi = f64x2.convert_low_i32x4_u(v128.shuffle<u32>(q, q, 2, 3, 0, 1));
  accumulate(max, sum, i << 3, f64x2.add(ref, f64x2.mul(lo, step)));
  accumulate(max, sum, (i + 2) << 3, f64x2.add(ref, f64x2.mul(hi, step)));
}

/** Adds one frame of 1-byte codes. */
export function addCodes8(codes: usize, n: i32, refDb: f64, stepDb: f64, max: usize, sum: usize): void {
  const ref = f64x2.splat(refDb);
  const step = f64x2.splat(stepDb);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const b = v128.load(codes + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(b);
    const hi = i16x8.extend_high_i8x16_u(b);
    accumulate4(i32x4.extend_low_i16x8_u(lo), ref, step, max, sum, <usize>i);
    accumulate4(i32x4.extend_high_i16x8_u(lo), ref, step, max, sum, <usize>(i + 4));
    accumulate4(i32x4.extend_low_i16x8_u(hi), ref, step, max, sum, <usize>(i + 8));
    accumulate4(i32x4.extend_high_i16x8_u(hi), ref, step, max, sum, <usize>(i + 12));
  }
  for (; i < n; i++) scalarAdd(max, sum, i, refDb + <f64>load<u8>(codes + <usize>i) * stepDb);
}

/** Adds one frame of 2-byte codes (little-endian u16). */
export function addCodes16(codes: usize, n: i32, refDb: f64, stepDb: f64, max: usize, sum: usize): void {
  const ref = f64x2.splat(refDb);
  const step = f64x2.splat(stepDb);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const b = v128.load(codes + ((<usize>i) << 1));
    accumulate4(i32x4.extend_low_i16x8_u(b), ref, step, max, sum, <usize>i);
    accumulate4(i32x4.extend_high_i16x8_u(b), ref, step, max, sum, <usize>(i + 4));
  }
  for (; i < n; i++) scalarAdd(max, sum, i, refDb + <f64>load<u16>(codes + ((<usize>i) << 1)) * stepDb);
}

function scalarAdd(max: usize, sum: usize, i: i32, v: f64): void {
  const at = (<usize>i) << 3;
  if (v > load<f64>(max + at)) store<f64>(max + at, v);
  store<f64>(sum + at, load<f64>(sum + at) + v);
}

/** Adds a finished finer row (its max and mean in dB, aggregating `frames` frames). */
export function addRow(rowMax: usize, rowMean: usize, n: i32, frames: f64, max: usize, sum: usize): void {
  const w = f64x2.splat(frames);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = (<usize>i) << 3;
    v128.store(max + at, f64x2.pmax(v128.load(max + at), v128.load(rowMax + at)));
    v128.store(sum + at, f64x2.add(v128.load(sum + at), f64x2.mul(v128.load(rowMean + at), w)));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 3;
    const v = load<f64>(rowMax + at);
    if (v > load<f64>(max + at)) store<f64>(max + at, v);
    store<f64>(sum + at, load<f64>(sum + at) + load<f64>(rowMean + at) * frames);
  }
}

/**
 * Writes the accumulated row's max and mean (dB) to `rowMax` / `rowMean`, resets the accumulator
 * (max -inf, sum 0) and returns the lowest mean (+inf for n = 0).
 */
export function emitRow(max: usize, sum: usize, n: i32, frames: f64, rowMax: usize, rowMean: usize): f64 {
  const inv = f64x2.splat(1 / frames);
  const empty = f64x2.splat(-Infinity);
  const zero = f64x2.splat(0);
  let low = f64x2.splat(Infinity);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = (<usize>i) << 3;
    v128.store(rowMax + at, v128.load(max + at));
    const m = f64x2.mul(v128.load(sum + at), inv);
    v128.store(rowMean + at, m);
    low = f64x2.pmin(low, m);
    v128.store(max + at, empty);
    v128.store(sum + at, zero);
  }
  let lowest = min(f64x2.extract_lane(low, 0), f64x2.extract_lane(low, 1));
  const invs = 1 / frames;
  for (; i < n; i++) {
    const at = (<usize>i) << 3;
    store<f64>(rowMax + at, load<f64>(max + at));
    const m = load<f64>(sum + at) * invs;
    store<f64>(rowMean + at, m);
    if (m < lowest) lowest = m;
    store<f64>(max + at, -Infinity);
    store<f64>(sum + at, 0);
  }
  return lowest;
}

/** Sets an accumulator to empty: max -inf, sum 0. */
export function resetRow(max: usize, sum: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<f64>(max + ((<usize>i) << 3), -Infinity);
    store<f64>(sum + ((<usize>i) << 3), 0);
  }
}

/**
 * Four codes from four dB values at `values` (quantize's formula, clamped to `maxCode`; the values
 * are finite and at least `refDb`, so truncation is the scalar `x | 0`), as i32x4.
 */
function codes4(values: usize, ref: v128, inv: v128, half: v128, top: v128): v128 {
  const a = f64x2.pmin(f64x2.add(f64x2.mul(f64x2.sub(v128.load(values), ref), inv), half), top);
  const b = f64x2.pmin(f64x2.add(f64x2.mul(f64x2.sub(v128.load(values + 16), ref), inv), half), top);
  return v128.shuffle<u32>(i32x4.trunc_sat_f64x2_s_zero(a), i32x4.trunc_sat_f64x2_s_zero(b), 0, 1, 4, 5);
}

function quantizeScalar(v: f64, refDb: f64, inv: f64, maxCode: f64): i32 {
  const x = (v - refDb) * inv + 0.5;
  return x < maxCode ? <i32>x : <i32>maxCode;
}

/** Quantizes `n` dB values against `refDb` into codes of `codeBytes` (1 or 2) bytes at `out`. */
export function quantize(values: usize, n: i32, refDb: f64, stepDb: f64, codeBytes: i32, out: usize): void {
  const maxCode: f64 = codeBytes == 1 ? 255 : 65535;
  const inv = 1 / stepDb;
  const ref = f64x2.splat(refDb);
  const vinv = f64x2.splat(inv);
  const half = f64x2.splat(0.5);
  const top = f64x2.splat(maxCode);
  let i = 0;
  if (codeBytes == 1) {
    for (; i + 16 <= n; i += 16) {
      const p = values + ((<usize>i) << 3);
      const lo = i16x8.narrow_i32x4_u(codes4(p, ref, vinv, half, top), codes4(p + 32, ref, vinv, half, top));
      const hi = i16x8.narrow_i32x4_u(
        codes4(p + 64, ref, vinv, half, top),
        codes4(p + 96, ref, vinv, half, top),
      );
      v128.store(out + <usize>i, i8x16.narrow_i16x8_u(lo, hi));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const p = values + ((<usize>i) << 3);
      const codes = i16x8.narrow_i32x4_u(
        codes4(p, ref, vinv, half, top),
        codes4(p + 32, ref, vinv, half, top),
      );
      v128.store(out + ((<usize>i) << 1), codes);
    }
  }
  for (; i < n; i++) {
    const c = quantizeScalar(load<f64>(values + ((<usize>i) << 3)), refDb, inv, maxCode);
    if (codeBytes == 1) store<u8>(out + <usize>i, <u8>c);
    else store<u16>(out + ((<usize>i) << 1), <u16>c);
  }
}
