import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  binFrequencyHz,
  decodeFrame,
  encodeAck,
  encodeDetections,
  encodeSpectrumFrame,
  MAX_FRAME_BYTES,
  shareSpectrumFrame,
  spectrumFrameBytes,
  wireBytesOf,
  type SpectrumFrame,
} from './frame-codec.ts';
import { FrameError, type FrameErrorReason } from './frame-error.ts';

const NODE = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

function spectrum(
  bins: Uint8Array | Uint16Array = Uint8Array.from({ length: 4096 }, (_, i) => i & 255),
): Omit<SpectrumFrame, 'kind'> {
  return {
    nodeId: NODE,
    sequence: 2 ** 40 + 17,
    captureTimeNs: 1_767_225_600_123_456_789n,
    centerHz: 100.1e6,
    sampleRateHz: 2.4e6,
    fftSize: 4096,
    refDb: -130.5,
    stepDb: 0.5,
    bins,
  };
}

function rejects(bytes: Uint8Array, reason: FrameErrorReason): void {
  assert.throws(
    () => decodeFrame(bytes),
    (e: unknown) => e instanceof FrameError && e.reason === reason && e.kind === 'user',
    `expected FrameError ${reason}`,
  );
}

test('a spectrum frame survives encode and decode exactly, with nanosecond time and a 2^40 sequence', () => {
  const f = spectrum();
  const bytes = encodeSpectrumFrame(f);
  assert.equal(bytes.length, 76 + 4096);
  const d = decodeFrame(bytes);
  assert.equal(d.kind, 'spectrum');
  assert.deepEqual({ ...d, bins: [...d.bins] }, { ...f, kind: 'spectrum', bins: [...f.bins] });
});

test('u16 bins round trip and set the flag', () => {
  const f = spectrum(Uint16Array.from({ length: 1024 }, (_, i) => i * 61));
  const bytes = encodeSpectrumFrame({ ...f, fftSize: 2048 });
  assert.equal(bytes.length, spectrumFrameBytes(1024, true));
  const d = decodeFrame(bytes);
  assert.ok(d.kind === 'spectrum' && d.bins instanceof Uint16Array);
  assert.deepEqual([...d.bins], [...f.bins]);
});

test('encoding into a caller buffer returns a view of it, at any offset', () => {
  const big = new Uint8Array(10_000);
  const view = big.subarray(3);
  const out = encodeSpectrumFrame(spectrum(), view);
  assert.equal(out.buffer, big.buffer);
  assert.equal(out.byteOffset, 3);
  const d = decodeFrame(out);
  assert.equal(d.kind === 'spectrum' && d.sequence, 2 ** 40 + 17);
});

test('a decoded frame can be forwarded as the bytes it arrived in, and shared without a copy', () => {
  for (const bins of [
    Uint8Array.from({ length: 512 }, (_, i) => i & 255),
    Uint16Array.from([1, 65535, 7, 0]),
  ]) {
    const bytes = encodeSpectrumFrame(spectrum(bins));
    const socket = new Uint8Array(bytes.length + 20);
    socket.set(bytes, 10);
    const decoded = decodeFrame(socket.subarray(10, 10 + bytes.length)) as SpectrumFrame;
    assert.deepEqual(wireBytesOf(decoded), bytes, 'forwarded bytes are what an encode would give');
    assert.deepEqual(
      decoded,
      { kind: 'spectrum', ...spectrum(bins) },
      'the wire bytes are not part of its content',
    );
    assert.equal(JSON.stringify(Object.keys(decoded)).includes('wire'), false);
    const shared = shareSpectrumFrame(decoded);
    assert.notEqual(shared, decoded);
    assert.equal(shared.bins, decoded.bins);
    assert.equal(wireBytesOf(shared), wireBytesOf(decoded));
    assert.equal(wireBytesOf({ ...decoded }), undefined, 'a spread copy is a frame built in code');
  }
  assert.equal(
    wireBytesOf({ kind: 'spectrum', ...spectrum() }),
    undefined,
    'a frame built in code has no wire bytes',
  );
});

test('detections and acks round trip', () => {
  const det = {
    nodeId: NODE,
    sequence: 5,
    captureTimeNs: 10n,
    detections: [
      {
        startTimeNs: 1n,
        endTimeNs: 2n,
        freqLowHz: 99e6,
        freqHighHz: 99.2e6,
        snrDb: 12.5,
        powerDbfs: -40.25,
        label: 'fm-broadcast',
      },
      {
        startTimeNs: 3n,
        endTimeNs: 3n,
        freqLowHz: 1,
        freqHighHz: 1,
        snrDb: 3,
        powerDbfs: -90,
        label: 'ünknown',
      },
    ],
  };
  assert.deepEqual(decodeFrame(encodeDetections(det)), { kind: 'detections', ...det });
  const ack = { nodeId: NODE, nextSequence: 100, acked: [102, 105] };
  assert.deepEqual(decodeFrame(encodeAck(ack)), { kind: 'ack', ...ack });
});

test('bin frequencies follow the fftshifted Welch convention', () => {
  const f = { centerHz: 100e6, sampleRateHz: 1e6, fftSize: 8, bins: new Uint8Array(8) };
  assert.equal(binFrequencyHz(f, 0), 100e6 - 0.5e6);
  assert.equal(binFrequencyHz(f, 4), 100e6);
  assert.equal(binFrequencyHz({ ...f, bins: new Uint8Array(4) }, 1), 100e6 - 0.25e6);
});

test('malformed frames are refused with the reason a close frame carries', () => {
  const good = encodeSpectrumFrame(spectrum());
  rejects(good.subarray(0, 5), 'truncated');
  rejects(good.subarray(0, good.length - 1), 'truncated');
  const longer = new Uint8Array(good.length + 1);
  longer.set(good);
  rejects(longer, 'oversized');
  rejects(new Uint8Array(MAX_FRAME_BYTES + 1), 'oversized');
  const edit = (at: number, f: (dv: DataView) => void): Uint8Array => {
    const b = good.slice();
    f(new DataView(b.buffer));
    void at;
    return b;
  };
  rejects(
    edit(0, (dv) => dv.setUint8(0, 0x47)),
    'bad_magic',
  );
  rejects(
    edit(4, (dv) => dv.setUint8(4, 2)),
    'unsupported_version',
  );
  rejects(
    edit(5, (dv) => dv.setUint8(5, 9)),
    'unknown_kind',
  );
  rejects(
    edit(6, (dv) => dv.setUint16(6, 4, true)),
    'bad_flags',
  );
  rejects(
    edit(64, (dv) => dv.setUint32(64, 4095, true)),
    'bin_count_mismatch',
  );
  rejects(
    edit(60, (dv) => dv.setUint32(60, 4097, true)),
    'bin_count_mismatch',
  );
  rejects(
    edit(52, (dv) => dv.setFloat64(52, 0, true)),
    'bad_field',
  );
  rejects(
    edit(44, (dv) => dv.setFloat64(44, Number.NaN, true)),
    'bad_field',
  );
  rejects(
    edit(72, (dv) => dv.setFloat32(72, -0.5, true)),
    'bad_field',
  );
  rejects(
    edit(32, (dv) => dv.setUint32(32, 0x200000, true)),
    'bad_field',
  );
  rejects(
    edit(36, (dv) => dv.setBigInt64(36, -1n, true)),
    'bad_field',
  );
});

test('a frame error names its WebSocket close code and a short reason', () => {
  try {
    decodeFrame(new Uint8Array(3));
    assert.fail('expected a FrameError');
  } catch (e) {
    assert.ok(e instanceof FrameError);
    assert.equal(e.closeCode, 1007);
    assert.equal(e.closeReason, 'frame:truncated');
    assert.match(e.describe(), /binary frame: .*shorter than the 12-byte header; fix: /);
  }
  try {
    decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1));
  } catch (e) {
    assert.ok(e instanceof FrameError);
    assert.equal(e.closeCode, 1009);
  }
});

test('the encoder refuses what the decoder would refuse', () => {
  assert.throws(() => encodeSpectrumFrame({ ...spectrum(), nodeId: 'not-a-uuid' }), RangeError);
  assert.throws(() => encodeSpectrumFrame({ ...spectrum(), fftSize: 4095 }), RangeError);
  assert.throws(() => encodeSpectrumFrame({ ...spectrum(), sequence: 2 ** 53 }), RangeError);
  assert.throws(() => encodeSpectrumFrame({ ...spectrum(), sampleRateHz: 0 }), RangeError);
  assert.throws(() => encodeSpectrumFrame(spectrum(new Uint8Array(0))), RangeError);
});
