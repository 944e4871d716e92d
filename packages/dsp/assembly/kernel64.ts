// Double-precision twin of the float32 kernel in kernel.entry.ts: the same Stockham radix-4
// algorithm and memory layout, on f64x2 vectors (two lanes). Samples are decoded straight to
// float64, so the FFT adds no error that would show next to scipy's (float64) Welch; window,
// twiddles, work buffers and sums are float64.

const FMT_CF32: i32 = 0;
const FMT_CI16: i32 = 1;
const FMT_CU8: i32 = 2;

// Two complex samples of format T at p, as i32x4 (I0, Q0, I1, Q1) for integers or f32x4 for cf32.
function raw2<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return v128.load(p);
  if (sizeof<T>() == 2) return v128.load16x4_s(p);
  if (isSigned<T>()) return i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(p)));
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
}

function re2<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 0, 2, 0, 2));
  const r = f64x2.convert_low_i32x4_s(i32x4.shuffle(v, v, 0, 2, 0, 2));
  if (isSigned<T>()) return r;
  return f64x2.sub(r, f64x2.splat(127.5));
}

function im2<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 1, 3, 1, 3));
  const r = f64x2.convert_low_i32x4_s(i32x4.shuffle(v, v, 1, 3, 1, 3));
  if (isSigned<T>()) return r;
  return f64x2.sub(r, f64x2.splat(127.5));
}

// First stage (s = 1): decode + window + radix-4 + 2x2 transposes, two butterflies per step.
function firstStage64<T>(src: usize, n: usize, win: usize, tw: usize, yr: usize, yi: usize): void {
  const q4 = n >> 2;
  const bps: usize = sizeof<T>() * 2;
  const qb = q4 * bps;
  const qd = q4 << 3; // bytes per quarter of a float64 array
  for (let i: usize = 0; i < q4; i += 2) {
    const pa = src + i * bps;
    const pw = win + (i << 3);
    const wa = v128.load(pw);
    const wb = v128.load(pw + qd);
    const wc = v128.load(pw + 2 * qd);
    const wd = v128.load(pw + 3 * qd);
    let v = raw2<T>(pa);
    const ar = f64x2.mul(re2<T>(v), wa);
    const ai = f64x2.mul(im2<T>(v), wa);
    v = raw2<T>(pa + qb);
    const br = f64x2.mul(re2<T>(v), wb);
    const bi = f64x2.mul(im2<T>(v), wb);
    v = raw2<T>(pa + 2 * qb);
    const cr = f64x2.mul(re2<T>(v), wc);
    const ci = f64x2.mul(im2<T>(v), wc);
    v = raw2<T>(pa + 3 * qb);
    const dr = f64x2.mul(re2<T>(v), wd);
    const di = f64x2.mul(im2<T>(v), wd);

    const t0r = f64x2.add(ar, cr);
    const t0i = f64x2.add(ai, ci);
    const t1r = f64x2.sub(ar, cr);
    const t1i = f64x2.sub(ai, ci);
    const t2r = f64x2.add(br, dr);
    const t2i = f64x2.add(bi, di);
    const t3r = f64x2.sub(br, dr);
    const t3i = f64x2.sub(bi, di);

    const y0r = f64x2.add(t0r, t2r);
    const y0i = f64x2.add(t0i, t2i);
    const z2r = f64x2.sub(t0r, t2r);
    const z2i = f64x2.sub(t0i, t2i);
    const z1r = f64x2.add(t1r, t3i);
    const z1i = f64x2.sub(t1i, t3r);
    const z3r = f64x2.sub(t1r, t3i);
    const z3i = f64x2.add(t1i, t3r);

    const pt = tw + (i << 3);
    const w1r = v128.load(pt);
    const w1i = v128.load(pt + qd);
    const w2r = v128.load(pt + 2 * qd);
    const w2i = v128.load(pt + 3 * qd);
    const w3r = v128.load(pt + 4 * qd);
    const w3i = v128.load(pt + 5 * qd);
    const y1r = f64x2.sub(f64x2.mul(z1r, w1r), f64x2.mul(z1i, w1i));
    const y1i = f64x2.add(f64x2.mul(z1r, w1i), f64x2.mul(z1i, w1r));
    const y2r = f64x2.sub(f64x2.mul(z2r, w2r), f64x2.mul(z2i, w2i));
    const y2i = f64x2.add(f64x2.mul(z2r, w2i), f64x2.mul(z2i, w2r));
    const y3r = f64x2.sub(f64x2.mul(z3r, w3r), f64x2.mul(z3i, w3i));
    const y3i = f64x2.add(f64x2.mul(z3r, w3i), f64x2.mul(z3i, w3r));

    // y[4p + k] for p = i, i + 1.
    const o = i << 5;
    v128.store(yr + o, f64x2.shuffle(y0r, y1r, 0, 2));
    v128.store(yr + o, f64x2.shuffle(y2r, y3r, 0, 2), 16);
    v128.store(yr + o, f64x2.shuffle(y0r, y1r, 1, 3), 32);
    v128.store(yr + o, f64x2.shuffle(y2r, y3r, 1, 3), 48);
    v128.store(yi + o, f64x2.shuffle(y0i, y1i, 0, 2));
    v128.store(yi + o, f64x2.shuffle(y2i, y3i, 0, 2), 16);
    v128.store(yi + o, f64x2.shuffle(y0i, y1i, 1, 3), 32);
    v128.store(yi + o, f64x2.shuffle(y2i, y3i, 1, 3), 48);
  }
}

// Middle stage of stride s >= 4 (n / s > 4).
function middleStage64(n: usize, s: usize, tw: usize, xr: usize, xi: usize, yr: usize, yi: usize): void {
  const qd = n << 1; // (n / 4) * 8
  const np = n / (s << 2);
  const tq = np << 3;
  const sb = s << 3;
  for (let p: usize = 0; p < np; p++) {
    const pt = tw + (p << 3);
    const w1r = v128.load64_splat(pt);
    const w1i = v128.load64_splat(pt + tq);
    const w2r = v128.load64_splat(pt + 2 * tq);
    const w2i = v128.load64_splat(pt + 3 * tq);
    const w3r = v128.load64_splat(pt + 4 * tq);
    const w3i = v128.load64_splat(pt + 5 * tq);
    const inBase = (s * p) << 3;
    const outBase = (s * p) << 5;
    for (let q: usize = 0; q < sb; q += 16) {
      const ia = inBase + q;
      const ar = v128.load(xr + ia);
      const ai = v128.load(xi + ia);
      const br = v128.load(xr + ia + qd);
      const bi = v128.load(xi + ia + qd);
      const cr = v128.load(xr + ia + 2 * qd);
      const ci = v128.load(xi + ia + 2 * qd);
      const dr = v128.load(xr + ia + 3 * qd);
      const di = v128.load(xi + ia + 3 * qd);

      const t0r = f64x2.add(ar, cr);
      const t0i = f64x2.add(ai, ci);
      const t1r = f64x2.sub(ar, cr);
      const t1i = f64x2.sub(ai, ci);
      const t2r = f64x2.add(br, dr);
      const t2i = f64x2.add(bi, di);
      const t3r = f64x2.sub(br, dr);
      const t3i = f64x2.sub(bi, di);

      const z2r = f64x2.sub(t0r, t2r);
      const z2i = f64x2.sub(t0i, t2i);
      const z1r = f64x2.add(t1r, t3i);
      const z1i = f64x2.sub(t1i, t3r);
      const z3r = f64x2.sub(t1r, t3i);
      const z3i = f64x2.add(t1i, t3r);

      const o = outBase + q;
      v128.store(yr + o, f64x2.add(t0r, t2r));
      v128.store(yi + o, f64x2.add(t0i, t2i));
      v128.store(yr + o + sb, f64x2.sub(f64x2.mul(z1r, w1r), f64x2.mul(z1i, w1i)));
      v128.store(yi + o + sb, f64x2.add(f64x2.mul(z1r, w1i), f64x2.mul(z1i, w1r)));
      v128.store(yr + o + 2 * sb, f64x2.sub(f64x2.mul(z2r, w2r), f64x2.mul(z2i, w2i)));
      v128.store(yi + o + 2 * sb, f64x2.add(f64x2.mul(z2r, w2i), f64x2.mul(z2i, w2r)));
      v128.store(yr + o + 3 * sb, f64x2.sub(f64x2.mul(z3r, w3r), f64x2.mul(z3i, w3i)));
      v128.store(yi + o + 3 * sb, f64x2.add(f64x2.mul(z3r, w3i), f64x2.mul(z3i, w3r)));
    }
  }
}

function accumulate64(acc: usize, k: usize, yr: v128, yi: v128): void {
  const pa = acc + (k << 3);
  v128.store(pa, f64x2.add(v128.load(pa), f64x2.add(f64x2.mul(yr, yr), f64x2.mul(yi, yi))));
}

function interleave64(out: usize, k: usize, yr: v128, yi: v128): void {
  v128.store(
    out + (k << 3),
    f32x4.shuffle(f32x4.demote_f64x2_zero(yr), f32x4.demote_f64x2_zero(yi), 0, 4, 1, 5),
  );
}

function lastStage4x64<M>(n: usize, xr: usize, xi: usize, dst: usize): void {
  const q4 = n >> 2;
  const qd = n << 1;
  for (let i: usize = 0; i < q4; i += 2) {
    const ia = i << 3;
    const ar = v128.load(xr + ia);
    const ai = v128.load(xi + ia);
    const br = v128.load(xr + ia + qd);
    const bi = v128.load(xi + ia + qd);
    const cr = v128.load(xr + ia + 2 * qd);
    const ci = v128.load(xi + ia + 2 * qd);
    const dr = v128.load(xr + ia + 3 * qd);
    const di = v128.load(xi + ia + 3 * qd);
    const t0r = f64x2.add(ar, cr);
    const t0i = f64x2.add(ai, ci);
    const t1r = f64x2.sub(ar, cr);
    const t1i = f64x2.sub(ai, ci);
    const t2r = f64x2.add(br, dr);
    const t2i = f64x2.add(bi, di);
    const t3r = f64x2.sub(br, dr);
    const t3i = f64x2.sub(bi, di);
    if (sizeof<M>() == 8) {
      accumulate64(dst, i, f64x2.add(t0r, t2r), f64x2.add(t0i, t2i));
      accumulate64(dst, i + q4, f64x2.add(t1r, t3i), f64x2.sub(t1i, t3r));
      accumulate64(dst, i + 2 * q4, f64x2.sub(t0r, t2r), f64x2.sub(t0i, t2i));
      accumulate64(dst, i + 3 * q4, f64x2.sub(t1r, t3i), f64x2.add(t1i, t3r));
    } else {
      interleave64(dst, i, f64x2.add(t0r, t2r), f64x2.add(t0i, t2i));
      interleave64(dst, i + q4, f64x2.add(t1r, t3i), f64x2.sub(t1i, t3r));
      interleave64(dst, i + 2 * q4, f64x2.sub(t0r, t2r), f64x2.sub(t0i, t2i));
      interleave64(dst, i + 3 * q4, f64x2.sub(t1r, t3i), f64x2.add(t1i, t3r));
    }
  }
}

function lastStage2x64<M>(n: usize, xr: usize, xi: usize, dst: usize): void {
  const h = n >> 1;
  const hd = h << 3;
  for (let i: usize = 0; i < h; i += 2) {
    const ia = i << 3;
    const ar = v128.load(xr + ia);
    const ai = v128.load(xi + ia);
    const br = v128.load(xr + ia + hd);
    const bi = v128.load(xi + ia + hd);
    if (sizeof<M>() == 8) {
      accumulate64(dst, i, f64x2.add(ar, br), f64x2.add(ai, bi));
      accumulate64(dst, i + h, f64x2.sub(ar, br), f64x2.sub(ai, bi));
    } else {
      interleave64(dst, i, f64x2.add(ar, br), f64x2.add(ai, bi));
      interleave64(dst, i + h, f64x2.sub(ar, br), f64x2.sub(ai, bi));
    }
  }
}

function transform64<T, M>(n: usize, src: usize, win: usize, tw: usize, work: usize, dst: usize): void {
  const nb = n << 3;
  let xr = work;
  let xi = work + nb;
  let yr = work + 2 * nb;
  let yi = work + 3 * nb;
  firstStage64<T>(src, n, win, tw, xr, xi);
  let twp = tw + 6 * (n >> 2) * 8;
  let s: usize = 4;
  while (n / s > 4) {
    middleStage64(n, s, twp, xr, xi, yr, yi);
    twp += 6 * (n / (s << 2)) * 8;
    const tr = xr;
    const ti = xi;
    xr = yr;
    xi = yi;
    yr = tr;
    yi = ti;
    s <<= 2;
  }
  if (n / s == 4) lastStage4x64<M>(n, xr, xi, dst);
  else lastStage2x64<M>(n, xr, xi, dst);
}

function welchSegmentsOf64<T>(
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
    transform64<T, f64>(n, src + <usize>k * stepBytes, win, tw, work, acc);
  }
}

/** As welchSegments, in float64: win, twiddles (tw), work (4n) and acc are float64 arrays. */
export function welchSegments64(
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
  if (fmt == FMT_CF32) welchSegmentsOf64<f32>(n, src, stepBytes, count, win, tw, work, acc);
  else if (fmt == FMT_CI16) welchSegmentsOf64<i16>(n, src, stepBytes, count, win, tw, work, acc);
  else if (fmt == FMT_CU8) welchSegmentsOf64<u8>(n, src, stepBytes, count, win, tw, work, acc);
  else welchSegmentsOf64<i8>(n, src, stepBytes, count, win, tw, work, acc);
}

/** As fftInterleaved, computed in float64 (float32 interleaved in and out; win is float64). */
export function fftInterleaved64(n: usize, src: usize, win: usize, tw: usize, work: usize, dst: usize): void {
  transform64<f32, f32>(n, src, win, tw, work, dst);
}
