// The simulator's per-sample work in WebAssembly SIMD (AssemblyScript): mixing each emitter's
// envelope to its baseband frequency and adding it up, pulse-shaped data and OFDM envelopes,
// thermal noise, and the ADC.
//
// The host (packages/sim/src/kernel.ts) owns the memory layout: every function takes byte
// pointers into this module's memory and nothing here allocates. Signals are split real and
// imaginary float32 arrays ("acc") of one chunk.
//
// Oscillator: the phase is a 32-bit integer word (2^32 = one cycle) that advances by an integer
// increment per sample, itself ramping linearly across a control segment (so frequency is
// piecewise linear and phase exact in integers). Lanes of four samples rotate by complex
// multiplication from phasors taken, with first-order interpolation, from a table of (cos, sin)
// pairs at exact angles 2 pi i / 16384, anchored from the integer phase (see mixWide).
//
// V8 notes that shaped this code: the loops run two independent chains of lanes (a complex
// multiply's latency otherwise bounds them); hot loops avoid integer-to-float conversions (V8
// gives them a false dependency on a scratch register that SIMD sequences also use) and
// float-to-integer ones (long sequences); state stays in locals, not globals (globals live in
// memory).

const SHIFT: u32 = 18;
const FRAC_MASK: u32 = (1 << 18) - 1;
/** Radians per table step: the fraction (in [0, 1)) times this is the interpolation angle. */
const STEP_ANGLE: f32 = <f32>((2 * Math.PI) / 16384.0);
// the oscillator table holds (cos, sin) pairs: cosT points at the first cos, sinT = cosT + 4
const ENTRY_SHIFT: u32 = 3;

/** First byte of memory the host may use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

/** Lane numbers 0, 1, 2, 3. */
const LANES: v128 = f32x4(0, 1, 2, 3);
const LANES_I: v128 = i32x4(0, 1, 2, 3);
const LANES_I4: v128 = i32x4(4, 5, 6, 7);
/** l (l - 1) / 2 for lanes l = 0..3 and 4..7. */
const TRI_A: v128 = i32x4(0, 0, 1, 3);
const TRI_B: v128 = i32x4(6, 10, 15, 21);

/**
 * The phase word's position between table entries, in [0, 1): its 18 low bits made the mantissa
 * of a float in [1, 2), less 1. Bit operations instead of an integer-to-float conversion, which
 * V8 compiles with a false dependency on a scratch register that SIMD code also uses.
 */
function fracOf(u: u32): f32 {
  return reinterpret<f32>(((u & FRAC_MASK) << 5) | 0x3f800000) - 1;
}

/** cos and sin of a phase word as lanes 0 and 1 (first-order interpolation in the table). */
function csv(cosT: usize, sinT: usize, ph: i32): v128 {
  const u = <u32>ph;
  const i = (<usize>(u >>> SHIFT)) << ENTRY_SHIFT;
  const d = fracOf(u) * STEP_ANGLE;
  const c = load<f32>(cosT + i);
  const s = load<f32>(sinT + i);
  return f32x4.replace_lane(f32x4.splat(c - d * s), 1, s + d * c);
}

/**
 * cos and sin of four phase words (i32x4), first-order interpolated, stored as vectors at `re`
 * and `im`: one 8-byte load per lane fetches a (cos, sin) pair.
 */
function sincos4To(cosT: usize, ph: v128, re: usize, im: usize): void {
  const idx = i32x4.shl(i32x4.shr_u(ph, SHIFT), ENTRY_SHIFT);
  // the 18 fraction bits as the mantissa of a float in [1, 2), less 1 (no integer conversion)
  const d = f32x4.mul(
    f32x4.sub(
      v128.or(i32x4.shl(v128.and(ph, i32x4.splat(FRAC_MASK)), 5), i32x4.splat(0x3f800000)),
      f32x4.splat(1),
    ),
    f32x4.splat(STEP_ANGLE),
  );
  const p01 = v128.load64_lane(
    cosT + <usize>i32x4.extract_lane(idx, 1),
    v128.load64_zero(cosT + <usize>i32x4.extract_lane(idx, 0)),
    1,
  );
  const p23 = v128.load64_lane(
    cosT + <usize>i32x4.extract_lane(idx, 3),
    v128.load64_zero(cosT + <usize>i32x4.extract_lane(idx, 2)),
    1,
  );
  const c = v128.shuffle<f32>(p01, p23, 0, 2, 4, 6);
  const s = v128.shuffle<f32>(p01, p23, 1, 3, 5, 7);
  v128.store(re, f32x4.sub(c, f32x4.mul(d, s)));
  v128.store(im, f32x4.add(s, f32x4.mul(d, c)));
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

/** Bytes of the scratch record for anchors and rotations (mixWide, mixSegment4, mixFmGroup). */
const SEG_BYTES: usize = 192;

/** Longest step mixed in FM groups, and the scratch a group needs (two vectors a sample). */
const GROUP_MAX_STEP = 128;

/** Bytes of scratch mixPoints needs for a chunk of n samples. */
export function segScratchBytes(n: i32): i32 {
  // the record, a group's vectors, and increments and ramps of up to n / 4 + 2 points (steps of
  // four and more)
  return <i32>SEG_BYTES + 64 * GROUP_MAX_STEP + 8 * ((n >> 2) + 16);
}

/**
 * Adds one emitter to the chunk acc[0, n): envelope (envRe/envIm) and frequency offset in Hz
 * (freqs), all float32, at control points 0, 1, ... spaced `step` samples, the chunk starting
 * `m0` samples after point 0. The increment is carrierInc + round(f * hzToInc) at each point and
 * ramps linearly between points. `phase` is the phase at the first sample; returns the phase
 * after the last. `seg` is scratch memory of segScratchBytes(n) bytes.
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
  seg: usize,
): i32 {
  if (step >= 8 && (m0 & 7) === 0 && (n & 7) === 0 && (step & 7) === 0) {
    return mixWide(
      accRe,
      accIm,
      n,
      m0,
      step,
      envRe,
      envIm,
      freqs,
      carrierInc,
      hzToInc,
      phase,
      cosT,
      sinT,
      seg,
    );
  }
  return mixNarrow(
    accRe,
    accIm,
    n,
    m0,
    step,
    envRe,
    envIm,
    freqs,
    carrierInc,
    hzToInc,
    phase,
    cosT,
    sinT,
    seg,
  );
}

/**
 * Eight (or four) consecutive whole FM segments side by side, one per lane: each lane starts
 * from the exact phasor of its segment's first sample (times its constant envelope) and turns
 * sample by sample by its own increment, itself turning by the ramp, into scratch (one vector per
 * sample offset and group of four); the scratch is then transposed in 4 x 4 blocks and added to
 * the segments' places in acc. Three table lookups per segment instead of a set-up per segment,
 * and two independent groups of four lanes: the short steps of fast FM (broadcast stereo, fast
 * data, chirps) cost little more than long ones. `ph` is the phase at the first segment's first
 * sample; incs, dincs, envRe and envIm point at the first segment's entries.
 */
function mixFmGroup(
  pRe: usize,
  pIm: usize,
  step: i32,
  ph: i32,
  incs: usize,
  dincs: usize,
  envRe: usize,
  envIm: usize,
  cosT: usize,
  tmp: usize,
  scratch: usize,
  eight: bool,
): void {
  const incA = v128.load(incs);
  const dincA = v128.load(dincs);
  const incB = eight ? v128.load(incs, 16) : incA;
  const dincB = eight ? v128.load(dincs, 16) : dincA;
  // the phase at each segment's start: the previous segment's phase plus its step of ramp
  const stepV = i32x4.splat(step);
  const triV = i32x4.splat((step * (step - 1)) >> 1);
  const advA = i32x4.add(i32x4.mul(incA, stepV), i32x4.mul(dincA, triV));
  const advB = i32x4.add(i32x4.mul(incB, stepV), i32x4.mul(dincB, triV));
  const a0 = i32x4.extract_lane(advA, 0);
  const a1 = i32x4.extract_lane(advA, 1);
  const a2 = i32x4.extract_lane(advA, 2);
  const a3 = i32x4.extract_lane(advA, 3);
  const phB = ph + a0 + a1 + a2 + a3;
  const b0 = i32x4.extract_lane(advB, 0);
  const b1 = i32x4.extract_lane(advB, 1);
  const b2 = i32x4.extract_lane(advB, 2);
  const phvA = i32x4.replace_lane(
    i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(ph), 1, ph + a0), 2, ph + a0 + a1),
    3,
    ph + a0 + a1 + a2,
  );
  const phvB = i32x4.replace_lane(
    i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(phB), 1, phB + b0), 2, phB + b0 + b1),
    3,
    phB + b0 + b1 + b2,
  );
  sincos4To(cosT, phvA, tmp, tmp + 16);
  sincos4To(cosT, incA, tmp + 32, tmp + 48);
  sincos4To(cosT, dincA, tmp + 64, tmp + 80);
  sincos4To(cosT, phvB, tmp + 96, tmp + 112);
  sincos4To(cosT, incB, tmp + 128, tmp + 144);
  sincos4To(cosT, dincB, tmp + 160, tmp + 176);
  // the segments' envelopes (points s .. s + 7) folded in
  const erA = v128.load(envRe);
  const eiA = v128.load(envIm);
  const erB = v128.load(envRe, 16);
  const eiB = v128.load(envIm, 16);
  let cr = v128.load(tmp);
  let ci = v128.load(tmp, 16);
  let ar = f32x4.sub(f32x4.mul(cr, erA), f32x4.mul(ci, eiA));
  let ai = f32x4.add(f32x4.mul(cr, eiA), f32x4.mul(ci, erA));
  cr = v128.load(tmp, 96);
  ci = v128.load(tmp, 112);
  let br = f32x4.sub(f32x4.mul(cr, erB), f32x4.mul(ci, eiB));
  let bi = f32x4.add(f32x4.mul(cr, eiB), f32x4.mul(ci, erB));
  let war = v128.load(tmp, 32);
  let wai = v128.load(tmp, 48);
  const qar = v128.load(tmp, 64);
  const qai = v128.load(tmp, 80);
  let wbr = v128.load(tmp, 128);
  let wbi = v128.load(tmp, 144);
  const qbr = v128.load(tmp, 160);
  const qbi = v128.load(tmp, 176);
  // scratch: per sample offset j, 64 bytes: A re, A im, B re, B im
  let t = scratch;
  for (let j = 0; j < step; j++) {
    v128.store(t, ar);
    v128.store(t, ai, 16);
    v128.store(t, br, 32);
    v128.store(t, bi, 48);
    const nar = f32x4.sub(f32x4.mul(ar, war), f32x4.mul(ai, wai));
    ai = f32x4.add(f32x4.mul(ar, wai), f32x4.mul(ai, war));
    ar = nar;
    const nbr = f32x4.sub(f32x4.mul(br, wbr), f32x4.mul(bi, wbi));
    bi = f32x4.add(f32x4.mul(br, wbi), f32x4.mul(bi, wbr));
    br = nbr;
    const nwar = f32x4.sub(f32x4.mul(war, qar), f32x4.mul(wai, qai));
    wai = f32x4.add(f32x4.mul(war, qai), f32x4.mul(wai, qar));
    war = nwar;
    const nwbr = f32x4.sub(f32x4.mul(wbr, qbr), f32x4.mul(wbi, qbi));
    wbi = f32x4.add(f32x4.mul(wbr, qbi), f32x4.mul(wbi, qbr));
    wbr = nwbr;
    t += 64;
  }
  // transpose 4 x 4 blocks: lane l of offsets j..j+3 goes to segment l's samples j..j+3
  const seg4 = (<usize>step) << 2;
  const parts: usize = eight ? 64 : 32;
  for (let j = 0; j < step; j += 4) {
    const b = scratch + ((<usize>j) << 6);
    const o = (<usize>j) << 2;
    for (let part: usize = 0; part < parts; part += 16) {
      const x0 = v128.load(b + part);
      const x1 = v128.load(b + part, 64);
      const x2 = v128.load(b + part, 128);
      const x3 = v128.load(b + part, 192);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      // parts: 0 A re, 16 A im, 32 B re (segments 4-7), 48 B im
      const acc = ((part & 16) === 0 ? pRe : pIm) + o + (part >= 32 ? 4 * seg4 : 0);
      v128.store(acc, f32x4.add(v128.load(acc), v128.shuffle<f32>(t0, t1, 0, 1, 4, 5)));
      v128.store(acc + seg4, f32x4.add(v128.load(acc + seg4), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7)));
      v128.store(acc + 2 * seg4, f32x4.add(v128.load(acc + 2 * seg4), v128.shuffle<f32>(t2, t3, 0, 1, 4, 5)));
      v128.store(acc + 3 * seg4, f32x4.add(v128.load(acc + 3 * seg4), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7)));
    }
  }
}

/**
 * The increment at each of `points` control points (float32 products: well under 0.1 Hz of
 * error) into incs, and each segment's ramp per sample into dincs, four at a time.
 */
function increments(
  freqs: usize,
  points: i32,
  step: i32,
  carrierInc: i32,
  hzToInc: f64,
  incs: usize,
  dincs: usize,
): void {
  const ci = i32x4.splat(carrierInc);
  const h = f32x4.splat(<f32>hzToInc);
  for (let s = 0; s < points; s += 4) {
    const f = v128.load(freqs + ((<usize>s) << 2));
    v128.store(
      incs + ((<usize>s) << 2),
      i32x4.add(ci, i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f, h)))),
    );
  }
  const invV = f32x4.splat(<f32>1 / <f32>step);
  for (let s = 0; s < points - 1; s += 4) {
    const o = (<usize>s) << 2;
    const d = i32x4.sub(v128.load(incs + o, 4), v128.load(incs + o));
    v128.store(dincs + o, i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.convert_i32x4_s(d), invV)));
  }
}

/**
 * Segments of whole blocks of eight samples. The increments of all points come first (four at a
 * time); then the chunk is walked in runs of like segments, each run in a tight loop that keeps
 * its state in registers:
 *
 * - without a ramp at one increment (fixed-frequency modulations: CW, AM, SSB, PSK, noise): the
 *   lanes (unit phasors) carry over from segment to segment, one rotation for the run;
 * - a constant envelope under a ramp (FM): each segment starts from exact anchors and rotations
 *   taken four lanes at a time from the table (short steps: four segments side by side);
 * - silence: skipped;
 * - anything else (FM keying up or down): four lanes at a time from exact anchors.
 *
 * The mixing loops run two independent groups of four lanes (samples 0-3 and 4-7 of each block
 * of eight), so that the rotation of one hides the latency of the other.
 */
function mixWide(
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
  seg: usize,
): i32 {
  const points = (m0 + n - 1) / step + 2;
  const segs = points - 1;
  const spare = seg;
  const groupScratch = seg + SEG_BYTES;
  const incs = groupScratch + ((<usize>GROUP_MAX_STEP) << 6);
  const dincs = incs + ((<usize>(points + 8)) << 2);
  increments(freqs, points, step, carrierInc, hzToInc, incs, dincs);
  const inv = <f32>1 / <f32>step;
  let ph = phase;
  let s = 0;
  while (s < segs) {
    const m = s === 0 ? m0 : 0;
    const k = s === 0 ? 0 : s * step - m0;
    const cnt = min(step - m, n - k);
    const o = (<usize>s) << 2;
    const inc0 = load<i32>(incs + o);
    const dinc = load<i32>(dincs + o);
    const e0r = load<f32>(envRe + o);
    const e0i = load<f32>(envIm + o);
    const e1r = load<f32>(envRe + o, 4);
    const e1i = load<f32>(envIm + o, 4);
    if (e0r === 0 && e0i === 0 && e1r === 0 && e1i === 0) {
      ph = advance(ph, inc0, dinc, m, cnt);
      s++;
      continue;
    }
    if (dinc === 0) {
      // a run without a ramp at this increment: lanes carried, one rotation
      anchorTo(spare, cosT, sinT, ph, inc0, 0, m, 1, 0, 8);
      let ar = v128.load(spare);
      let br = v128.load(spare, 16);
      let ai = v128.load(spare, 32);
      let bi = v128.load(spare, 48);
      const w = csv(cosT, sinT, 8 * inc0);
      const wr = f32x4.splat(f32x4.extract_lane(w, 0));
      const wi = f32x4.splat(f32x4.extract_lane(w, 1));
      const real = e0i === 0 && e1i === 0;
      let t = s;
      while (t < segs) {
        const tm = t === 0 ? m0 : 0;
        const tk = t === 0 ? 0 : t * step - m0;
        const tc = min(step - tm, n - tk);
        const to = (<usize>t) << 2;
        if (t > s && (load<i32>(dincs + to) !== 0 || load<i32>(incs + to) !== inc0)) break;
        const fr0 = load<f32>(envRe + to);
        const fi0 = load<f32>(envIm + to);
        const fr1 = load<f32>(envRe + to, 4);
        const fi1 = load<f32>(envIm + to, 4);
        if (fr0 === 0 && fi0 === 0 && fr1 === 0 && fi1 === 0) break;
        if (real && (fi0 !== 0 || fi1 !== 0)) break;
        let pRe = accRe + ((<usize>tk) << 2);
        let pIm = accIm + ((<usize>tk) << 2);
        const der = (fr1 - fr0) * inv;
        const dei = (fi1 - fi0) * inv;
        const mf = <f32>tm;
        let ear = f32x4.add(f32x4.splat(fr0 + der * mf), f32x4.mul(f32x4.splat(der), LANES));
        let ebr = f32x4.add(ear, f32x4.splat(4 * der));
        const d8r = f32x4.splat(8 * der);
        const blocks = tc >> 3;
        if (real) {
          // a real envelope (AM, CW)
          for (let g = 0; g < blocks; g++) {
            v128.store(pRe, f32x4.add(v128.load(pRe), f32x4.mul(ear, ar)));
            v128.store(pIm, f32x4.add(v128.load(pIm), f32x4.mul(ear, ai)));
            v128.store(pRe, f32x4.add(v128.load(pRe, 16), f32x4.mul(ebr, br)), 16);
            v128.store(pIm, f32x4.add(v128.load(pIm, 16), f32x4.mul(ebr, bi)), 16);
            const nar = f32x4.sub(f32x4.mul(ar, wr), f32x4.mul(ai, wi));
            ai = f32x4.add(f32x4.mul(ar, wi), f32x4.mul(ai, wr));
            ar = nar;
            const nbr = f32x4.sub(f32x4.mul(br, wr), f32x4.mul(bi, wi));
            bi = f32x4.add(f32x4.mul(br, wi), f32x4.mul(bi, wr));
            br = nbr;
            ear = f32x4.add(ear, d8r);
            ebr = f32x4.add(ebr, d8r);
            pRe += 32;
            pIm += 32;
          }
        } else {
          // a complex envelope (SSB, PSK, noise)
          let eai = f32x4.add(f32x4.splat(fi0 + dei * mf), f32x4.mul(f32x4.splat(dei), LANES));
          let ebi = f32x4.add(eai, f32x4.splat(4 * dei));
          const d8i = f32x4.splat(8 * dei);
          for (let g = 0; g < blocks; g++) {
            v128.store(pRe, f32x4.add(v128.load(pRe), f32x4.sub(f32x4.mul(ear, ar), f32x4.mul(eai, ai))));
            v128.store(pIm, f32x4.add(v128.load(pIm), f32x4.add(f32x4.mul(ear, ai), f32x4.mul(eai, ar))));
            v128.store(
              pRe,
              f32x4.add(v128.load(pRe, 16), f32x4.sub(f32x4.mul(ebr, br), f32x4.mul(ebi, bi))),
              16,
            );
            v128.store(
              pIm,
              f32x4.add(v128.load(pIm, 16), f32x4.add(f32x4.mul(ebr, bi), f32x4.mul(ebi, br))),
              16,
            );
            const nar = f32x4.sub(f32x4.mul(ar, wr), f32x4.mul(ai, wi));
            ai = f32x4.add(f32x4.mul(ar, wi), f32x4.mul(ai, wr));
            ar = nar;
            const nbr = f32x4.sub(f32x4.mul(br, wr), f32x4.mul(bi, wi));
            bi = f32x4.add(f32x4.mul(br, wi), f32x4.mul(bi, wr));
            br = nbr;
            ear = f32x4.add(ear, d8r);
            eai = f32x4.add(eai, d8i);
            ebr = f32x4.add(ebr, d8r);
            ebi = f32x4.add(ebi, d8i);
            pRe += 32;
            pIm += 32;
          }
        }
        ph += tc * inc0;
        t++;
      }
      s = t;
      continue;
    }
    if (e0r === e1r && e0i === e1i) {
      // a run of FM segments: constant envelopes under ramps, each from exact anchors
      let t = s;
      while (t < segs) {
        const tm = t === 0 ? m0 : 0;
        const tk = t === 0 ? 0 : t * step - m0;
        const tc = min(step - tm, n - tk);
        const to = (<usize>t) << 2;
        const fr = load<f32>(envRe + to);
        const fi = load<f32>(envIm + to);
        const tinc = load<i32>(incs + to);
        const td = load<i32>(dincs + to);
        if (
          td === 0 ||
          fr !== load<f32>(envRe + to, 4) ||
          fi !== load<f32>(envIm + to, 4) ||
          (fr === 0 && fi === 0)
        )
          break;
        if (
          tc === step &&
          step <= GROUP_MAX_STEP &&
          t + 4 <= segs &&
          fmGroupable(t, 4, step, m0, n, envRe, envIm, dincs)
        ) {
          // eight (or four) short segments side by side
          const g = t + 8 <= segs && fmGroupable(t + 4, 4, step, m0, n, envRe, envIm, dincs) ? 8 : 4;
          mixFmGroup(
            accRe + ((<usize>tk) << 2),
            accIm + ((<usize>tk) << 2),
            step,
            ph,
            incs + to,
            dincs + to,
            envRe + to,
            envIm + to,
            cosT,
            spare,
            groupScratch,
            g === 8,
          );
          for (let q = 0; q < g; q++) {
            const qo = to + ((<usize>q) << 2);
            ph = advance(ph, load<i32>(incs + qo), load<i32>(dincs + qo), 0, step);
          }
          t += g;
          continue;
        }
        // exact anchors of samples l = 0..7 times the envelope: phs + l inc0 + dinc (l m + l (l - 1) / 2)
        const i0 = i32x4.splat(tinc);
        const dv = i32x4.splat(td);
        const mv = i32x4.splat(tm);
        const p0 = i32x4.splat(ph);
        sincos4To(
          cosT,
          i32x4.add(
            p0,
            i32x4.add(i32x4.mul(LANES_I, i0), i32x4.mul(dv, i32x4.add(i32x4.mul(LANES_I, mv), TRI_A))),
          ),
          spare,
          spare + 32,
        );
        sincos4To(
          cosT,
          i32x4.add(
            p0,
            i32x4.add(i32x4.mul(LANES_I4, i0), i32x4.mul(dv, i32x4.add(i32x4.mul(LANES_I4, mv), TRI_B))),
          ),
          spare + 16,
          spare + 48,
        );
        // rotation of lane l per block: 8 inc0 + dinc (8 (m + l) + 28); those turn by e^{j 64 dinc}
        const base = i32x4.splat(8 * tinc + td * (8 * tm + 28));
        const d8 = i32x4.splat(8 * td);
        sincos4To(cosT, i32x4.add(base, i32x4.mul(d8, LANES_I)), spare + 64, spare + 80);
        sincos4To(cosT, i32x4.add(base, i32x4.mul(d8, LANES_I4)), spare + 96, spare + 112);
        const q = csv(cosT, sinT, 64 * td);
        const Qr = f32x4.splat(f32x4.extract_lane(q, 0));
        const Qi = f32x4.splat(f32x4.extract_lane(q, 1));
        const sfr = f32x4.splat(fr);
        const sfi = f32x4.splat(fi);
        const xr = v128.load(spare);
        const xi = v128.load(spare, 32);
        const yr = v128.load(spare, 16);
        const yi = v128.load(spare, 48);
        let ar = f32x4.sub(f32x4.mul(xr, sfr), f32x4.mul(xi, sfi));
        let ai = f32x4.add(f32x4.mul(xr, sfi), f32x4.mul(xi, sfr));
        let br = f32x4.sub(f32x4.mul(yr, sfr), f32x4.mul(yi, sfi));
        let bi = f32x4.add(f32x4.mul(yr, sfi), f32x4.mul(yi, sfr));
        let war = v128.load(spare, 64);
        let wai = v128.load(spare, 80);
        let wbr = v128.load(spare, 96);
        let wbi = v128.load(spare, 112);
        let pRe = accRe + ((<usize>tk) << 2);
        let pIm = accIm + ((<usize>tk) << 2);
        const blocks = tc >> 3;
        for (let g = 0; g < blocks; g++) {
          v128.store(pRe, f32x4.add(v128.load(pRe), ar));
          v128.store(pIm, f32x4.add(v128.load(pIm), ai));
          v128.store(pRe, f32x4.add(v128.load(pRe, 16), br), 16);
          v128.store(pIm, f32x4.add(v128.load(pIm, 16), bi), 16);
          const nar = f32x4.sub(f32x4.mul(ar, war), f32x4.mul(ai, wai));
          ai = f32x4.add(f32x4.mul(ar, wai), f32x4.mul(ai, war));
          ar = nar;
          const nbr = f32x4.sub(f32x4.mul(br, wbr), f32x4.mul(bi, wbi));
          bi = f32x4.add(f32x4.mul(br, wbi), f32x4.mul(bi, wbr));
          br = nbr;
          const nwar = f32x4.sub(f32x4.mul(war, Qr), f32x4.mul(wai, Qi));
          wai = f32x4.add(f32x4.mul(war, Qi), f32x4.mul(wai, Qr));
          war = nwar;
          const nwbr = f32x4.sub(f32x4.mul(wbr, Qr), f32x4.mul(wbi, Qi));
          wbi = f32x4.add(f32x4.mul(wbr, Qi), f32x4.mul(wbi, Qr));
          wbr = nwbr;
          pRe += 32;
          pIm += 32;
        }
        ph = advance(ph, tinc, td, tm, tc);
        t++;
      }
      s = t;
      continue;
    }
    // a ramp under a changing envelope (FM keying up or down): four lanes at a time
    mixSegment4(
      accRe + ((<usize>k) << 2),
      accIm + ((<usize>k) << 2),
      cnt,
      ph,
      inc0,
      dinc,
      m,
      e0r,
      e0i,
      (e1r - e0r) * inv,
      (e1i - e0i) * inv,
      cosT,
      sinT,
      spare,
    );
    ph = advance(ph, inc0, dinc, m, cnt);
    s++;
  }
  return ph;
}

/** Whether segments t .. t+count-1 are whole FM segments (constant non-zero envelopes under ramps). */
function fmGroupable(
  t: i32,
  count: i32,
  step: i32,
  m0: i32,
  n: i32,
  envRe: usize,
  envIm: usize,
  dincs: usize,
): bool {
  if ((t + count) * step - m0 > n || (t === 0 && m0 !== 0)) return false;
  for (let q = 0; q < count; q++) {
    const o = (<usize>(t + q)) << 2;
    const r = load<f32>(envRe + o);
    const i = load<f32>(envIm + o);
    if (
      load<i32>(dincs + o) === 0 ||
      (r === 0 && i === 0) ||
      r !== load<f32>(envRe + o, 4) ||
      i !== load<f32>(envIm + o, 4)
    )
      return false;
  }
  return true;
}

/**
 * Lane phasors of the `lanes` samples after the current one (phase `ph`, segment offset m, the
 * increment ramping from inc0 by dinc), times the complex factor (fr, fi), stored at `rec`: re
 * of lanes 0-7 at [0), im at [32).
 */
function anchorTo(
  rec: usize,
  cosT: usize,
  sinT: usize,
  ph: i32,
  inc0: i32,
  dinc: i32,
  m: i32,
  fr: f32,
  fi: f32,
  lanes: i32,
): void {
  for (let j = 0; j < lanes; j++) {
    const v = csv(cosT, sinT, advance(ph, inc0, dinc, m, j));
    const c = f32x4.extract_lane(v, 0);
    const s = f32x4.extract_lane(v, 1);
    store<f32>(rec + ((<usize>j) << 2), c * fr - s * fi);
    store<f32>(rec + ((<usize>j) << 2), c * fi + s * fr, 32);
  }
}

/**
 * One segment of cnt samples (a multiple of 4) with any envelope (e + de * offset) and any ramp,
 * four lanes at a time from exact anchors; `spare` is scratch for 64 bytes.
 */
function mixSegment4(
  pRe: usize,
  pIm: usize,
  cnt: i32,
  ph: i32,
  inc0: i32,
  dinc: i32,
  m: i32,
  e0r: f32,
  e0i: f32,
  der: f32,
  dei: f32,
  cosT: usize,
  sinT: usize,
  spare: usize,
): void {
  // exact anchors of samples l = 0..3: ph + l inc0 + dinc (l m + l (l - 1) / 2)
  const i0 = i32x4.splat(inc0);
  const dv = i32x4.splat(dinc);
  sincos4To(
    cosT,
    i32x4.add(
      i32x4.splat(ph),
      i32x4.add(i32x4.mul(LANES_I, i0), i32x4.mul(dv, i32x4.add(i32x4.mul(LANES_I, i32x4.splat(m)), TRI_A))),
    ),
    spare,
    spare + 16,
  );
  // lane l (offset m + l) turns by 4 inc0 + dinc (4 (m + l) + 6) per group; that by e^{j 16 dinc}
  sincos4To(
    cosT,
    i32x4.add(i32x4.splat(4 * inc0 + dinc * (4 * m + 6)), i32x4.mul(i32x4.splat(4 * dinc), LANES_I)),
    spare + 32,
    spare + 48,
  );
  let ar = v128.load(spare);
  let ai = v128.load(spare, 16);
  let wr = v128.load(spare, 32);
  let wi = v128.load(spare, 48);
  const q = csv(cosT, sinT, 16 * dinc);
  const Qr = f32x4.splat(f32x4.extract_lane(q, 0));
  const Qi = f32x4.splat(f32x4.extract_lane(q, 1));
  const mf = <f32>m;
  let er = f32x4.add(f32x4.splat(e0r + der * mf), f32x4.mul(f32x4.splat(der), LANES));
  let ei = f32x4.add(f32x4.splat(e0i + dei * mf), f32x4.mul(f32x4.splat(dei), LANES));
  const d4r = f32x4.splat(4 * der);
  const d4i = f32x4.splat(4 * dei);
  const groups = cnt >> 2;
  let a = pRe;
  let b = pIm;
  for (let g = 0; g < groups; g++) {
    v128.store(a, f32x4.add(v128.load(a), f32x4.sub(f32x4.mul(er, ar), f32x4.mul(ei, ai))));
    v128.store(b, f32x4.add(v128.load(b), f32x4.add(f32x4.mul(er, ai), f32x4.mul(ei, ar))));
    const nar = f32x4.sub(f32x4.mul(ar, wr), f32x4.mul(ai, wi));
    ai = f32x4.add(f32x4.mul(ar, wi), f32x4.mul(ai, wr));
    ar = nar;
    const nwr = f32x4.sub(f32x4.mul(wr, Qr), f32x4.mul(wi, Qi));
    wi = f32x4.add(f32x4.mul(wr, Qi), f32x4.mul(wi, Qr));
    wr = nwr;
    er = f32x4.add(er, d4r);
    ei = f32x4.add(ei, d4i);
    a += 16;
    b += 16;
  }
}

/**
 * Steps that are not whole blocks of eight (under 8 samples: radar, wideband data): segments of
 * whole groups of four run four lanes at a time (carried over while there is no ramp, else from
 * exact anchors in mixSegment4), shorter ones sample by sample; silent stretches are skipped
 * whole.
 */
function mixNarrow(
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
  seg: usize,
): i32 {
  const invStep = 1.0 / <f64>step;
  const inv = <f32>invStep;
  // steps of four: FM runs side by side in groups (mixFmGroup), from precomputed increments
  const fours = step === 4 && (m0 & 3) === 0 && (n & 3) === 0;
  const points = (m0 + n - 1) / step + 2;
  const groupScratch = seg + SEG_BYTES;
  const incs = groupScratch + ((<usize>GROUP_MAX_STEP) << 6);
  const dincs = incs + ((<usize>(points + 8)) << 2);
  if (fours) increments(freqs, points, step, carrierInc, hzToInc, incs, dincs);
  let k = 0;
  let s: usize = 0;
  let m = m0;
  let ph = phase;
  let inc1 = fours ? load<i32>(incs) : incOf(freqs, 0, carrierInc, hzToInc);
  // lanes (unit phasors of the next four samples) carried across segments without a ramp
  let held = false;
  let heldInc = 0;
  let ar = f32x4.splat(0);
  let ai = f32x4.splat(0);
  let wr = f32x4.splat(0);
  let wi = f32x4.splat(0);
  while (k < n) {
    const cnt = min(step - m, n - k);
    if (
      fours &&
      cnt === 4 &&
      load<i32>(dincs + (s << 2)) !== 0 &&
      fmGroupable(<i32>s, 4, 4, m0, n, envRe, envIm, dincs)
    ) {
      const g = fmGroupable(<i32>s + 4, 4, 4, m0, n, envRe, envIm, dincs) ? 8 : 4;
      const o = s << 2;
      mixFmGroup(
        accRe + ((<usize>k) << 2),
        accIm + ((<usize>k) << 2),
        4,
        ph,
        incs + o,
        dincs + o,
        envRe + o,
        envIm + o,
        cosT,
        seg,
        groupScratch,
        g === 8,
      );
      for (let q = 0; q < g; q++) {
        const qo = o + ((<usize>q) << 2);
        ph = advance(ph, load<i32>(incs + qo), load<i32>(dincs + qo), 0, 4);
      }
      k += 4 * g;
      s += g;
      m = 0;
      inc1 = load<i32>(incs + (s << 2));
      held = false;
      continue;
    }
    const inc0 = inc1;
    let dinc: i32;
    if (fours) {
      dinc = load<i32>(dincs + (s << 2));
      inc1 = load<i32>(incs + ((s + 1) << 2));
    } else {
      inc1 = incOf(freqs, s + 1, carrierInc, hzToInc);
      dinc = <i32>(<f64>(inc1 - inc0) * invStep);
    }
    const e0r = load<f32>(envRe + (s << 2));
    const e0i = load<f32>(envIm + (s << 2));
    const e1r = load<f32>(envRe + ((s + 1) << 2));
    const e1i = load<f32>(envIm + ((s + 1) << 2));
    const der = (e1r - e0r) * inv;
    const dei = (e1i - e0i) * inv;
    const pRe = accRe + ((<usize>k) << 2);
    const pIm = accIm + ((<usize>k) << 2);
    if (e0r === 0 && e0i === 0 && e1r === 0 && e1i === 0) {
      ph = advance(ph, inc0, dinc, m, cnt);
      held = false;
      if (inc0 === carrierInc && inc1 === carrierInc) {
        // a silent stretch (radar between pulses, a closed burst): skip whole segments at once,
        // four points at a time where they are all zero
        let skipped = 0;
        let t: usize = s + 2;
        const zero = f32x4.splat(0);
        while (k + cnt + skipped + 4 * step <= n) {
          const o = t << 2;
          const any = v128.or(
            v128.or(f32x4.ne(v128.load(envRe + o), zero), f32x4.ne(v128.load(envIm + o), zero)),
            f32x4.ne(v128.load(freqs + o), zero),
          );
          if (v128.any_true(any)) break;
          skipped += 4 * step;
          t += 4;
        }
        while (k + cnt + skipped + step <= n) {
          const o = t << 2;
          if (load<f32>(envRe + o) !== 0 || load<f32>(envIm + o) !== 0 || load<f32>(freqs + o) !== 0) break;
          skipped += step;
          t++;
        }
        s = t - 2;
        ph += skipped * carrierInc;
        k += skipped;
        if (skipped > 0) inc1 = carrierInc;
      }
    } else if (((m | cnt) & 3) === 0 && dinc === 0) {
      // without a ramp the lanes carry over while the increment stays
      if (!held || inc0 !== heldInc) {
        sincos4To(cosT, i32x4.add(i32x4.splat(ph), i32x4.mul(LANES_I, i32x4.splat(inc0))), seg, seg + 16);
        ar = v128.load(seg);
        ai = v128.load(seg, 16);
        const w = csv(cosT, sinT, 4 * inc0);
        wr = f32x4.splat(f32x4.extract_lane(w, 0));
        wi = f32x4.splat(f32x4.extract_lane(w, 1));
        held = true;
        heldInc = inc0;
      }
      const mf = <f32>m;
      let er = f32x4.add(f32x4.splat(e0r + der * mf), f32x4.mul(f32x4.splat(der), LANES));
      let ei = f32x4.add(f32x4.splat(e0i + dei * mf), f32x4.mul(f32x4.splat(dei), LANES));
      const d4r = f32x4.splat(4 * der);
      const d4i = f32x4.splat(4 * dei);
      let a = pRe;
      let b = pIm;
      for (let g = 0; g < cnt >> 2; g++) {
        v128.store(a, f32x4.add(v128.load(a), f32x4.sub(f32x4.mul(er, ar), f32x4.mul(ei, ai))));
        v128.store(b, f32x4.add(v128.load(b), f32x4.add(f32x4.mul(er, ai), f32x4.mul(ei, ar))));
        const nar = f32x4.sub(f32x4.mul(ar, wr), f32x4.mul(ai, wi));
        ai = f32x4.add(f32x4.mul(ar, wi), f32x4.mul(ai, wr));
        ar = nar;
        er = f32x4.add(er, d4r);
        ei = f32x4.add(ei, d4i);
        a += 16;
        b += 16;
      }
      ph = advance(ph, inc0, dinc, m, cnt);
    } else if (((m | cnt) & 3) === 0) {
      mixSegment4(pRe, pIm, cnt, ph, inc0, dinc, m, e0r, e0i, der, dei, cosT, sinT, seg);
      ph = advance(ph, inc0, dinc, m, cnt);
      held = false;
    } else {
      // short or unaligned segments: exact phase per sample
      for (let j = 0; j < cnt; j++) {
        const o = <f32>(m + j);
        const v = csv(cosT, sinT, advance(ph, inc0, dinc, m, j));
        const c = f32x4.extract_lane(v, 0);
        const sn = f32x4.extract_lane(v, 1);
        const vr = e0r + der * o;
        const vi = e0i + dei * o;
        const a = pRe + ((<usize>j) << 2);
        const b = pIm + ((<usize>j) << 2);
        store<f32>(a, load<f32>(a) + (vr * c - vi * sn));
        store<f32>(b, load<f32>(b) + (vr * sn + vi * c));
      }
      ph = advance(ph, inc0, dinc, m, cnt);
      held = false;
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
  // two groups of four lanes (samples 0-3 and 4-7 of each block of eight), rotating by 8 inc
  const v0 = csv(cosT, sinT, phase);
  const v1 = csv(cosT, sinT, phase + inc);
  const v2 = csv(cosT, sinT, phase + 2 * inc);
  const v3 = csv(cosT, sinT, phase + 3 * inc);
  const w4 = csv(cosT, sinT, 4 * inc);
  const w8 = csv(cosT, sinT, 8 * inc);
  // lanes 0 of v0..v3 into ar, lanes 1 into ai
  let ar = v128.shuffle<f32>(
    v128.shuffle<f32>(v0, v1, 0, 4, 1, 5),
    v128.shuffle<f32>(v2, v3, 0, 4, 1, 5),
    0,
    1,
    4,
    5,
  );
  let ai = v128.shuffle<f32>(
    v128.shuffle<f32>(v0, v1, 0, 4, 1, 5),
    v128.shuffle<f32>(v2, v3, 0, 4, 1, 5),
    2,
    3,
    6,
    7,
  );
  const r4 = f32x4.splat(f32x4.extract_lane(w4, 0));
  const i4 = f32x4.splat(f32x4.extract_lane(w4, 1));
  let br = f32x4.sub(f32x4.mul(ar, r4), f32x4.mul(ai, i4));
  let bi = f32x4.add(f32x4.mul(ar, i4), f32x4.mul(ai, r4));
  const wr = f32x4.splat(f32x4.extract_lane(w8, 0));
  const wi = f32x4.splat(f32x4.extract_lane(w8, 1));
  const blocks = n >> 3;
  for (let g = 0; g < blocks; g++) {
    const o = (<usize>g) << 5;
    const er = v128.load(envRe + o);
    const ei = v128.load(envIm + o);
    const fr = v128.load(envRe + o, 16);
    const fi = v128.load(envIm + o, 16);
    v128.store(accRe + o, f32x4.add(v128.load(accRe + o), f32x4.sub(f32x4.mul(er, ar), f32x4.mul(ei, ai))));
    v128.store(accIm + o, f32x4.add(v128.load(accIm + o), f32x4.add(f32x4.mul(er, ai), f32x4.mul(ei, ar))));
    v128.store(
      accRe + o,
      f32x4.add(v128.load(accRe + o, 16), f32x4.sub(f32x4.mul(fr, br), f32x4.mul(fi, bi))),
      16,
    );
    v128.store(
      accIm + o,
      f32x4.add(v128.load(accIm + o, 16), f32x4.add(f32x4.mul(fr, bi), f32x4.mul(fi, br))),
      16,
    );
    const nar = f32x4.sub(f32x4.mul(ar, wr), f32x4.mul(ai, wi));
    ai = f32x4.add(f32x4.mul(ar, wi), f32x4.mul(ai, wr));
    ar = nar;
    const nbr = f32x4.sub(f32x4.mul(br, wr), f32x4.mul(bi, wi));
    bi = f32x4.add(f32x4.mul(br, wi), f32x4.mul(bi, wr));
    br = nbr;
  }
  for (let j = blocks << 3; j < n; j++) {
    const v = csv(cosT, sinT, phase + j * inc);
    const c = f32x4.extract_lane(v, 0);
    const sn = f32x4.extract_lane(v, 1);
    const o = (<usize>j) << 2;
    const vr = load<f32>(envRe + o);
    const vi = load<f32>(envIm + o);
    store<f32>(accRe + o, load<f32>(accRe + o) + (vr * c - vi * sn));
    store<f32>(accIm + o, load<f32>(accIm + o) + (vr * sn + vi * c));
  }
  return phase + n * inc;
}

/** Zeroes acc[0, n) (n a multiple of 4). */
export function clear(accRe: usize, accIm: usize, n: i32): void {
  memory.fill(accRe, 0, (<usize>n) << 2);
  memory.fill(accIm, 0, (<usize>n) << 2);
}

/** rotl of every 32-bit lane. */
function rotl4(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

/**
 * Adds complex Gaussian noise (sigma per component) and a DC offset to acc[a, a+n) (n a multiple
 * of 4): four xoshiro128** streams, one per lane (their states drawn from the scalar generator
 * seeded with s0..s3), each output's two halves indexing a 65536-entry quantile table.
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
  // lane states from the scalar generator: 16 words
  let s0 = seed0;
  let s1 = seed1;
  let s2 = seed2;
  let s3 = seed3;
  let v0 = i32x4.splat(0);
  let v1 = i32x4.splat(0);
  let v2 = i32x4.splat(0);
  let v3 = i32x4.splat(0);
  for (let w = 0; w < 16; w++) {
    const r = rotl<u32>(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    // word w is lane (w & 3) of state vector (w >> 2); the last (s3) made odd: never all zero
    const l = w & 3;
    const q = w >> 2;
    const x = q === 3 ? r | 1 : r;
    if (l === 0) {
      if (q === 0) v0 = i32x4.replace_lane(v0, 0, x);
      else if (q === 1) v1 = i32x4.replace_lane(v1, 0, x);
      else if (q === 2) v2 = i32x4.replace_lane(v2, 0, x);
      else v3 = i32x4.replace_lane(v3, 0, x);
    } else if (l === 1) {
      if (q === 0) v0 = i32x4.replace_lane(v0, 1, x);
      else if (q === 1) v1 = i32x4.replace_lane(v1, 1, x);
      else if (q === 2) v2 = i32x4.replace_lane(v2, 1, x);
      else v3 = i32x4.replace_lane(v3, 1, x);
    } else if (l === 2) {
      if (q === 0) v0 = i32x4.replace_lane(v0, 2, x);
      else if (q === 1) v1 = i32x4.replace_lane(v1, 2, x);
      else if (q === 2) v2 = i32x4.replace_lane(v2, 2, x);
      else v3 = i32x4.replace_lane(v3, 2, x);
    } else {
      if (q === 0) v0 = i32x4.replace_lane(v0, 3, x);
      else if (q === 1) v1 = i32x4.replace_lane(v1, 3, x);
      else if (q === 2) v2 = i32x4.replace_lane(v2, 3, x);
      else v3 = i32x4.replace_lane(v3, 3, x);
    }
  }
  const five = i32x4.splat(5);
  const nine = i32x4.splat(9);
  const low = i32x4.splat(0xffff);
  const sg = f32x4.splat(sigma);
  const dr = f32x4.splat(dcRe);
  const di = f32x4.splat(dcIm);
  let pRe = accRe + ((<usize>a) << 2);
  let pIm = accIm + ((<usize>a) << 2);
  for (let g = 0; g < n >> 2; g++) {
    const r = i32x4.mul(rotl4(i32x4.mul(v1, five), 7), nine);
    const t = i32x4.shl(v1, 9);
    v2 = v128.xor(v2, v0);
    v3 = v128.xor(v3, v1);
    v1 = v128.xor(v1, v2);
    v0 = v128.xor(v0, v3);
    v2 = v128.xor(v2, t);
    v3 = rotl4(v3, 11);
    // table offsets: the high and low halves, times 4 bytes
    const hi = i32x4.shl(i32x4.shr_u(r, 16), 2);
    const lo = i32x4.shl(v128.and(r, low), 2);
    const gr = f32x4.replace_lane(
      f32x4.replace_lane(
        f32x4.replace_lane(
          f32x4.splat(load<f32>(gauss + <usize>i32x4.extract_lane(hi, 0))),
          1,
          load<f32>(gauss + <usize>i32x4.extract_lane(hi, 1)),
        ),
        2,
        load<f32>(gauss + <usize>i32x4.extract_lane(hi, 2)),
      ),
      3,
      load<f32>(gauss + <usize>i32x4.extract_lane(hi, 3)),
    );
    const gi = f32x4.replace_lane(
      f32x4.replace_lane(
        f32x4.replace_lane(
          f32x4.splat(load<f32>(gauss + <usize>i32x4.extract_lane(lo, 0))),
          1,
          load<f32>(gauss + <usize>i32x4.extract_lane(lo, 1)),
        ),
        2,
        load<f32>(gauss + <usize>i32x4.extract_lane(lo, 2)),
      ),
      3,
      load<f32>(gauss + <usize>i32x4.extract_lane(lo, 3)),
    );
    v128.store(pRe, f32x4.add(v128.load(pRe), f32x4.add(f32x4.mul(sg, gr), dr)));
    v128.store(pIm, f32x4.add(v128.load(pIm), f32x4.add(f32x4.mul(sg, gi), di)));
    pRe += 16;
    pIm += 16;
  }
}

/** cu8 (I, Q interleaved) from acc[a, a+n): floor(x * 128 + 128) clipped to 0..255. */
export function encodeCu8(accRe: usize, accIm: usize, a: i32, n: i32, out: usize): void {
  // clamp to [0, 255] and floor in float, then add 2^23 so that the integer sits in the low
  // mantissa bits: no float-to-integer conversion (V8's is a long sequence)
  const k128 = f32x4.splat(128);
  const lo = f32x4.splat(0);
  const hi = f32x4.splat(255);
  const magic = f32x4.splat(8388608);
  const groups = n >> 2;
  for (let g = 0; g < groups; g++) {
    const o = (<usize>(a + (g << 2))) << 2;
    const xr = f32x4.add(f32x4.mul(v128.load(accRe + o), k128), k128);
    const xi = f32x4.add(f32x4.mul(v128.load(accIm + o), k128), k128);
    const r = f32x4.add(f32x4.floor(f32x4.pmin(hi, f32x4.pmax(lo, xr))), magic);
    const i = f32x4.add(f32x4.floor(f32x4.pmin(hi, f32x4.pmax(lo, xi))), magic);
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
 * plus a wrap-around copy of the first; size passed as a float), starting at fractional position pos0 and advancing by
 * `step` per sample with linear interpolation, wrapping at the end (the cyclic prefix), scaled by
 * amp, into outRe/outIm.
 */
export function ofdmRun(
  sym: usize,
  size: f64,
  pos0: f64,
  step: f64,
  count: i32,
  amp: f32,
  outRe: usize,
  outIm: usize,
): void {
  // four samples at a time: positions from an exact float64 base per group (float32 within the
  // group), wrapped once at most; each lane's entry and the next come in one 16-byte load
  const fsize = size;
  const sz = f32x4.splat(<f32>size);
  const lanes = f32x4.mul(LANES, f32x4.splat(<f32>step));
  const step4 = 4 * step;
  let base = pos0;
  const a = f32x4.splat(amp);
  const groups = count >> 2;
  for (let g = 0; g < groups; g++) {
    let p = f32x4.add(f32x4.splat(<f32>base), lanes);
    base += step4;
    p = f32x4.sub(p, v128.and(f32x4.ge(p, sz), sz));
    const k = i32x4.trunc_sat_f32x4_s(p);
    const f = f32x4.sub(p, f32x4.convert_i32x4_s(k));
    const o = i32x4.shl(k, 3);
    const e0 = v128.load(sym + <usize>i32x4.extract_lane(o, 0));
    const e1 = v128.load(sym + <usize>i32x4.extract_lane(o, 1));
    const e2 = v128.load(sym + <usize>i32x4.extract_lane(o, 2));
    const e3 = v128.load(sym + <usize>i32x4.extract_lane(o, 3));
    // each e: (re k, im k, re k+1, im k+1); transpose to re k, im k, re k+1, im k+1 across lanes
    const t01lo = v128.shuffle<f32>(e0, e1, 0, 4, 1, 5); // re0k re1k im0k im1k
    const t23lo = v128.shuffle<f32>(e2, e3, 0, 4, 1, 5);
    const t01hi = v128.shuffle<f32>(e0, e1, 2, 6, 3, 7); // re0k1 re1k1 im0k1 im1k1
    const t23hi = v128.shuffle<f32>(e2, e3, 2, 6, 3, 7);
    const ar = v128.shuffle<f32>(t01lo, t23lo, 0, 1, 4, 5);
    const ai = v128.shuffle<f32>(t01lo, t23lo, 2, 3, 6, 7);
    const br = v128.shuffle<f32>(t01hi, t23hi, 0, 1, 4, 5);
    const bi = v128.shuffle<f32>(t01hi, t23hi, 2, 3, 6, 7);
    const o4 = (<usize>g) << 4;
    v128.store(outRe + o4, f32x4.mul(a, f32x4.add(ar, f32x4.mul(f32x4.sub(br, ar), f))));
    v128.store(outIm + o4, f32x4.mul(a, f32x4.add(ai, f32x4.mul(f32x4.sub(bi, ai), f))));
  }
  for (let j = groups << 2; j < count; j++) {
    let pos = pos0 + <f64>j * step;
    if (pos >= fsize) pos -= fsize;
    const k = <i32>pos;
    const f = <f32>(pos - <f64>k);
    const p = sym + ((<usize>k) << 3);
    const a0 = load<f32>(p);
    const b0 = load<f32>(p, 4);
    store<f32>(outRe + ((<usize>j) << 2), amp * (a0 + (load<f32>(p, 8) - a0) * f));
    store<f32>(outIm + ((<usize>j) << 2), amp * (b0 + (load<f32>(p, 12) - b0) * f));
  }
}

/**
 * Pulse-shaped symbols at `count` points x0, x0 + dx, ... (in symbols, relative to the first
 * symbol of the window): out[i] = scale * sum_j poly[phase][j] * sym[m - span + j], where m is
 * the symbol nearest the point and `phase` its position within [-0.5, 0.5) in `phases` steps
 * (poly: phases x taps float32 weights, taps = 2 span + 1). symA and, when outB is not 0, symB
 * (I and Q) are float32 windows of symbols; the sums go to outA and outB.
 */
export function pulseSum(
  symA: usize,
  symB: usize,
  poly: usize,
  phases: i32,
  span: i32,
  x0: f64,
  dx: f64,
  count: i32,
  scale: f32,
  outA: usize,
  outB: usize,
): void {
  const taps = 2 * span + 1;
  const fph = <f64>phases;
  for (let i = 0; i < count; i++) {
    const x = x0 + <f64>i * dx;
    const fm = Math.floor(x + 0.5);
    let ph = <i32>((x - fm + 0.5) * fph);
    if (ph >= phases) ph = phases - 1;
    const w = poly + ((<usize>(ph * taps)) << 2);
    const b = (<usize>(<i32>fm - span)) << 2;
    let a: f32 = 0;
    if (outB === 0) {
      const s = symA + b;
      for (let j: usize = 0; j < <usize>taps; j++) a += load<f32>(w + (j << 2)) * load<f32>(s + (j << 2));
      store<f32>(outA + ((<usize>i) << 2), scale * a);
    } else {
      let c: f32 = 0;
      const s = symA + b;
      const q = symB + b;
      for (let j: usize = 0; j < <usize>taps; j++) {
        const wj = load<f32>(w + (j << 2));
        a += wj * load<f32>(s + (j << 2));
        c += wj * load<f32>(q + (j << 2));
      }
      store<f32>(outA + ((<usize>i) << 2), scale * a);
      store<f32>(outB + ((<usize>i) << 2), scale * c);
    }
  }
}
