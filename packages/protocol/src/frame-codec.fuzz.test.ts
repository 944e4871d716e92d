/**
 * Throws many thousands of random and mutated frames at the decoder: each must decode or be
 * refused with a FrameError; nothing else may escape, and a decoded frame must re-encode to the
 * same bytes (so nothing half-valid slips through).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, encodeAck, encodeDetections, encodeFrame, encodeSpectrumFrame } from './frame-codec.ts';
import { FrameError, FRAME_ERROR_REASONS } from './frame-error.ts';

let seed = 0x9e3779b9;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(rnd() * n);

function seeds(): Uint8Array[] {
  const node = '00112233-4455-6677-8899-aabbccddeeff';
  return [
    encodeSpectrumFrame({
      nodeId: node,
      sequence: 1,
      captureTimeNs: 5n,
      centerHz: 1e8,
      sampleRateHz: 2e6,
      fftSize: 64,
      refDb: -120,
      stepDb: 0.5,
      bins: new Uint8Array(64).fill(9),
    }),
    encodeSpectrumFrame({
      nodeId: node,
      sequence: 2,
      captureTimeNs: 5n,
      centerHz: 1e8,
      sampleRateHz: 2e6,
      fftSize: 64,
      refDb: -120,
      stepDb: 0.5,
      bins: new Uint16Array(16).fill(300),
    }),
    encodeDetections({
      nodeId: node,
      sequence: 3,
      captureTimeNs: 7n,
      detections: [
        { startTimeNs: 1n, endTimeNs: 2n, freqLowHz: 1, freqHighHz: 2, snrDb: 3, powerDbfs: -4, label: 'am' },
      ],
    }),
    encodeAck({ nodeId: node, nextSequence: 9, acked: [11, 12] }),
  ];
}

function mutate(base: Uint8Array): Uint8Array {
  let b = base.slice();
  const ops = 1 + int(4);
  for (let k = 0; k < ops; k++) {
    switch (int(6)) {
      case 0: // flip bits
        if (b.length > 0) {
          const at = int(b.length);
          b[at] = (b[at] as number) ^ (1 << int(8));
        }
        break;
      case 1: // random byte, biased to the header
        if (b.length > 0) b[int(Math.min(b.length, rnd() < 0.7 ? 80 : b.length))] = int(256);
        break;
      case 2: // truncate
        b = b.subarray(0, int(b.length + 1));
        break;
      case 3: {
        // extend
        const e = new Uint8Array(b.length + 1 + int(64));
        e.set(b);
        b = e;
        break;
      }
      case 4: {
        // a plausible length field
        if (b.length >= 12)
          new DataView(b.buffer, b.byteOffset).setUint32(8, rnd() < 0.5 ? b.length : int(2 ** 32), true);
        break;
      }
      default: {
        // interesting 32-bit values in a random aligned slot
        const vals = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 4096, 65536, 65537];
        if (b.length >= 4)
          new DataView(b.buffer, b.byteOffset).setUint32(
            4 * int(b.length >> 2),
            vals[int(vals.length)] as number,
            true,
          );
      }
    }
  }
  return b;
}

test('random and mutated frames either decode or raise a FrameError, never anything else', () => {
  const bases = seeds();
  const seen = new Set<string>();
  let decoded = 0;
  for (let i = 0; i < 60_000; i++) {
    const bytes =
      i % 10 === 0
        ? Uint8Array.from({ length: int(200) }, () => int(256))
        : mutate(bases[int(bases.length)] as Uint8Array);
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (e) {
      if (!(e instanceof FrameError))
        throw new Error(`input ${Buffer.from(bytes).toString('hex')} raised ${String(e)}`);
      assert.ok(FRAME_ERROR_REASONS.includes(e.reason));
      seen.add(e.reason);
      continue;
    }
    decoded++;
    // What decodes is whole: it re-encodes to the same bytes (bins u16 by flag, same length).
    assert.deepEqual(Buffer.from(encodeFrame(frame)), Buffer.from(bytes));
  }
  assert.ok(decoded > 100, `some mutations stay valid (${decoded})`);
  for (const r of [
    'truncated',
    'oversized',
    'bad_magic',
    'unsupported_version',
    'unknown_kind',
    'bad_flags',
    'bin_count_mismatch',
    'bad_field',
  ] as const) {
    assert.ok(seen.has(r), `the fuzzer reached ${r}`);
  }
});
