import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CommandDecoder,
  decodeHeader,
  encodeCommand,
  encodeHeader,
  type RtlTcpCommand,
} from './rtl-tcp.protocol.ts';

test('the greeting is RTL0, the tuner type and the gain count, big-endian', () => {
  const h = encodeHeader(5, 29);
  assert.deepEqual([...h], [0x52, 0x54, 0x4c, 0x30, 0, 0, 0, 5, 0, 0, 0, 29]);
  assert.deepEqual(decodeHeader(h), { tunerType: 5, gainCount: 29 });
  assert.equal(decodeHeader(new Uint8Array(12)), undefined);
});

test('commands are decoded whatever the TCP segmentation', () => {
  const stream = new Uint8Array([
    ...encodeCommand(0x01, 145_500_000),
    ...encodeCommand(0x05, -12 >>> 0),
    ...encodeCommand(0x42, 7),
  ]);
  for (const cut of [1, 2, 3, 4, 5, 7, 15]) {
    const got: RtlTcpCommand[] = [];
    const d = new CommandDecoder();
    for (let i = 0; i < stream.length; i += cut) d.push(stream.subarray(i, i + cut), (c) => got.push(c));
    assert.equal(got.length, 3);
    assert.equal(got[0]?.name, 'setFrequency');
    assert.equal(got[0]?.param, 145_500_000);
    assert.equal(got[1]?.name, 'setFrequencyCorrection');
    assert.equal(got[1]?.signedParam, -12);
    assert.equal(got[2]?.name, undefined);
  }
});
