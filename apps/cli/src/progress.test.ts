import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createProgressFactory } from './progress.ts';

function sink(columns = 80): Writable & { columns: number; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return Object.assign(w, { columns, text: () => chunks.join('') });
}

describe('progress', () => {
  it('on a terminal draws a bar with percentage, rate and ETA, and clears it when done', () => {
    let t = 0;
    const out = sink();
    const p = createProgressFactory('bar', out, () => t)('psd', 1000, 'S');
    t = 1000;
    p.update(250); // 250 samples in 1 s: 250 S/s, 3 s left
    const line = out.text();
    assert.match(line, /^\rpsd \[#+-+\]\s+25% 250 S\/s ETA 00:03$/);
    p.done();
    assert.ok(out.text().endsWith('\r\x1b[2K'));
  });

  it('redraws the bar at most ten times a second', () => {
    let t = 0;
    const out = sink();
    const p = createProgressFactory('bar', out, () => t)('x', 100, 'B');
    for (let i = 1; i <= 50; i++) {
      t = i; // 50 updates within 50 ms
      p.update(i);
    }
    assert.equal(out.text().split('\r').filter(Boolean).length, 1);
  });

  it('without a terminal prints a plain line every few seconds, and nothing for short work', () => {
    let t = 0;
    const out = sink();
    const factory = createProgressFactory('plain', out, () => t);
    const short = factory('quick', 10, 'S');
    t = 500;
    short.update(10);
    short.done();
    assert.equal(out.text(), '');
    const long = factory('analyze', 1e6, 'S');
    for (let s = 1; s <= 12; s++) {
      t = 500 + s * 1000;
      long.update(s * 50_000);
    }
    long.done();
    const lines = out.text().trimEnd().split('\n');
    assert.ok(lines.length >= 2 && lines.length <= 4, out.text());
    assert.match(lines[0] ?? '', /^analyze: {2}25% 50\.0 kS\/s ETA 00:15$/);
    assert.match(lines.at(-1) ?? '', /^analyze: 100%/);
  });

  it('prints nothing when off', () => {
    const out = sink();
    const p = createProgressFactory('off', out)('x', 10, 'S');
    p.update(5);
    p.done();
    assert.equal(out.text(), '');
  });
});
