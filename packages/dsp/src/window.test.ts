import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { makeWindow, makeWindow64, parseWindowSpec } from './window.ts';
import type { WindowName } from './window.ts';

// scipy.signal.get_window values made by fixtures/make_reference.py.
const reference = JSON.parse(
  readFileSync(new URL('../fixtures/windows.json', import.meta.url), 'utf8'),
) as Record<string, number[]>;

test('every window equals scipy.signal.get_window (periodic and symmetric), in float64 and float32', () => {
  let checked = 0;
  for (const [key, expected] of Object.entries(reference)) {
    const [spec = '', size, kind] = key.split('/');
    const { name, beta } = parseWindowSpec(spec);
    const opts = { symmetric: kind === 'symmetric', ...(beta === undefined ? {} : { beta }) };
    const w = makeWindow(name, Number(size), opts);
    const w64 = makeWindow64(name, Number(size), opts);
    assert.equal(w.length, expected.length, key);
    assert.equal(w64.length, expected.length, key);
    for (let i = 0; i < w.length; i++) {
      const e = expected[i] as number;
      assert.ok(Math.abs((w[i] as number) - e) < 1e-7, `${key}[${i}]: ${w[i]} vs ${e}`);
      assert.ok(Math.abs((w64[i] as number) - e) < 1e-14, `${key}[${i}] float64: ${w64[i]} vs ${e}`);
    }
    checked++;
  }
  assert.ok(checked >= 50, `only ${checked} windows in the fixture`);
});

test('windows are periodic by default: the Hann window of 4 is 0, 0.5, 1, 0.5', () => {
  assert.deepEqual(Array.from(makeWindow('hann', 4)), [0, 0.5, 1, 0.5]);
  assert.deepEqual(Array.from(makeWindow('hann', 5, { symmetric: true })), [0, 0.5, 1, 0.5, 0]);
});

test('kaiser defaults to beta 14 and takes another beta', () => {
  const k14 = makeWindow('kaiser', 64);
  assert.deepEqual(k14, makeWindow('kaiser', 64, { beta: 14 }));
  assert.notDeepEqual(k14, makeWindow('kaiser', 64, { beta: 8.6 }));
});

test('parseWindowSpec reads names, aliases and a kaiser beta', () => {
  assert.deepEqual(parseWindowSpec('hann'), { name: 'hann' });
  assert.deepEqual(parseWindowSpec(' Blackman-Harris '), { name: 'blackmanharris' });
  assert.deepEqual(parseWindowSpec('flat-top'), { name: 'flattop' });
  assert.deepEqual(parseWindowSpec('kaiser:8.6'), { name: 'kaiser', beta: 8.6 });
  assert.deepEqual(parseWindowSpec('kaiser'), { name: 'kaiser' });
});

test('unknown windows and bad parameters are a UserError naming --window and the choices', () => {
  for (const bad of ['boxcar', '', 'hann:3', 'kaiser:', 'kaiser:abc', 'kaiser:-1', 'kaiser:1:2']) {
    assert.throws(
      () => parseWindowSpec(bad),
      (e: unknown) => e instanceof UserError && e.field === '--window' && /hann, hamming/.test(e.fix ?? ''),
      bad,
    );
  }
  assert.throws(() => makeWindow('hann' as WindowName, 0), UserError);
});
