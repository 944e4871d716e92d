// The simulator's per-sample work in WebAssembly SIMD (AssemblyScript): mixing each emitter's
// envelope to its baseband frequency and adding it up, thermal noise, and the ADC.
//
// The host (packages/sim/src/kernel.ts) owns the memory layout: every function takes byte
// pointers into this module's memory and nothing here allocates. Signals are split real and
// imaginary float32 arrays ("acc") of one chunk.
//
// Oscillator: the phase is a 32-bit integer word (2^32 = one cycle) that advances by an integer
// increment per sample, itself ramping linearly across a control segment (so frequency is
// piecewise linear and phase exact in integers). Four lanes rotate by complex multiplication from
// phasors taken, with first-order interpolation, from a cos/sin table at exact angles
// 2 pi i / 16384, re-anchored from the integer phase at every segment start.

const SHIFT: u32 = 18;
const FRAC_MASK: u32 = (1 << 18) - 1;
const FRAC_SCALE: f32 = <f32>((2 * Math.PI) / 4294967296.0);

/** First byte of memory the host may use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

// cos / sin of a phase word, into these globals (no tuples in AssemblyScript without allocation)
let outC: f32 = 0;
let outS: f32 = 0;

function cs(cosT: usize, sinT: usize, ph: i32): void {
  const u = <u32>ph;
  const i = (<usize>(u >>> SHIFT)) << 2;
  const d = <f32>(u & FRAC_MASK) * FRAC_SCALE;
  const c = load<f32>(cosT + i);
  const s = load<f32>(sinT + i);
  outC = c - d * s;
  outS = s + d * c;
}

/** Phase after `cnt` samples from segment offset m, increments inc0 + dinc * (offset). */
function advance(ph: i32, inc0: i32, dinc: i32, m: i32, cnt: i32): i32 {
  return ph + cnt * inc0 + dinc * (cnt * m + ((cnt * (cnt - 1)) >> 1));
}

/** Phase increment for a frequency offset (Hz, as float32) on top of the carrier's increment. */
function incOf(freqs: usize, s: usize, carrierInc: i32, hzToInc: f64): i32 {
  const f = load<f32>(freqs + (s << 2));
  if (f === 0) return carrierInc;
  return carrierInc + <i32>(<i64>Math.round(<f64>f * hzToInc));
}

/** Re-anchor the lane phasors from the integer phase after this many segments. */
const REANCHOR = 32;

/**
 * Adds one emitter to the chunk acc[0, n): envelope (envRe/envIm) and frequency offset in Hz
 * (freqs), all float32, at control points 0, 1, ... spaced `step` samples, the chunk starting
 * `m0` samples after point 0. The increment is carrierInc + round(f * hzToInc) at each point and
 * ramps linearly between points. `phase` is the phase at the first sample; returns the phase
 * after the last.
 *
 * Four lanes hold the oscillator phasors of four consecutive samples and turn by their 4-sample
 * rotation per group; the phasors carry over from one segment to the next and are re-anchored
 * from the exact integer phase every few segments and after silence.
 */
export function mixPoints(
  accRe: usize,
  accIm: usize,
  n: i32,
  m0: i32,
  step: i32,
  envRe: usize,
  envIm: usize,
  freqs: usize,
  carrierInc: i32,
  hzToInc: f64,
  phase: i32,
  cosT: usize,
  sinT: usize,
): i32 {
  let k = 0;
  let s: usize = 0;
  let m = m0;
  let ph = phase;
  let inc1 = incOf(freqs, 0, carrierInc, hzToInc);
  let anchoredFor = 0; // segments since the lanes were anchored (0: not anchored)
  let pr = f32x4.splat(0);
  let pi = f32x4.splat(0);
  const lanes = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(0), 1, 1), 2, 2), 3, 3);
  while (k < n) {
    const cnt = min(step - m, n - k);
    const inc0 = inc1;
    inc1 = incOf(freqs, s + 1, carrierInc, hzToInc);
    const dinc = (inc1 - inc0) / step;
    const e0r = load<f32>(envRe + (s << 2));
    const e0i = load<f32>(envIm + (s << 2));
    const e1r = load<f32>(envRe + ((s + 1) << 2));
    const e1i = load<f32>(envIm + ((s + 1) << 2));
    const inv = <f32>1.0 / <f32>step;
    const der = (e1r - e0r) * inv;
    const dei = (e1i - e0i) * inv;
    if (e0r === 0 && e0i === 0 && e1r === 0 && e1i === 0) {
      ph = advance(ph, inc0, dinc, m, cnt);
      anchoredFor = 0;
      if (inc0 === carrierInc && inc1 === carrierInc) {
        // a silent stretch (radar between pulses, a closed burst): skip whole segments at once
        let skipped = 0;
        while (k + cnt + skipped + step <= n) {
          const t = s + 2;
          if (
            load<f32>(envRe + (t << 2)) !== 0 ||
            load<f32>(envIm + (t << 2)) !== 0 ||
            load<f32>(freqs + (t << 2)) !== 0
          )
            break;
          skipped += step;
          s++;
        }
        ph += skipped * carrierInc;
        k += skipped;
      }
    } else if ((m & 3) !== 0 || (cnt & 3) !== 0) {
      // short or unaligned segments (steps under 4 samples): exact phase per sample
      for (let j = 0; j < cnt; j++) {
        const o = <f32>(m + j);
        cs(cosT, sinT, advance(ph, inc0, dinc, m, j));
        const vr = e0r + der * o;
        const vi = e0i + dei * o;
        const a = accRe + ((<usize>(k + j)) << 2);
        const b = accIm + ((<usize>(k + j)) << 2);
        store<f32>(a, load<f32>(a) + (vr * outC - vi * outS));
        store<f32>(b, load<f32>(b) + (vr * outS + vi * outC));
      }
      ph = advance(ph, inc0, dinc, m, cnt);
      anchoredFor = 0;
    } else {
      if (anchoredFor === 0 || anchoredFor >= REANCHOR) {
        cs(cosT, sinT, ph);
        pr = f32x4.replace_lane(pr, 0, outC);
        pi = f32x4.replace_lane(pi, 0, outS);
        cs(cosT, sinT, advance(ph, inc0, dinc, m, 1));
        pr = f32x4.replace_lane(pr, 1, outC);
        pi = f32x4.replace_lane(pi, 1, outS);
        cs(cosT, sinT, advance(ph, inc0, dinc, m, 2));
        pr = f32x4.replace_lane(pr, 2, outC);
        pi = f32x4.replace_lane(pi, 2, outS);
        cs(cosT, sinT, advance(ph, inc0, dinc, m, 3));
        pr = f32x4.replace_lane(pr, 3, outC);
        pi = f32x4.replace_lane(pi, 3, outS);
        anchoredFor = 0;
      }
      anchoredFor++;
      // 4-sample rotation of lane l in the first group: 4 inc0 + dinc (4 (m + l) + 6)
      cs(cosT, sinT, 4 * inc0 + dinc * (4 * m + 6));
      let wr = f32x4.splat(outC);
      let wi = f32x4.splat(outS);
      let Qr = f32x4.splat(1);
      let Qi = f32x4.splat(0);
      if (dinc !== 0) {
        // lanes differ by q4 = e^{j 4 dinc}: w_l = w_0 q4^l; every group turns them by q4^4
        cs(cosT, sinT, 4 * dinc);
        const q1r = outC;
        const q1i = outS;
        const q2r = q1r * q1r - q1i * q1i;
        const q2i = <f32>2 * q1r * q1i;
        const q3r = q2r * q1r - q2i * q1i;
        const q3i = q2r * q1i + q2i * q1r;
        const qr = f32x4.replace_lane(
          f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(<f32>1), 1, q1r), 2, q2r),
          3,
          q3r,
        );
        const qi = f32x4.replace_lane(
          f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(<f32>0), 1, q1i), 2, q2i),
          3,
          q3i,
        );
        const nr = f32x4.sub(f32x4.mul(wr, qr), f32x4.mul(wi, qi));
        wi = f32x4.add(f32x4.mul(wr, qi), f32x4.mul(wi, qr));
        wr = nr;
        Qr = f32x4.splat(q2r * q2r - q2i * q2i);
        Qi = f32x4.splat(<f32>2 * q2r * q2i);
      }
      const mf = <f32>m;
      let er = f32x4.add(f32x4.splat(e0r + der * mf), f32x4.mul(f32x4.splat(der), lanes));
      let ei = f32x4.add(f32x4.splat(e0i + dei * mf), f32x4.mul(f32x4.splat(dei), lanes));
      const der4 = f32x4.splat(4 * der);
      const dei4 = f32x4.splat(4 * dei);
      let pRe = accRe + ((<usize>k) << 2);
      let pIm = accIm + ((<usize>k) << 2);
      const groups = cnt >> 2;
      const real = e0i === 0 && e1i === 0;
      const ramp = dinc !== 0;
      for (let g = 0; g < groups; g++) {
        const ar = v128.load(pRe);
        const ai = v128.load(pIm);
        if (real) {
          v128.store(pRe, f32x4.add(ar, f32x4.mul(er, pr)));
          v128.store(pIm, f32x4.add(ai, f32x4.mul(er, pi)));
        } else {
          v128.store(pRe, f32x4.add(ar, f32x4.sub(f32x4.mul(er, pr), f32x4.mul(ei, pi))));
          v128.store(pIm, f32x4.add(ai, f32x4.add(f32x4.mul(er, pi), f32x4.mul(ei, pr))));
          ei = f32x4.add(ei, dei4);
        }
        const nr = f32x4.sub(f32x4.mul(pr, wr), f32x4.mul(pi, wi));
        pi = f32x4.add(f32x4.mul(pr, wi), f32x4.mul(pi, wr));
        pr = nr;
        if (ramp) {
          const nwr = f32x4.sub(f32x4.mul(wr, Qr), f32x4.mul(wi, Qi));
          wi = f32x4.add(f32x4.mul(wr, Qi), f32x4.mul(wi, Qr));
          wr = nwr;
        }
        er = f32x4.add(er, der4);
        pRe += 16;
        pIm += 16;
      }
      ph = advance(ph, inc0, dinc, m, cnt);
    }
    k += cnt;
    s++;
    m = 0;
  }
  return ph;
}

/**
 * Adds an emitter given as one envelope value per sample (envRe/envIm[0, n)) at a constant
 * increment. Returns the phase after the last sample.
 */
export function mixEnvelope(
  accRe: usize,
  accIm: usize,
  n: i32,
  envRe: usize,
  envIm: usize,
  phase: i32,
  inc: i32,
  cosT: usize,
  sinT: usize,
): i32 {
  let pr = f32x4.splat(0);
  let pi = f32x4.splat(0);
  cs(cosT, sinT, phase);
  pr = f32x4.replace_lane(pr, 0, outC);
  pi = f32x4.replace_lane(pi, 0, outS);
  cs(cosT, sinT, phase + inc);
  pr = f32x4.replace_lane(pr, 1, outC);
  pi = f32x4.replace_lane(pi, 1, outS);
  cs(cosT, sinT, phase + 2 * inc);
  pr = f32x4.replace_lane(pr, 2, outC);
  pi = f32x4.replace_lane(pi, 2, outS);
  cs(cosT, sinT, phase + 3 * inc);
  pr = f32x4.replace_lane(pr, 3, outC);
  pi = f32x4.replace_lane(pi, 3, outS);
  cs(cosT, sinT, 4 * inc);
  const wr = f32x4.splat(outC);
  const wi = f32x4.splat(outS);
  const groups = n >> 2;
  for (let g = 0; g < groups; g++) {
    const o = (<usize>g) << 4;
    const er = v128.load(envRe + o);
    const ei = v128.load(envIm + o);
    const ar = v128.load(accRe + o);
    const ai = v128.load(accIm + o);
    v128.store(accRe + o, f32x4.add(ar, f32x4.sub(f32x4.mul(er, pr), f32x4.mul(ei, pi))));
    v128.store(accIm + o, f32x4.add(ai, f32x4.add(f32x4.mul(er, pi), f32x4.mul(ei, pr))));
    const nr = f32x4.sub(f32x4.mul(pr, wr), f32x4.mul(pi, wi));
    pi = f32x4.add(f32x4.mul(pr, wi), f32x4.mul(pi, wr));
    pr = nr;
  }
  for (let j = groups << 2; j < n; j++) {
    cs(cosT, sinT, phase + j * inc);
    const o = (<usize>j) << 2;
    const vr = load<f32>(envRe + o);
    const vi = load<f32>(envIm + o);
    store<f32>(accRe + o, load<f32>(accRe + o) + (vr * outC - vi * outS));
    store<f32>(accIm + o, load<f32>(accIm + o) + (vr * outS + vi * outC));
  }
  return phase + n * inc;
}

/** Zeroes acc[0, n) (n a multiple of 4). */
export function clear(accRe: usize, accIm: usize, n: i32): void {
  memory.fill(accRe, 0, (<usize>n) << 2);
  memory.fill(accIm, 0, (<usize>n) << 2);
}

/**
 * Adds complex Gaussian noise (sigma per component, from a 65536-entry quantile table indexed by
 * the two halves of each xoshiro128** output, seeded with s0..s3) and a DC offset to acc[a, a+n).
 */
export function addNoise(
  accRe: usize,
  accIm: usize,
  a: i32,
  n: i32,
  sigma: f32,
  dcRe: f32,
  dcIm: f32,
  gauss: usize,
  seed0: u32,
  seed1: u32,
  seed2: u32,
  seed3: u32,
): void {
  let s0 = seed0;
  let s1 = seed1;
  let s2 = seed2;
  let s3 = seed3;
  for (let j = a; j < a + n; j++) {
    const r = rotl<u32>(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    const o = (<usize>j) << 2;
    const gr = load<f32>(gauss + ((<usize>(r >>> 16)) << 2));
    const gi = load<f32>(gauss + ((<usize>(r & 0xffff)) << 2));
    store<f32>(accRe + o, load<f32>(accRe + o) + sigma * gr + dcRe);
    store<f32>(accIm + o, load<f32>(accIm + o) + sigma * gi + dcIm);
  }
}

/** cu8 (I, Q interleaved) from acc[a, a+n): floor(x * 128 + 128) clipped to 0..255. */
export function encodeCu8(accRe: usize, accIm: usize, a: i32, n: i32, out: usize): void {
  const k128 = f32x4.splat(128);
  const lo = i32x4.splat(0);
  const hi = i32x4.splat(255);
  const groups = n >> 2;
  for (let g = 0; g < groups; g++) {
    const o = (<usize>(a + (g << 2))) << 2;
    const r = i32x4.max_s(
      lo,
      i32x4.min_s(hi, i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(v128.load(accRe + o), k128), k128))),
    );
    const i = i32x4.max_s(
      lo,
      i32x4.min_s(hi, i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(v128.load(accIm + o), k128), k128))),
    );
    // interleave the low bytes: r0 i0 r1 i1 r2 i2 r3 i3
    const bytes = i8x16.shuffle(r, i, 0, 16, 4, 20, 8, 24, 12, 28, 0, 0, 0, 0, 0, 0, 0, 0);
    v128.store64_lane(out + ((<usize>g) << 3), bytes, 0);
  }
  for (let j = groups << 2; j < n; j++) {
    const o = (<usize>(a + j)) << 2;
    const r = <i32>Mathf.floor(load<f32>(accRe + o) * 128 + 128);
    const i = <i32>Mathf.floor(load<f32>(accIm + o) * 128 + 128);
    store<u8>(out + ((<usize>j) << 1), <u8>(r < 0 ? 0 : r > 255 ? 255 : r));
    store<u8>(out + ((<usize>j) << 1) + 1, <u8>(i < 0 ? 0 : i > 255 ? 255 : i));
  }
}

/**
 * Mid-tread ADC of `bits` from acc[a, a+n): code = round(x * 2^(bits-1)) clipped to the
 * code range; written as int16 (code << (16 - bits)) when `asFloat` is 0, else as float32
 * (code / 2^(bits-1)), I and Q interleaved.
 */
export function encodeAdc(
  accRe: usize,
  accIm: usize,
  a: i32,
  n: i32,
  out: usize,
  bits: i32,
  asFloat: i32,
): void {
  const scale = <f32>(1 << (bits - 1));
  const inv = <f32>1.0 / scale;
  const lo = -scale;
  const hi = scale - 1;
  const shift = 16 - bits;
  for (let j = 0; j < n; j++) {
    const o = (<usize>(a + j)) << 2;
    let r: f32 = Mathf.round(load<f32>(accRe + o) * scale);
    let i: f32 = Mathf.round(load<f32>(accIm + o) * scale);
    r = r < lo ? lo : r > hi ? hi : r;
    i = i < lo ? lo : i > hi ? hi : i;
    if (asFloat !== 0) {
      store<f32>(out + ((<usize>j) << 3), r * inv);
      store<f32>(out + ((<usize>j) << 3) + 4, i * inv);
    } else {
      store<i16>(out + ((<usize>j) << 2), <i16>((<i32>r) << shift));
      store<i16>(out + ((<usize>j) << 2) + 2, <i16>((<i32>i) << shift));
    }
  }
}

/**
 * OFDM envelope run: `count` samples read from one pooled symbol (`size` complex float32 values
 * plus a wrap-around copy of the first), starting at fractional position pos0 and advancing by
 * `step` per sample with linear interpolation, wrapping at the end (the cyclic prefix), scaled by
 * amp, into outRe/outIm.
 */
export function ofdmRun(
  sym: usize,
  size: i32,
  pos0: f64,
  step: f64,
  count: i32,
  amp: f32,
  outRe: usize,
  outIm: usize,
): void {
  let pos = pos0;
  const fsize = <f64>size;
  for (let j = 0; j < count; j++) {
    if (pos >= fsize) pos -= fsize;
    const k = <i32>pos;
    const f = <f32>(pos - <f64>k);
    const p = sym + ((<usize>k) << 3);
    const a = load<f32>(p);
    const b = load<f32>(p, 4);
    store<f32>(outRe + ((<usize>j) << 2), amp * (a + (load<f32>(p, 8) - a) * f));
    store<f32>(outIm + ((<usize>j) << 2), amp * (b + (load<f32>(p, 12) - b) * f));
    pos += step;
  }
}
