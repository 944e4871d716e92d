// A run-length deflate encoder (zlib format, RFC 1950 around RFC 1951) for spectrum tiles, in
// WebAssembly SIMD (AssemblyScript), and the delta kernel that lays a tile's code planes out.
//
// It makes what zlib's Z_RLE strategy makes, in kind: literals, and for a run of one byte value a
// literal then length/distance pairs at distance 1 (a match starts where the previous byte equals
// the next MIN_MATCH bytes: zlib's deflate_rle rule, with a longer minimum), in dynamic Huffman
// blocks; a block is written with fixed codes or stored instead when that is smaller (consecutive
// stored blocks as one range). Per block: one pass finds runs (SIMD) and counts literals (four
// sub-histograms, so equal bytes close together do not wait on each other's store), codes are
// built, and a second pass writes the bits through a 64-bit buffer. Literals are not copied into a
// token buffer: the write pass reads them from the input again, and only runs are recorded.
//
// The host (packages/server/src/spectrum/tile-deflate.ts) owns the memory layout: every function
// takes byte pointers into this module's memory (work: workBytes() bytes of scratch; dst:
// zlibBound(n) bytes) and nothing here allocates. Constant tables live in static data.

/**
 * Tokens (literals + matches) per deflate block. On synthetic tiles 16 Ki (zlib's) to 128 Ki
 * tokens differ by under 0.2% in size, and each halving costs about 8% in speed (codes are built
 * per block); but blocks are not split by content, so on mixed input (two kinds of text, 30 KB
 * each) 64 Ki was 13% bigger than zlib, 32 Ki as big.
 */
const BLOCK_TOKENS: u32 = 1 << 15;
/**
 * Shortest match. zlib's is 3 (a run of 4 equal bytes becomes a literal and a match); on tiles
 * short runs are mostly repeated small deltas, cheaper as literals: 8 makes tiles 0.7% (one-byte
 * codes) to 3.8% (two-byte codes, whose high-byte plane is runs of 0 broken by 0xff) smaller than
 * 3, and 6 to 16 differ by under 0.2%. At most 17 (findRun looks 32 bytes ahead).
 */
const MIN_MATCH: u32 = 8;
const MAX_MATCH: u32 = 258;
/**
 * Longest literal/length code. 14, not deflate's 15, so that four literals (4 x 14 bits) always fit
 * the bit buffer between flushes; it costs under 0.1% on tiles.
 */
const LIT_MAX_BITS: u32 = 14;
const CL_MAX_BITS: u32 = 7;
const MAX_STORED: u32 = 65535;

// ---------------------------------------------------------------------------------------------
// Static tables, filled once when the module starts.

/** Length 3..258 -> length code index 0..28 (symbol 257 + index). */
const LEN_INDEX = memory.data(260);
/** Per length code index: extra bits (u8) and base length (u16). */
const LEN_EXTRA = memory.data(32);
const LEN_BASE = memory.data(64, 2);
/** Order in which code-length code lengths are sent (RFC 1951 3.2.7). */
const CL_ORDER = memory.data<u8>([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

function initTables(): void {
  let base: u32 = 3;
  for (let code: u32 = 0; code < 28; code++) {
    const extra: u32 = code < 8 ? 0 : (code - 4) >> 2;
    store<u8>(LEN_EXTRA + code, <u8>extra);
    store<u16>(LEN_BASE + (code << 1), <u16>base);
    for (let k: u32 = 0; k < 1 << extra && base + k <= 257; k++) store<u8>(LEN_INDEX + base + k, <u8>code);
    base += 1 << extra;
  }
  store<u8>(LEN_EXTRA + 28, 0);
  store<u16>(LEN_BASE + 56, 258);
  store<u8>(LEN_INDEX + 258, 28);
}
initTables();

// ---------------------------------------------------------------------------------------------
// Work region layout (offsets from the host's `work` pointer).

const W_SUBHIST: usize = 0; // 4 x 256 u32 literal counts
const W_LIT_FREQ: usize = W_SUBHIST + 4096; // 320 u32: literal/length symbol counts
const W_LIT_LEN: usize = W_LIT_FREQ + 1280; // 320 u8: code lengths, then 32 for distance codes
const W_DIST_LEN: usize = W_LIT_LEN + 320; // 32 u8
const W_LIT_CODE: usize = W_DIST_LEN + 32; // 320 u32: reversed code | length << 24
const W_DIST_CODE: usize = W_LIT_CODE + 1280; // 32 u32
const W_MATCH: usize = W_DIST_CODE + 128; // 260 u32: whole match (length code, extra, distance) per length
const W_CL_FREQ: usize = W_MATCH + 1040; // 20 u32
const W_CL_LEN: usize = W_CL_FREQ + 80; // 20 u8 (padded to 32)
const W_CL_CODE: usize = W_CL_LEN + 32; // 20 u32
const W_CL_SEQ: usize = W_CL_CODE + 80; // 320 u32: code-length symbols (symbol | extra value << 8)
const W_SORT: usize = W_CL_SEQ + 1280; // 320 u32: (frequency << 9 | symbol), sorted
const W_MOFFAT: usize = W_SORT + 1280; // 320 i32
const W_BL_COUNT: usize = W_MOFFAT + 1280; // 16 u32
const W_NEXT_CODE: usize = W_BL_COUNT + 64; // 16 u32
const W_LIT_EMIT: usize = W_NEXT_CODE + 64; // 256 x (code u64, length u64) for the literal loop
const W_RUNS: usize = W_LIT_EMIT + 4096; // BLOCK_TOKENS x (position u32, length u32)
const WORK_BYTES: usize = W_RUNS + ((<usize>BLOCK_TOKENS) << 3);

/** First byte of memory the host may use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

/** Bytes of scratch memory {@link zlibRle} needs at `work`. */
export function workBytes(): usize {
  return WORK_BYTES;
}

/**
 * Largest zlib stream {@link zlibRle} writes for n input bytes, plus 8 bytes it may touch past the
 * end (the bit buffer is stored 8 bytes at a time). Every block is at most its stored size: 5 bytes
 * per stored chunk of up to 65535 bytes plus a byte of padding, and a block of BLOCK_TOKENS tokens
 * spans at least as many bytes, so there are at most n / 65535 + n / BLOCK_TOKENS + 2 chunks (far
 * fewer in practice: consecutive stored blocks are merged); 2 bytes of header, 4 of Adler-32.
 */
export function zlibBound(n: usize): usize {
  return n + 6 * (n / MAX_STORED + n / BLOCK_TOKENS + 4) + 16;
}

// ---------------------------------------------------------------------------------------------
// Bit writer (header and block boundaries; the hot loops keep their own copy in locals).

let outPtr: usize = 0;
let bitBuf: u64 = 0;
let bitCnt: u64 = 0;

function putBits(value: u32, count: u32): void {
  bitBuf |= (<u64>value) << bitCnt;
  bitCnt += count;
  if (bitCnt >= 32) flushBits();
}

function flushBits(): void {
  store<u64>(outPtr, bitBuf);
  outPtr += <usize>(bitCnt >> 3);
  bitBuf >>= bitCnt & ~(7 as u64);
  bitCnt &= 7;
}

/** Pads to a byte boundary and writes out every pending bit. */
function alignBits(): void {
  store<u64>(outPtr, bitBuf);
  outPtr += <usize>((bitCnt + 7) >> 3);
  bitBuf = 0;
  bitCnt = 0;
}

// ---------------------------------------------------------------------------------------------
// Adler-32 (RFC 1950): 16 bytes per step in SIMD, reduced modulo 65521 every 5552 bytes.

const ADLER_MOD: u32 = 65521;
const ADLER_NMAX: usize = 5552; // largest n with 255 n (n + 1) / 2 + (n + 1)(65521 - 1) < 2^32

/** Adler-32 of n bytes at src. */
export function adler32(src: usize, n: usize): u32 {
  let s1: u32 = 1;
  let s2: u32 = 0;
  const end = src + n;
  let p = src;
  // weight 16 - j of byte j: low half 16..9, high half 8..1
  const wLow = i16x8(16, 15, 14, 13, 12, 11, 10, 9);
  const wHigh = i16x8(8, 7, 6, 5, 4, 3, 2, 1);
  while (end - p >= 16) {
    const chunk = min(end - p, ADLER_NMAX) & ~(15 as usize);
    const stop = p + chunk;
    let vs1 = i32x4.splat(0); // byte sums per lane
    let vs1Before = i32x4.splat(0); // sum over steps of vs1 before the step
    let vs2 = i32x4.splat(0); // weighted sums (16 - j) b[j]
    while (p < stop) {
      const v = v128.load(p);
      vs1Before = i32x4.add(vs1Before, vs1);
      const lo = i16x8.extend_low_i8x16_u(v);
      const hi = i16x8.extend_high_i8x16_u(v);
      vs1 = i32x4.add(vs1, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v)));
      vs2 = i32x4.add(vs2, i32x4.add(i32x4.dot_i16x8_s(lo, wLow), i32x4.dot_i16x8_s(hi, wHigh)));
      p += 16;
    }
    const sum1 = <u64>hsum(vs1);
    const t2 = <u64>s2 + <u64>chunk * <u64>s1 + ((<u64>hsum(vs1Before)) << 4) + <u64>hsum(vs2);
    s1 = <u32>((<u64>s1 + sum1) % ADLER_MOD);
    s2 = <u32>(t2 % ADLER_MOD);
  }
  while (p < end) {
    s1 += load<u8>(p);
    s2 += s1;
    p++;
  }
  return ((s2 % ADLER_MOD) << 16) | (s1 % ADLER_MOD);
}

function hsum(v: v128): u32 {
  return (
    i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3)
  );
}

// ---------------------------------------------------------------------------------------------
// Pass 1: runs and histogram.

/**
 * First position s in [max(from, 1), limit) where a match starts (src[s - 1] equals the MIN_MATCH
 * bytes from s, all before n), or limit if none does. SIMD: bit j of `eq` says src[s + j - 1] ==
 * src[s + j]; a match starts at s + j where MIN_MATCH consecutive bits from j are set.
 */
function findRun(src: usize, from: usize, limit: usize, n: usize): usize {
  let s: usize = from < 1 ? 1 : from;
  if (s < limit && s + 32 <= n) {
    let lo = i8x16.bitmask(i8x16.eq(v128.load(src + s - 1), v128.load(src + s)));
    while (s < limit && s + 32 <= n) {
      const hi = i8x16.bitmask(i8x16.eq(v128.load(src + s + 15), v128.load(src + s + 16)));
      const eq = (<u32>lo) | ((<u32>hi) << 16);
      let starts = eq;
      for (let k: u32 = 1; k < MIN_MATCH; k++) starts &= eq >> k;
      starts &= 0xffff;
      if (starts != 0) {
        const r = s + <usize>ctz(starts);
        return r < limit ? r : limit;
      }
      lo = hi;
      s += 16;
    }
  }
  for (; s < limit && s + MIN_MATCH <= n; s++) {
    const v = load<u8>(src + s - 1);
    let k: usize = 0;
    while (k < MIN_MATCH && load<u8>(src + s + k) == v) k++;
    if (k == MIN_MATCH) return s;
  }
  return limit;
}

/** Length of the run of src[s - 1]'s value from s (at least MIN_MATCH, known equal), at most max. */
function runLength(src: usize, s: usize, max: usize): usize {
  const v = load<u8>(src + s - 1);
  let len: usize = MIN_MATCH;
  const vs = i8x16.splat(<i8>v);
  while (len + 16 <= max) {
    const m = i8x16.bitmask(i8x16.eq(v128.load(src + s + len), vs));
    if (m != 0xffff) return len + <usize>ctz(~m);
    len += 16;
  }
  while (len < max && load<u8>(src + s + len) == v) len++;
  return len;
}

function bump(p: usize): void {
  store<u32>(p, load<u32>(p) + 1);
}

/** Counts the bytes in [p, end) into the four sub-histograms at h. */
function countLiterals(h: usize, p: usize, end: usize): void {
  while (p + 4 <= end) {
    const w = load<u32>(p);
    bump(h + ((w & 0xff) << 2));
    bump(h + 1024 + (((w >> 8) & 0xff) << 2));
    bump(h + 2048 + (((w >> 16) & 0xff) << 2));
    bump(h + 3072 + ((w >> 24) << 2));
    p += 4;
  }
  while (p < end) {
    bump(h + ((<usize>load<u8>(p)) << 2));
    p++;
  }
}

let blockRuns: u32 = 0;

/**
 * Tokenizes the block starting at `start`: records its runs at work + W_RUNS (blockRuns of them)
 * and its symbol counts at work + W_LIT_FREQ (end of block included). Returns where it ends.
 */
function scanBlock(src: usize, start: usize, n: usize, work: usize): usize {
  const h = work + W_SUBHIST;
  memory.fill(h, 0, 4096);
  const freq = work + W_LIT_FREQ;
  memory.fill(freq, 0, 1280);
  const runs = work + W_RUNS;
  let pos = start;
  let tokens: usize = 0;
  let nr: usize = 0;
  while (pos < n && tokens < BLOCK_TOKENS) {
    const room = <usize>BLOCK_TOKENS - tokens;
    const limit = n - pos < room ? n : pos + room;
    const s = findRun(src, pos, limit, n);
    countLiterals(h, src + pos, src + s);
    tokens += s - pos;
    pos = s;
    if (s >= limit) break;
    const rest = n - s;
    const len = runLength(src, s, rest < MAX_MATCH ? rest : MAX_MATCH);
    store<u32>(runs + (nr << 3), <u32>s);
    store<u32>(runs + (nr << 3), <u32>len, 4);
    nr++;
    bump(freq + ((257 + <usize>load<u8>(LEN_INDEX + len)) << 2));
    tokens++;
    pos = s + len;
  }
  for (let i: usize = 0; i < 256; i++) {
    const q = h + (i << 2);
    store<u32>(freq + (i << 2), load<u32>(q) + load<u32>(q, 1024) + load<u32>(q, 2048) + load<u32>(q, 3072));
  }
  store<u32>(freq + (256 << 2), 1);
  blockRuns = <u32>nr;
  return pos;
}

// ---------------------------------------------------------------------------------------------
// Huffman codes.

/**
 * Code lengths (at most maxBits) for the n symbols whose counts are at freq (u32) into lens (u8).
 * At least two symbols get a code (a used one and, if need be, unused ones), so every code is
 * complete, which strict inflaters (zlib's, for the code-length code) require. Huffman lengths by
 * Moffat and Katajainen's in-place algorithm on the counts in ascending order, then too-long codes
 * are shortened by moving leaves down until the Kraft sum is 1 again.
 */
function buildLengths(work: usize, freq: usize, n: u32, lens: usize, maxBits: u32): void {
  const keys = work + W_SORT;
  const a = work + W_MOFFAT;
  const blCount = work + W_BL_COUNT;
  let m: u32 = 0;
  for (let s: u32 = 0; s < n; s++) {
    store<u8>(lens + s, 0);
    const f = load<u32>(freq + (s << 2));
    if (f != 0) {
      store<u32>(keys + (m << 2), (f << 9) | s);
      m++;
    }
  }
  for (let s: u32 = 0; m < 2 && s < n; s++) {
    if (load<u32>(freq + (s << 2)) == 0) {
      store<u32>(keys + (m << 2), (1 << 9) | s);
      m++;
    }
  }
  sortKeys(keys, m);
  for (let i: u32 = 0; i < m; i++) store<i32>(a + (i << 2), load<i32>(keys + (i << 2)) >>> 9);
  moffat(a, <i32>m);
  memory.fill(blCount, 0, 64);
  let overflow = false;
  for (let i: u32 = 0; i < m; i++) {
    let l = <u32>load<i32>(a + (i << 2));
    if (l > maxBits) {
      l = maxBits;
      overflow = true;
    }
    bump(blCount + (l << 2));
  }
  if (overflow) {
    let total: u32 = 0;
    for (let l: u32 = 1; l <= maxBits; l++) total += load<u32>(blCount + (l << 2)) << (maxBits - l);
    const full: u32 = 1 << maxBits;
    while (total > full) {
      // drop a leaf at maxBits and split one shallower leaf into two: one less slot in use
      store<u32>(blCount + (maxBits << 2), load<u32>(blCount + (maxBits << 2)) - 1);
      for (let l = maxBits - 1; l > 0; l--) {
        const c = load<u32>(blCount + (l << 2));
        if (c != 0) {
          store<u32>(blCount + (l << 2), c - 1);
          store<u32>(blCount + ((l + 1) << 2), load<u32>(blCount + ((l + 1) << 2)) + 2);
          break;
        }
      }
      total--;
    }
  }
  // longest codes to the rarest symbols (keys are in ascending count order)
  let i: u32 = 0;
  for (let l = maxBits; l > 0; l--) {
    for (let k = load<u32>(blCount + (l << 2)); k > 0; k--) {
      store<u8>(lens + (load<u32>(keys + (i << 2)) & 511), <u8>l);
      i++;
    }
  }
}

/** Sorts m u32 keys ascending (Shell sort: a few hundred keys, no recursion, no allocation). */
function sortKeys(keys: usize, m: u32): void {
  let gap: u32 = 1;
  while (gap < m / 3) gap = gap * 3 + 1;
  for (; gap > 0; gap = gap / 3) {
    for (let i = gap; i < m; i++) {
      const v = load<u32>(keys + (i << 2));
      let j = i;
      while (j >= gap) {
        const u = load<u32>(keys + ((j - gap) << 2));
        if (u <= v) break;
        store<u32>(keys + (j << 2), u);
        j -= gap;
      }
      store<u32>(keys + (j << 2), v);
    }
  }
}

/** In place: counts in ascending order (n >= 2) -> code lengths (Moffat & Katajainen 1995). */
function moffat(a: usize, n: i32): void {
  // phase 1: internal node weights, and parent pointers
  store<i32>(a, load<i32>(a) + load<i32>(a, 4));
  let root: i32 = 0;
  let leaf: i32 = 2;
  for (let next: i32 = 1; next < n - 1; next++) {
    if (leaf >= n || load<i32>(a + (root << 2)) < load<i32>(a + (leaf << 2))) {
      store<i32>(a + (next << 2), load<i32>(a + (root << 2)));
      store<i32>(a + (root << 2), next);
      root++;
    } else {
      store<i32>(a + (next << 2), load<i32>(a + (leaf << 2)));
      leaf++;
    }
    if (leaf >= n || (root < next && load<i32>(a + (root << 2)) < load<i32>(a + (leaf << 2)))) {
      store<i32>(a + (next << 2), load<i32>(a + (next << 2)) + load<i32>(a + (root << 2)));
      store<i32>(a + (root << 2), next);
      root++;
    } else {
      store<i32>(a + (next << 2), load<i32>(a + (next << 2)) + load<i32>(a + (leaf << 2)));
      leaf++;
    }
  }
  // phase 2: internal node depths
  store<i32>(a + ((n - 2) << 2), 0);
  for (let next: i32 = n - 3; next >= 0; next--) {
    store<i32>(a + (next << 2), load<i32>(a + (load<i32>(a + (next << 2)) << 2)) + 1);
  }
  // phase 3: leaf depths
  let avail: i32 = 1;
  let used: i32 = 0;
  let depth: i32 = 0;
  root = n - 2;
  let next: i32 = n - 1;
  while (avail > 0) {
    while (root >= 0 && load<i32>(a + (root << 2)) == depth) {
      used++;
      root--;
    }
    while (avail > used) {
      store<i32>(a + (next << 2), depth);
      next--;
      avail--;
    }
    avail = 2 * used;
    depth++;
    used = 0;
  }
}

/** Canonical codes for lens (RFC 1951 3.2.2), bit-reversed for the LSB-first writer, | length << 24. */
function assignCodes(work: usize, lens: usize, n: u32, codes: usize): void {
  const blCount = work + W_BL_COUNT;
  const nextCode = work + W_NEXT_CODE;
  memory.fill(blCount, 0, 64);
  for (let s: u32 = 0; s < n; s++) bump(blCount + ((<usize>load<u8>(lens + s)) << 2));
  store<u32>(blCount, 0);
  let code: u32 = 0;
  for (let bits: u32 = 1; bits < 16; bits++) {
    code = (code + load<u32>(blCount + ((bits - 1) << 2))) << 1;
    store<u32>(nextCode + (bits << 2), code);
  }
  for (let s: u32 = 0; s < n; s++) {
    const len = <u32>load<u8>(lens + s);
    if (len == 0) {
      store<u32>(codes + (s << 2), 0);
      continue;
    }
    const c = load<u32>(nextCode + (len << 2));
    store<u32>(nextCode + (len << 2), c + 1);
    store<u32>(codes + (s << 2), reverseBits(c, len) | (len << 24));
  }
}

function reverseBits(c: u32, len: u32): u32 {
  c = ((c >> 1) & 0x55555555) | ((c & 0x55555555) << 1);
  c = ((c >> 2) & 0x33333333) | ((c & 0x33333333) << 2);
  c = ((c >> 4) & 0x0f0f0f0f) | ((c & 0x0f0f0f0f) << 4);
  c = ((c >> 8) & 0x00ff00ff) | ((c & 0x00ff00ff) << 8);
  c = (c >> 16) | (c << 16);
  return c >> (32 - len);
}

/** Fixed Huffman code lengths (RFC 1951 3.2.6). */
function fixedLengths(work: usize): void {
  const lens = work + W_LIT_LEN;
  for (let s: u32 = 0; s < 288; s++) store<u8>(lens + s, s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
  const dl = work + W_DIST_LEN;
  for (let s: u32 = 0; s < 30; s++) store<u8>(dl + s, 5);
}

// ---------------------------------------------------------------------------------------------
// Block header: the code-length sequence, run-length coded with 16/17/18.

let clCount: u32 = 0;

/** Run-length codes the nLit + nDist code lengths into W_CL_SEQ and counts them in W_CL_FREQ. */
function codeLengthSequence(work: usize, nLit: u32, nDist: u32): void {
  const seq = work + W_CL_SEQ;
  const freq = work + W_CL_FREQ;
  memory.fill(freq, 0, 80);
  const total = nLit + nDist;
  let k: u32 = 0;
  let i: u32 = 0;
  while (i < total) {
    const v = lengthAt(work, i, nLit);
    let run: u32 = 1;
    while (i + run < total && lengthAt(work, i + run, nLit) == v) run++;
    i += run;
    if (v == 0) {
      while (run >= 11) {
        const r = run < 138 ? run : 138;
        store<u32>(seq + (k++ << 2), 18 | ((r - 11) << 8));
        run -= r;
      }
      if (run >= 3) {
        store<u32>(seq + (k++ << 2), 17 | ((run - 3) << 8));
        run = 0;
      }
    } else {
      store<u32>(seq + (k++ << 2), v);
      run--;
      while (run >= 3) {
        const r = run < 6 ? run : 6;
        store<u32>(seq + (k++ << 2), 16 | ((r - 3) << 8));
        run -= r;
      }
    }
    for (; run > 0; run--) store<u32>(seq + (k++ << 2), v);
  }
  for (let j: u32 = 0; j < k; j++) bump(freq + ((load<u32>(seq + (j << 2)) & 0xff) << 2));
  clCount = k;
}

function lengthAt(work: usize, i: u32, nLit: u32): u32 {
  return i < nLit ? <u32>load<u8>(work + W_LIT_LEN + i) : <u32>load<u8>(work + W_DIST_LEN + (i - nLit));
}

// ---------------------------------------------------------------------------------------------
// Pass 2: writing a block's symbols.

/** Fills W_MATCH: for each length 3..258, its length code, extra bits and distance-1 code as one entry. */
function matchTable(work: usize): void {
  const lit = work + W_LIT_CODE;
  const dist = load<u32>(work + W_DIST_CODE);
  const dBits = dist >> 24;
  const tab = work + W_MATCH;
  for (let len: u32 = MIN_MATCH; len <= MAX_MATCH; len++) {
    const idx = <u32>load<u8>(LEN_INDEX + len);
    const e = load<u32>(lit + ((257 + idx) << 2));
    const cBits = e >> 24;
    const xBits = <u32>load<u8>(LEN_EXTRA + idx);
    const x = len - <u32>load<u16>(LEN_BASE + (idx << 1));
    const bits = (e & 0xffffff) | (x << cBits) | ((dist & 0xffffff) << (cBits + xBits));
    store<u32>(tab + (len << 2), bits | ((cBits + xBits + dBits) << 24));
  }
}

/** Writes the symbols of the input [start, end) with the block's runs, then end-of-block. */
function writeSymbols(src: usize, start: usize, end: usize, work: usize): void {
  const lit = work + W_LIT_CODE;
  const emit = work + W_LIT_EMIT;
  for (let i: usize = 0; i < 256; i++) {
    const e = load<u32>(lit + (i << 2));
    store<u64>(emit + (i << 4), <u64>(e & 0xffffff));
    store<u64>(emit + (i << 4), <u64>(e >> 24), 8);
  }
  const tab = work + W_MATCH;
  const runs = work + W_RUNS;
  const nr = <usize>blockRuns;
  flushBits(); // the header may have left up to 31 bits pending; the loops below need at most 7
  let o = outPtr;
  let b = bitBuf;
  let c = bitCnt;
  let p = src + start;
  for (let r: usize = 0; r <= nr; r++) {
    const stop = r < nr ? src + <usize>load<u32>(runs + (r << 3)) : src + end;
    // four literals (at most 4 x LIT_MAX_BITS = 56 bits) per flush; 16-byte entries (code, length)
    while (p + 4 <= stop) {
      const q0 = emit + ((<usize>load<u8>(p)) << 4);
      const q1 = emit + ((<usize>load<u8>(p, 1)) << 4);
      const q2 = emit + ((<usize>load<u8>(p, 2)) << 4);
      const q3 = emit + ((<usize>load<u8>(p, 3)) << 4);
      b |= load<u64>(q0) << c;
      c += load<u64>(q0, 8);
      b |= load<u64>(q1) << c;
      c += load<u64>(q1, 8);
      b |= load<u64>(q2) << c;
      c += load<u64>(q2, 8);
      b |= load<u64>(q3) << c;
      c += load<u64>(q3, 8);
      store<u64>(o, b);
      o += <usize>(c >> 3);
      b >>= c & ~(7 as u64);
      c &= 7;
      p += 4;
    }
    while (p < stop) {
      const e = load<u32>(lit + ((<usize>load<u8>(p)) << 2));
      b |= (<u64>(e & 0xffffff)) << c;
      c += <u64>(e >> 24);
      p++;
    }
    store<u64>(o, b);
    o += <usize>(c >> 3);
    b >>= c & ~(7 as u64);
    c &= 7;
    if (r < nr) {
      const len = <usize>load<u32>(runs + (r << 3), 4);
      const e = load<u32>(tab + (len << 2));
      b |= (<u64>(e & 0xffffff)) << c;
      c += <u64>(e >> 24);
      store<u64>(o, b);
      o += <usize>(c >> 3);
      b >>= c & ~(7 as u64);
      c &= 7;
      p += len;
    }
  }
  const eob = load<u32>(lit + (256 << 2));
  b |= (<u64>(eob & 0xffffff)) << c;
  c += <u64>(eob >> 24);
  store<u64>(o, b);
  o += <usize>(c >> 3);
  b >>= c & ~(7 as u64);
  c &= 7;
  outPtr = o;
  bitBuf = b;
  bitCnt = c;
}

// ---------------------------------------------------------------------------------------------
// Block choice and the stream.

/** Bits of the symbols with the lengths at W_LIT_LEN / W_DIST_LEN, extra bits included. */
function symbolBits(work: usize, distBits: u32): u64 {
  const freq = work + W_LIT_FREQ;
  const lens = work + W_LIT_LEN;
  let bits: u64 = 0;
  for (let s: u32 = 0; s < 286; s++) {
    bits += <u64>load<u32>(freq + (s << 2)) * <u64>load<u8>(lens + s);
  }
  for (let i: u32 = 0; i < 29; i++) {
    const f = <u64>load<u32>(freq + ((257 + i) << 2));
    bits += f * (<u64>load<u8>(LEN_EXTRA + i) + <u64>distBits);
  }
  return bits;
}

/** Stored blocks for [start, end): 65535 bytes at most each. */
function writeStored(src: usize, start: usize, end: usize, last: bool): void {
  let p = start;
  do {
    const len = end - p < MAX_STORED ? end - p : MAX_STORED;
    const fin = last && p + len == end;
    putBits(fin ? 1 : 0, 3);
    alignBits();
    store<u16>(outPtr, <u16>len);
    store<u16>(outPtr + 2, <u16>~len);
    memory.copy(outPtr + 4, src + p, len);
    outPtr += 4 + len;
    p += len;
  } while (p < end);
}

function storedBits(start: usize, end: usize): u64 {
  const span = <u64>(end - start);
  const chunks = span == 0 ? 1 : (span + MAX_STORED - 1) / MAX_STORED;
  // first header: 3 bits, padding to the byte, LEN/NLEN; later ones start on a byte boundary
  const pad0 = (8 - ((bitCnt + 3) & 7)) & 7;
  return 3 + pad0 + 32 + (chunks - 1) * 40 + span * 8;
}

/** Start of the blocks chosen to be stored and not written yet, or -1. */
let storedFrom: isize = -1;

function writeBlock(src: usize, start: usize, end: usize, work: usize, last: bool): void {
  const litLen = work + W_LIT_LEN;
  const freq = work + W_LIT_FREQ;
  // a fixed-code block before may have left lengths for symbols 286, 287 and distances 2..29
  memory.fill(litLen, 0, 320 + 32);
  // dynamic: code lengths from this block's counts
  buildLengths(work, freq, 286, litLen, LIT_MAX_BITS);
  // distance 1 is the only distance: code 0, plus code 1 so the code is complete (as zlib does)
  store<u8>(work + W_DIST_LEN, 1);
  store<u8>(work + W_DIST_LEN + 1, 1);
  let nLit: u32 = 286;
  while (nLit > 257 && load<u8>(litLen + nLit - 1) == 0) nLit--;
  const nDist: u32 = 2;
  codeLengthSequence(work, nLit, nDist);
  buildLengths(work, work + W_CL_FREQ, 19, work + W_CL_LEN, CL_MAX_BITS);
  let nCl: u32 = 19;
  while (nCl > 4 && load<u8>(work + W_CL_LEN + load<u8>(CL_ORDER + nCl - 1)) == 0) nCl--;
  let clBits: u64 = 0;
  for (let s: u32 = 0; s < 19; s++) {
    const extra: u64 = s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0;
    clBits += <u64>load<u32>(work + W_CL_FREQ + (s << 2)) * (<u64>load<u8>(work + W_CL_LEN + s) + extra);
  }
  const dynamicBits: u64 = 3 + 14 + 3 * <u64>nCl + clBits + symbolBits(work, 1);
  // fixed codes
  const fixedBits: u64 = 3 + fixedSymbolBits(work);
  const stored = storedBits(start, end);

  if (stored < dynamicBits && stored < fixedBits) {
    // stored blocks in a row are written as one range: 5 bytes per 65535, not per block
    if (storedFrom < 0) storedFrom = <isize>start;
    if (last) writeStored(src, <usize>storedFrom, end, true);
    return;
  }
  if (storedFrom >= 0) {
    writeStored(src, <usize>storedFrom, start, false);
    storedFrom = -1;
  }
  if (fixedBits <= dynamicBits) {
    fixedLengths(work);
    putBits((last ? 1 : 0) | (1 << 1), 3);
  } else {
    putBits((last ? 1 : 0) | (2 << 1), 3);
    putBits(nLit - 257, 5);
    putBits(nDist - 1, 5);
    putBits(nCl - 4, 4);
    for (let i: u32 = 0; i < nCl; i++) putBits(load<u8>(work + W_CL_LEN + load<u8>(CL_ORDER + i)), 3);
    assignCodes(work, work + W_CL_LEN, 19, work + W_CL_CODE);
    const seq = work + W_CL_SEQ;
    for (let j: u32 = 0; j < clCount; j++) {
      const t = load<u32>(seq + (j << 2));
      const sym = t & 0xff;
      const e = load<u32>(work + W_CL_CODE + (sym << 2));
      putBits(e & 0xffffff, e >> 24);
      if (sym == 16) putBits(t >> 8, 2);
      else if (sym == 17) putBits(t >> 8, 3);
      else if (sym == 18) putBits(t >> 8, 7);
    }
  }
  assignCodes(work, litLen, 288, work + W_LIT_CODE);
  assignCodes(work, work + W_DIST_LEN, 30, work + W_DIST_CODE);
  matchTable(work);
  writeSymbols(src, start, end, work);
}

function fixedSymbolBits(work: usize): u64 {
  const freq = work + W_LIT_FREQ;
  let bits: u64 = 0;
  for (let s: u32 = 0; s < 286; s++) {
    const len: u64 = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    bits += <u64>load<u32>(freq + (s << 2)) * len;
  }
  for (let i: u32 = 0; i < 29; i++) {
    bits += <u64>load<u32>(freq + ((257 + i) << 2)) * (<u64>load<u8>(LEN_EXTRA + i) + 5);
  }
  return bits;
}

/**
 * Compresses n bytes at src into a zlib stream at dst (zlibBound(n) bytes); work: workBytes()
 * bytes of scratch. Returns the stream's length.
 */
export function zlibRle(src: usize, n: usize, work: usize, dst: usize): usize {
  // CMF 0x78: deflate, 32 KiB window; FLG 0x01: fastest level, check bits (0x7801 % 31 == 0)
  store<u8>(dst, 0x78);
  store<u8>(dst + 1, 0x01);
  outPtr = dst + 2;
  bitBuf = 0;
  bitCnt = 0;
  storedFrom = -1;
  let pos: usize = 0;
  do {
    const end = scanBlock(src, pos, n, work);
    writeBlock(src, pos, end, work, end >= n);
    pos = end;
  } while (pos < n);
  alignBits();
  const a = adler32(src, n);
  store<u32>(outPtr, bswap(a));
  outPtr += 4;
  return outPtr - dst;
}

// ---------------------------------------------------------------------------------------------
// Tile planes (packages/protocol/src/tile-codec.ts): each row delta-coded along frequency.

/** One-byte codes: dst[i] = (src[i] - src[i - 1]) & 0xff within each row of `bins`, from 0. */
export function deltaPlane8(src: usize, dst: usize, rows: usize, bins: usize): void {
  for (let r: usize = 0; r < rows; r++) {
    const s = src + r * bins;
    const d = dst + r * bins;
    if (bins == 0) continue;
    store<u8>(d, load<u8>(s));
    let i: usize = 1;
    for (; i + 16 <= bins; i += 16) v128.store(d + i, i8x16.sub(v128.load(s + i), v128.load(s + i - 1)));
    for (; i < bins; i++) store<u8>(d + i, load<u8>(s + i) - load<u8>(s + i - 1));
  }
}

/**
 * Two-byte codes: the 16-bit deltas of each row of `bins` (from 0), as `bins` low bytes then `bins`
 * high bytes.
 */
export function deltaPlane16(src: usize, dst: usize, rows: usize, bins: usize): void {
  for (let r: usize = 0; r < rows; r++) {
    const s = src + ((r * bins) << 1);
    const lo = dst + ((r * bins) << 1);
    const hi = lo + bins;
    if (bins == 0) continue;
    const c0 = load<u16>(s);
    store<u8>(lo, <u8>c0);
    store<u8>(hi, <u8>(c0 >> 8));
    let i: usize = 1;
    for (; i + 16 <= bins; i += 16) {
      const p = s + (i << 1);
      const d0 = i16x8.sub(v128.load(p), v128.load(p - 2));
      const d1 = i16x8.sub(v128.load(p, 16), v128.load(p, 14));
      v128.store(lo + i, i8x16.shuffle(d0, d1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30));
      v128.store(hi + i, i8x16.shuffle(d0, d1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
    }
    for (; i < bins; i++) {
      const d = <u16>(load<u16>(s + (i << 1)) - load<u16>(s + ((i - 1) << 1)));
      store<u8>(lo + i, <u8>d);
      store<u8>(hi + i, <u8>(d >> 8));
    }
  }
}
