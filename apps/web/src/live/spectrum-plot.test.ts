import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelLeft } from './spectrum-plot.ts';

test('an axis label starts just right of its tick when it fits', () => {
  assert.equal(labelLeft(100, 60, 1000), 103);
});

test('the label of a tick near the right edge moves left of the tick and stays on the canvas', () => {
  const x = labelLeft(980, 60, 1000);
  assert.equal(x, 977 - 60);
  assert.ok(x + 60 <= 1000);
});

test('a label is never placed left of the canvas', () => {
  assert.equal(labelLeft(-50, 60, 1000), 0);
  assert.equal(labelLeft(10, 2000, 1000), 0);
});
