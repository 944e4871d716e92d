// Heimdall's DSP hot path in WebAssembly SIMD (AssemblyScript): decode + window + FFT + |X|^2
// accumulate for Welch PSD, fused so each segment makes as few passes over memory as possible.
//
// The host (packages/dsp/src/kernel.ts) owns the memory layout: every function takes byte
// pointers into this module's memory and nothing here allocates.
//
// FFT: complex, power-of-two n >= 16, split real/imaginary arrays (SoA), Stockham autosort
// decimation in frequency, radix 4 with a radix-2 last stage when log2(n) is odd. In the stage of
// stride s (1, 4, 16, ...), p indexes butterflies of the sub-transforms of length L = n / s and
// q indexes the s interleaved sub-transforms:
//   a, b, c, d = x[i], x[i + n/4], x[i + n/2], x[i + 3n/4]   with i = q + s*p
//   y[q + s*(4p + k)] = w^(k*p) * (radix-4 butterfly)_k      with w = exp(-2 pi i / L)
// The output is in natural order. Inputs of every stage are four contiguous quarters, so all
// loads are vectors; for s >= 4 the four lanes share p (twiddles are splats), and the first stage
// (s = 1) loads twiddles as vectors and transposes its 4x4 output blocks.
//
// Twiddle table (float32, built by the host): for s = 1, 4, 16, ... while n/s > 4, np = n/(4s)
// values each of w1re, w1im, w2re, w2im, w3re, w3im (w_k = exp(-2 pi i k p s / n)), in that order.
//
// Sample formats read directly: FMT_CF32 (cf32_le), FMT_CI16 (ci16_le), FMT_CU8 (cu8),
// FMT_CI8 (ci8). The window passed in is pre-scaled by the format's scale (1, 2^-15, 2^-7, 2^-7),
// which is exact because the scales are powers of two; cu8 is offset by -127.5 before windowing.

export const FMT_CF32: i32 = 0;
export const FMT_CI16: i32 = 1;
export const FMT_CU8: i32 = 2;
export const FMT_CI8: i32 = 3;

/** First byte of memory the host may use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

// ---------------------------------------------------------------------------------------------
// Loading 4 complex samples of a format as (re, im) vectors: raw0/raw1 load, reOf/imOf convert.

function raw0<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return v128.load(p);
  if (sizeof<T>() == 2) return v128.load(p);
  if (isSigned<T>()) return v128.load8x8_s(p);
  return v128.load8x8_u(p);
}

function raw1<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return v128.load(p, 16);
  return i32x4.splat(0);
}

function reOf<T>(v0: v128, v1: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.shuffle(v0, v1, 0, 2, 4, 6);
  if (isSigned<T>()) return f32x4.convert_i32x4_s(i32x4.shr_s(i32x4.shl(v0, 16), 16));
  return f32x4.sub(f32x4.convert_i32x4_s(v128.and(v0, i32x4.splat(0xffff))), f32x4.splat(127.5));
}

function imOf<T>(v0: v128, v1: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.shuffle(v0, v1, 1, 3, 5, 7);
  if (isSigned<T>()) return f32x4.convert_i32x4_s(i32x4.shr_s(v0, 16));
  return f32x4.sub(f32x4.convert_i32x4_s(i32x4.shr_u(v0, 16)), f32x4.splat(127.5));
}

// ---------------------------------------------------------------------------------------------
// First stage (s = 1): decode + window + radix-4 + transpose. src: raw samples of one segment.

function firstStage<T>(src: usize, n: usize, win: usize, tw: usize, yr: usize, yi: usize): void {
  const q4 = n >> 2;
  const bps: usize = sizeof<T>() * 2; // bytes per complex sample
  const qb = q4 * bps; // bytes per quarter of the segment
  const qw = q4 << 2; // bytes per quarter of a float32 array
  for (let i: usize = 0; i < q4; i += 4) {
    const pa = src + i * bps;
    const pw = win + (i << 2);
    const wa = v128.load(pw);
    const wb = v128.load(pw + qw);
    const wc = v128.load(pw + 2 * qw);
    const wd = v128.load(pw + 3 * qw);
    let v0 = raw0<T>(pa);
    let v1 = raw1<T>(pa);
    const ar = f32x4.mul(reOf<T>(v0, v1), wa);
    const ai = f32x4.mul(imOf<T>(v0, v1), wa);
    v0 = raw0<T>(pa + qb);
    v1 = raw1<T>(pa + qb);
    const br = f32x4.mul(reOf<T>(v0, v1), wb);
    const bi = f32x4.mul(imOf<T>(v0, v1), wb);
    v0 = raw0<T>(pa + 2 * qb);
    v1 = raw1<T>(pa + 2 * qb);
    const cr = f32x4.mul(reOf<T>(v0, v1), wc);
    const ci = f32x4.mul(imOf<T>(v0, v1), wc);
    v0 = raw0<T>(pa + 3 * qb);
    v1 = raw1<T>(pa + 3 * qb);
    const dr = f32x4.mul(reOf<T>(v0, v1), wd);
    const di = f32x4.mul(imOf<T>(v0, v1), wd);

    const t0r = f32x4.add(ar, cr);
    const t0i = f32x4.add(ai, ci);
    const t1r = f32x4.sub(ar, cr);
    const t1i = f32x4.sub(ai, ci);
    const t2r = f32x4.add(br, dr);
    const t2i = f32x4.add(bi, di);
    const t3r = f32x4.sub(br, dr);
    const t3i = f32x4.sub(bi, di);

    const y0r = f32x4.add(t0r, t2r);
    const y0i = f32x4.add(t0i, t2i);
    const z2r = f32x4.sub(t0r, t2r);
    const z2i = f32x4.sub(t0i, t2i);
    const z1r = f32x4.add(t1r, t3i);
    const z1i = f32x4.sub(t1i, t3r);
    const z3r = f32x4.sub(t1r, t3i);
    const z3i = f32x4.add(t1i, t3r);

    const pt = tw + (i << 2);
    const w1r = v128.load(pt);
    const w1i = v128.load(pt + qw);
    const w2r = v128.load(pt + 2 * qw);
    const w2i = v128.load(pt + 3 * qw);
    const w3r = v128.load(pt + 4 * qw);
    const w3i = v128.load(pt + 5 * qw);
    const y1r = f32x4.sub(f32x4.mul(z1r, w1r), f32x4.mul(z1i, w1i));
    const y1i = f32x4.add(f32x4.mul(z1r, w1i), f32x4.mul(z1i, w1r));
    const y2r = f32x4.sub(f32x4.mul(z2r, w2r), f32x4.mul(z2i, w2i));
    const y2i = f32x4.add(f32x4.mul(z2r, w2i), f32x4.mul(z2i, w2r));
    const y3r = f32x4.sub(f32x4.mul(z3r, w3r), f32x4.mul(z3i, w3i));
    const y3i = f32x4.add(f32x4.mul(z3r, w3i), f32x4.mul(z3i, w3r));

    // y[4p + k] for p = i..i+3: transpose the 4x4 block (rows p, columns k).
    const o = i << 4; // byte offset of y[4i]
    let s0 = f32x4.shuffle(y0r, y1r, 0, 4, 1, 5);
    let s1 = f32x4.shuffle(y2r, y3r, 0, 4, 1, 5);
    let s2 = f32x4.shuffle(y0r, y1r, 2, 6, 3, 7);
    let s3 = f32x4.shuffle(y2r, y3r, 2, 6, 3, 7);
    v128.store(yr + o, f32x4.shuffle(s0, s1, 0, 1, 4, 5));
    v128.store(yr + o, f32x4.shuffle(s0, s1, 2, 3, 6, 7), 16);
    v128.store(yr + o, f32x4.shuffle(s2, s3, 0, 1, 4, 5), 32);
    v128.store(yr + o, f32x4.shuffle(s2, s3, 2, 3, 6, 7), 48);
    s0 = f32x4.shuffle(y0i, y1i, 0, 4, 1, 5);
    s1 = f32x4.shuffle(y2i, y3i, 0, 4, 1, 5);
    s2 = f32x4.shuffle(y0i, y1i, 2, 6, 3, 7);
    s3 = f32x4.shuffle(y2i, y3i, 2, 6, 3, 7);
    v128.store(yi + o, f32x4.shuffle(s0, s1, 0, 1, 4, 5));
    v128.store(yi + o, f32x4.shuffle(s0, s1, 2, 3, 6, 7), 16);
    v128.store(yi + o, f32x4.shuffle(s2, s3, 0, 1, 4, 5), 32);
    v128.store(yi + o, f32x4.shuffle(s2, s3, 2, 3, 6, 7), 48);
  }
}

// ---------------------------------------------------------------------------------------------
// Middle stage of stride s >= 4 (n / s > 4): radix-4 with splat twiddles.

function middleStage(n: usize, s: usize, tw: usize, xr: usize, xi: usize, yr: usize, yi: usize): void {
  const qw = n; // bytes per quarter of a float32 array: (n / 4) * 4
  const np = n / (s << 2);
  const tq = np << 2; // bytes per twiddle row
  const sb = s << 2; // bytes of s floats
  for (let p: usize = 0; p < np; p++) {
    const pt = tw + (p << 2);
    const w1r = v128.load32_splat(pt);
    const w1i = v128.load32_splat(pt + tq);
    const w2r = v128.load32_splat(pt + 2 * tq);
    const w2i = v128.load32_splat(pt + 3 * tq);
    const w3r = v128.load32_splat(pt + 4 * tq);
    const w3i = v128.load32_splat(pt + 5 * tq);
    const inBase = (s * p) << 2;
    const outBase = (s * p) << 4;
    for (let q: usize = 0; q < sb; q += 16) {
      const ia = inBase + q;
      const ar = v128.load(xr + ia);
      const ai = v128.load(xi + ia);
      const br = v128.load(xr + ia + qw);
      const bi = v128.load(xi + ia + qw);
      const cr = v128.load(xr + ia + 2 * qw);
      const ci = v128.load(xi + ia + 2 * qw);
      const dr = v128.load(xr + ia + 3 * qw);
      const di = v128.load(xi + ia + 3 * qw);

      const t0r = f32x4.add(ar, cr);
      const t0i = f32x4.add(ai, ci);
      const t1r = f32x4.sub(ar, cr);
      const t1i = f32x4.sub(ai, ci);
      const t2r = f32x4.add(br, dr);
      const t2i = f32x4.add(bi, di);
      const t3r = f32x4.sub(br, dr);
      const t3i = f32x4.sub(bi, di);

      const z2r = f32x4.sub(t0r, t2r);
      const z2i = f32x4.sub(t0i, t2i);
      const z1r = f32x4.add(t1r, t3i);
      const z1i = f32x4.sub(t1i, t3r);
      const z3r = f32x4.sub(t1r, t3i);
      const z3i = f32x4.add(t1i, t3r);

      const o = outBase + q;
      v128.store(yr + o, f32x4.add(t0r, t2r));
      v128.store(yi + o, f32x4.add(t0i, t2i));
      v128.store(yr + o + sb, f32x4.sub(f32x4.mul(z1r, w1r), f32x4.mul(z1i, w1i)));
      v128.store(yi + o + sb, f32x4.add(f32x4.mul(z1r, w1i), f32x4.mul(z1i, w1r)));
      v128.store(yr + o + 2 * sb, f32x4.sub(f32x4.mul(z2r, w2r), f32x4.mul(z2i, w2i)));
      v128.store(yi + o + 2 * sb, f32x4.add(f32x4.mul(z2r, w2i), f32x4.mul(z2i, w2r)));
      v128.store(yr + o + 3 * sb, f32x4.sub(f32x4.mul(z3r, w3r), f32x4.mul(z3i, w3i)));
      v128.store(yi + o + 3 * sb, f32x4.add(f32x4.mul(z3r, w3i), f32x4.mul(z3i, w3r)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Last stages: s = n/4 (radix 4, no twiddles) or s = n/2 (radix 2). Either add |y|^2 to float64
// sums (acc) or write y interleaved (re, im) to out.

function accumulate(acc: usize, k: usize, yr: v128, yi: v128): void {
  const pw = f32x4.add(f32x4.mul(yr, yr), f32x4.mul(yi, yi));
  const pa = acc + (k << 3);
  v128.store(pa, f64x2.add(v128.load(pa), f64x2.promote_low_f32x4(pw)));
  v128.store(
    pa,
    f64x2.add(v128.load(pa, 16), f64x2.promote_low_f32x4(f32x4.shuffle(pw, pw, 2, 3, 2, 3))),
    16,
  );
}

function interleave(out: usize, k: usize, yr: v128, yi: v128): void {
  const po = out + (k << 3);
  v128.store(po, f32x4.shuffle(yr, yi, 0, 4, 1, 5));
  v128.store(po, f32x4.shuffle(yr, yi, 2, 6, 3, 7), 16);
}

function lastStage4<M>(n: usize, xr: usize, xi: usize, dst: usize): void {
  const q4 = n >> 2;
  const qw = n;
  for (let i: usize = 0; i < q4; i += 4) {
    const ia = i << 2;
    const ar = v128.load(xr + ia);
    const ai = v128.load(xi + ia);
    const br = v128.load(xr + ia + qw);
    const bi = v128.load(xi + ia + qw);
    const cr = v128.load(xr + ia + 2 * qw);
    const ci = v128.load(xi + ia + 2 * qw);
    const dr = v128.load(xr + ia + 3 * qw);
    const di = v128.load(xi + ia + 3 * qw);
    const t0r = f32x4.add(ar, cr);
    const t0i = f32x4.add(ai, ci);
    const t1r = f32x4.sub(ar, cr);
    const t1i = f32x4.sub(ai, ci);
    const t2r = f32x4.add(br, dr);
    const t2i = f32x4.add(bi, di);
    const t3r = f32x4.sub(br, dr);
    const t3i = f32x4.sub(bi, di);
    if (sizeof<M>() == 8) {
      accumulate(dst, i, f32x4.add(t0r, t2r), f32x4.add(t0i, t2i));
      accumulate(dst, i + q4, f32x4.add(t1r, t3i), f32x4.sub(t1i, t3r));
      accumulate(dst, i + 2 * q4, f32x4.sub(t0r, t2r), f32x4.sub(t0i, t2i));
      accumulate(dst, i + 3 * q4, f32x4.sub(t1r, t3i), f32x4.add(t1i, t3r));
    } else {
      interleave(dst, i, f32x4.add(t0r, t2r), f32x4.add(t0i, t2i));
      interleave(dst, i + q4, f32x4.add(t1r, t3i), f32x4.sub(t1i, t3r));
      interleave(dst, i + 2 * q4, f32x4.sub(t0r, t2r), f32x4.sub(t0i, t2i));
      interleave(dst, i + 3 * q4, f32x4.sub(t1r, t3i), f32x4.add(t1i, t3r));
    }
  }
}

function lastStage2<M>(n: usize, xr: usize, xi: usize, dst: usize): void {
  const h = n >> 1;
  const hw = h << 2;
  for (let i: usize = 0; i < h; i += 4) {
    const ia = i << 2;
    const ar = v128.load(xr + ia);
    const ai = v128.load(xi + ia);
    const br = v128.load(xr + ia + hw);
    const bi = v128.load(xi + ia + hw);
    if (sizeof<M>() == 8) {
      accumulate(dst, i, f32x4.add(ar, br), f32x4.add(ai, bi));
      accumulate(dst, i + h, f32x4.sub(ar, br), f32x4.sub(ai, bi));
    } else {
      interleave(dst, i, f32x4.add(ar, br), f32x4.add(ai, bi));
      interleave(dst, i + h, f32x4.sub(ar, br), f32x4.sub(ai, bi));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Whole transforms.

/**
 * One FFT of n points: first stage from raw samples of format T at src (windowed by win), then
 * the middle stages, then the last stage into dst: float64 |X|^2 sums if M is f64, interleaved
 * complex float32 if M is f32. work: 4n float32 (two SoA buffers).
 */
function transform<T, M>(n: usize, src: usize, win: usize, tw: usize, work: usize, dst: usize): void {
  const nb = n << 2;
  let xr = work;
  let xi = work + nb;
  let yr = work + 2 * nb;
  let yi = work + 3 * nb;
  firstStage<T>(src, n, win, tw, xr, xi);
  let twp = tw + 6 * n; // 6 rows of n/4 floats
  let s: usize = 4;
  while (n / s > 4) {
    middleStage(n, s, twp, xr, xi, yr, yi);
    twp += 6 * (n / (s << 2)) * 4;
    const tr = xr;
    const ti = xi;
    xr = yr;
    xi = yi;
    yr = tr;
    yi = ti;
    s <<= 2;
  }
  if (n / s == 4) lastStage4<M>(n, xr, xi, dst);
  else lastStage2<M>(n, xr, xi, dst);
}

function welchSegmentsOf<T>(
  n: usize,
  src: usize,
  stepBytes: usize,
  count: i32,
  win: usize,
  tw: usize,
  work: usize,
  acc: usize,
): void {
  for (let k = 0; k < count; k++) {
    transform<T, f64>(n, src + <usize>k * stepBytes, win, tw, work, acc);
  }
}

/**
 * Welch inner loop: `count` segments of n samples of format `fmt` starting at `src`, `stepBytes`
 * apart, each windowed (win: n float32, pre-scaled for the format), transformed and its |X|^2
 * added to acc (n float64, natural order).
 */
export function welchSegments(
  fmt: i32,
  n: usize,
  src: usize,
  stepBytes: usize,
  count: i32,
  win: usize,
  tw: usize,
  work: usize,
  acc: usize,
): void {
  if (fmt == FMT_CF32) welchSegmentsOf<f32>(n, src, stepBytes, count, win, tw, work, acc);
  else if (fmt == FMT_CI16) welchSegmentsOf<i16>(n, src, stepBytes, count, win, tw, work, acc);
  else if (fmt == FMT_CU8) welchSegmentsOf<u8>(n, src, stepBytes, count, win, tw, work, acc);
  else welchSegmentsOf<i8>(n, src, stepBytes, count, win, tw, work, acc);
}

/**
 * Forward FFT of n interleaved complex float32 at src into dst (may equal src). win: n float32
 * multiplied in first (ones for a plain FFT).
 */
export function fftInterleaved(n: usize, src: usize, win: usize, tw: usize, work: usize, dst: usize): void {
  transform<f32, f32>(n, src, win, tw, work, dst);
}

/** Negates the imaginary parts of n interleaved complex float32 and multiplies all by scale. */
export function conjugateScale(p: usize, n: usize, scale: f32): void {
  const m = f32x4.mul(f32x4.splat(scale), f32x4(1, -1, 1, -1));
  const end = p + (n << 3);
  for (let a = p; a < end; a += 16) v128.store(a, f32x4.mul(v128.load(a), m));
}

export { welchSegments64, fftInterleaved64 } from './kernel64';
