import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTilePayload, encodeTilePayload, tileRowDb, type SpectrumTile } from './tile-codec.ts';

function tile(zoom: number, codes: 'u8' | 'u16', rows = 3, bins = 5): SpectrumTile {
  const make = (k: number) =>
    codes === 'u8'
      ? Uint8Array.from({ length: rows * bins }, (_, i) => (i * 37 + k * 11) & 255)
      : Uint16Array.from({ length: rows * bins }, (_, i) => (i * 4099 + k * 7) & 0xffff);
  return {
    zoom,
    rows,
    bins,
    stepDb: 0.5,
    rowTimesNs: BigInt64Array.from(
      { length: rows },
      (_, r) => 1_700_000_000_000_000_000n + BigInt(r) * 100_000_001n,
    ),
    rowFrames: Uint32Array.from({ length: rows }, () => 4 ** zoom),
    rowRefDb: Float32Array.from({ length: rows }, (_, r) => -120 - r),
    planes: zoom === 0 ? [make(0)] : [make(0), make(1)],
  };
}

test('tiles round trip exactly: u8 and u16 codes, one and two planes, wrapping deltas', () => {
  for (const t of [tile(0, 'u8'), tile(3, 'u8'), tile(0, 'u16'), tile(5, 'u16', 7, 300)]) {
    const back = decodeTilePayload(encodeTilePayload(t));
    assert.deepEqual(back, t);
  }
});

test('a tile row reads back in dB with its own reference level', () => {
  const t = tile(0, 'u8');
  const row = tileRowDb(t, 0, 2);
  assert.equal(row[0], -122 + (t.planes[0]?.[10] as number) * 0.5);
});

test('corrupt tiles are refused, not misread', () => {
  const bytes = encodeTilePayload(tile(1, 'u8'));
  assert.throws(() => decodeTilePayload(bytes.subarray(0, bytes.length - 1)), /corrupt spectrum tile/);
  const bad = bytes.slice();
  bad[6] = 1; // zoom 1 with one plane
  assert.throws(() => decodeTilePayload(bad), /corrupt spectrum tile/);
  assert.throws(() => encodeTilePayload({ ...tile(1, 'u8'), planes: [new Uint8Array(15)] }), RangeError);
});
