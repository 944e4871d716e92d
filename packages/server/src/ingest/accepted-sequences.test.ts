import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptSequences } from './accepted-sequences.ts';

test('a batch that fills a hole moves next over every stored sequence above it', () => {
  assert.deepEqual(acceptSequences({ next: 3, above: [5, 6, 9] }, [3, 4], 10), {
    next: 7,
    above: [9],
    already: [],
  });
});

test('sequences already stored are reported, not stored again', () => {
  const u = acceptSequences({ next: 3, above: [5] }, [1, 5, 7], 10);
  assert.deepEqual(u.already, [1, 5]);
  assert.deepEqual({ next: u.next, above: u.above }, { next: 3, above: [5, 7] });
});

test('past the bound the oldest holes count as lost: next moves over them', () => {
  const u = acceptSequences({ next: 0, above: [2, 3, 5] }, [8], 3);
  // keep 3, 5, 8: the hole 0..1 is lost, 3 is now the lowest stored, so next = 4
  assert.deepEqual({ next: u.next, above: u.above }, { next: 4, above: [5, 8] });
  assert.deepEqual(
    acceptSequences(u, [1, 3], 3).already,
    [1, 3],
    'a late frame from a lost hole is a duplicate',
  );
});
