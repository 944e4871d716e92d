import assert from 'node:assert/strict';
import { DecompressionStream } from 'node:stream/web';
import { test } from 'node:test';
import { constants as zlibConstants, deflateSync, inflateSync } from 'node:zlib';
import {
  encodeTilePayload,
  planesAt,
  quantizeDb,
  quantizeDb16,
  type Codes,
  type SpectrumTile,
} from '@heimdall/protocol';
import { syntheticSpectra } from './synthetic-spectra.ts';
import { deflateTilePayload, zlibRle } from './tile-deflate.ts';

/** xorshift32: the same inputs on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function roundTrips(bytes: Uint8Array, what: string): Uint8Array {
  const z = zlibRle(bytes);
  assert.deepEqual(new Uint8Array(inflateSync(z)), bytes, what);
  return z;
}

const zlibRleReference = (bytes: Uint8Array) =>
  deflateSync(bytes, { level: 1, strategy: zlibConstants.Z_RLE }).length;

test('round trip: empty, one byte, a megabyte of zeros', () => {
  const empty = roundTrips(new Uint8Array(0), 'empty');
  assert.equal(empty.length, 8, 'header, an empty fixed block, Adler-32');
  roundTrips(new Uint8Array([0xa5]), 'one byte');
  const zeros = roundTrips(new Uint8Array(1 << 20), 'zeros');
  assert.ok(zeros.length < 1100, `1 MiB of zeros took ${zeros.length} bytes`);
});

test('random bytes are stored: the stream is no bigger than the input plus a few bytes per 64 KiB', () => {
  const rnd = rng(1);
  for (const n of [15, 16, 17, 1000, 65535, 65536, 65537, 300_000]) {
    const bytes = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
    const z = roundTrips(bytes, `random ${n}`);
    // (a few random bytes are smaller with fixed codes than stored)
    if (n >= 1000) assert.equal((z[2] as number) & 0b110, 0, 'first block is stored (BTYPE 00)');
    assert.ok(z.length <= n + 6 + 5 * Math.ceil(n / 65535) + 4, `${n} random bytes took ${z.length}`);
  }
});

test('round trip: stored, dynamic and fixed blocks in one stream, in every order', () => {
  const rnd = rng(2);
  const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const skewed = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() ** 4 * 8));
  const parts = [random(40_000), skewed(70_000), random(100_000), skewed(33_000), random(5)];
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  const z = roundTrips(bytes, 'mixed');
  assert.ok(z.length < 140_000 + 103_000 * 0.5, `${bytes.length} mixed bytes took ${z.length}`);
});

test('round trip: runs of every length 1..600, each alone and all in a row', () => {
  const all: number[] = [];
  for (let len = 1; len <= 600; len++) {
    const run = new Uint8Array(len + 2).fill(len & 0xff);
    run[0] = 0x11;
    run[len + 1] = 0x22;
    roundTrips(run, `run of ${len}`);
    for (let k = 0; k < len; k++) all.push((len * 7) & 0xff);
  }
  const z = roundTrips(Uint8Array.from(all), 'all runs');
  assert.ok(z.length < 2500, `180,300 bytes of runs took ${z.length}`);
});

test('round trip: text, compressed like zlib', () => {
  const text = new TextEncoder().encode(
    'Heimdall keeps spectrum history as tiles of quantized PSD rows. '.repeat(500) +
      Array.from({ length: 2000 }, (_, i) => `line ${i}: ${(i * 2654435761) % 1000}\n`).join(''),
  );
  const z = roundTrips(text, 'text');
  assert.ok(z.length <= zlibRleReference(text) * 1.03, `${z.length} vs zlib ${zlibRleReference(text)}`);
});

test('fuzz: random buffers of runs, noise and repeated patterns round-trip', () => {
  const rnd = rng(42);
  for (let i = 0; i < 3000; i++) {
    const n = Math.floor(rnd() ** 3 * 100_000);
    const bytes = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const kind = Math.floor(rnd() * 4);
      const len = Math.min(n - o, 1 + Math.floor(rnd() ** 2 * (kind === 0 ? 1000 : 300)));
      if (kind === 0) bytes.fill(Math.floor(rnd() * 256), o, o + len);
      else if (kind === 1) for (let k = 0; k < len; k++) bytes[o + k] = Math.floor(rnd() * 256);
      else if (kind === 2) {
        const period = 1 + Math.floor(rnd() * 5);
        const pattern = Array.from({ length: period }, () => Math.floor(rnd() * 256));
        for (let k = 0; k < len; k++) bytes[o + k] = pattern[k % period] as number;
      } else {
        // small deltas around 0, as tile planes hold
        for (let k = 0; k < len; k++) bytes[o + k] = Math.round((rnd() - 0.5) * 4 * rnd()) & 0xff;
      }
      o += len;
    }
    const z = zlibRle(bytes);
    const back = new Uint8Array(inflateSync(z));
    if (back.length !== n || Buffer.compare(back, bytes) !== 0)
      assert.fail(`buffer ${i} (${n} bytes) differs`);
  }
});

test('results are copies: a later call does not change an earlier result', () => {
  const a = zlibRle(new Uint8Array(5000).fill(7));
  const before = a.slice();
  zlibRle(Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff));
  assert.deepEqual(a, before);
});

// ---------------------------------------------------------------------------------------------
// Realistic tiles: Welch-like spectra (noise floor with filter roll-off, carriers, 0.6 dB of
// estimation noise), quantized to 0.5 dB steps with a per-row reference, as agents send them.

const STEP = 0.5;

function realisticTile(
  seed: number,
  zoom: number,
  rows: number,
  bins: number,
  codeBytes: 1 | 2,
): SpectrumTile {
  const rowsDb = syntheticSpectra(seed, rows, bins, { carriers: 4, stepDb: STEP });
  const plane = (offsetDb: number): Codes => {
    const out = codeBytes === 1 ? new Uint8Array(rows * bins) : new Uint16Array(rows * bins);
    rowsDb.forEach(({ psd, refDb }, r) => {
      const shifted = psd.map((v) => v + offsetDb);
      if (codeBytes === 1) out.set(quantizeDb(shifted, STEP, refDb), r * bins);
      else out.set(quantizeDb16(shifted, STEP, refDb), r * bins);
    });
    return out;
  };
  // zoom > 0: max-hold a few dB over the mean
  const planes = planesAt(zoom) === 1 ? [plane(0)] : [plane(3), plane(0)];
  return {
    zoom,
    rows,
    bins,
    stepDb: STEP,
    rowTimesNs: BigInt64Array.from(
      { length: rows },
      (_, r) => 1_767_225_600_000_000_000n + BigInt(r) * 100_000_000n,
    ),
    rowFrames: new Uint32Array(rows).fill(4 ** zoom),
    rowRefDb: Float32Array.from(rowsDb, (r) => r.refDb),
    planes,
  };
}

for (const [zoom, codeBytes, rows] of [
  [0, 1, 64],
  [0, 2, 32],
  [3, 1, 64],
  [2, 2, 16],
] as const) {
  const tile = realisticTile(7 + zoom * 10 + codeBytes, zoom, rows, 4096, codeBytes);
  const payload = encodeTilePayload(tile);
  const ours = deflateTilePayload(tile);
  const reference = zlibRleReference(payload);
  test(
    `zoom ${zoom}, ${codeBytes}-byte codes, ${rows} x 4096: inflates to encodeTilePayload; ` +
      `${ours.length} bytes vs zlib Z_RLE ${reference} (${((ours.length / reference - 1) * 100).toFixed(2)}%)`,
    () => {
      assert.deepEqual(new Uint8Array(inflateSync(ours)), payload);
      assert.ok(ours.length <= reference * 1.03, `${ours.length} bytes, zlib ${reference}`);
    },
  );
}

test("a tile inflates through DecompressionStream('deflate'), as the web app reads it", async () => {
  const tile = realisticTile(21, 1, 8, 4096, 1);
  const chunks: Uint8Array[] = [];
  const stream = new Blob([deflateTilePayload(tile)])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'));
  for await (const chunk of stream) chunks.push(chunk as Uint8Array);
  assert.deepEqual(new Uint8Array(Buffer.concat(chunks)), encodeTilePayload(tile));
});

test('tile planes at awkward widths: inflation equals encodeTilePayload byte for byte', () => {
  const rnd = rng(9);
  for (const bins of [0, 1, 2, 15, 16, 17, 31, 33, 100, 257]) {
    for (const rows of [0, 1, 3]) {
      for (const codeBytes of [1, 2] as const) {
        for (const zoom of [0, 1]) {
          // full-range codes so the 8- and 16-bit deltas wrap
          const plane = (): Codes =>
            codeBytes === 1
              ? Uint8Array.from({ length: rows * bins }, () => Math.floor(rnd() * 256))
              : Uint16Array.from({ length: rows * bins }, () => Math.floor(rnd() * 65536));
          const tile: SpectrumTile = {
            zoom,
            rows,
            bins,
            stepDb: 0.25,
            rowTimesNs: BigInt64Array.from({ length: rows }, (_, r) => BigInt(r) - 5n),
            rowFrames: Uint32Array.from({ length: rows }, (_, r) => r + 1),
            rowRefDb: Float32Array.from({ length: rows }, (_, r) => -100.5 + r),
            planes: planesAt(zoom) === 1 ? [plane()] : [plane(), plane()],
          };
          assert.deepEqual(
            new Uint8Array(inflateSync(deflateTilePayload(tile))),
            encodeTilePayload(tile),
            `${rows} x ${bins}, ${codeBytes}-byte codes, zoom ${zoom}`,
          );
        }
      }
    }
  }
});

test('a tile given as subarrays of larger buffers is read from its own offsets', () => {
  const big = realisticTile(3, 0, 8, 4096, 2);
  const backing = new Uint16Array(8 * 4096 + 3);
  backing.set(big.planes[0] as Uint16Array, 3);
  const tile = { ...big, planes: [backing.subarray(3)] };
  assert.deepEqual(new Uint8Array(inflateSync(deflateTilePayload(tile))), encodeTilePayload(big));
});

test('an inconsistent tile is refused with the errors encodeTilePayload gives', () => {
  const good = realisticTile(5, 1, 2, 64, 1);
  const bad: SpectrumTile[] = [
    { ...good, planes: [good.planes[0] as Codes] },
    { ...good, planes: [good.planes[0] as Codes, new Uint8Array(5)] },
    { ...good, planes: [good.planes[0] as Codes, new Uint16Array(128)] },
    { ...good, rowRefDb: new Float32Array(1) },
  ];
  for (const tile of bad) {
    let expected: unknown;
    try {
      encodeTilePayload(tile);
    } catch (e) {
      expected = e;
    }
    assert.ok(expected instanceof RangeError);
    assert.throws(() => deflateTilePayload(tile), { name: 'RangeError', message: expected.message });
  }
});
