import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelFontSize, placeLabels, type LabelPoint, type PlacedLabel } from './label-layout.ts';

const R = 1;

function box(p: LabelPoint, l: PlacedLabel) {
  const fs = labelFontSize(R);
  const w = p.text.length * 0.6 * fs;
  const x0 = l.anchor === 'start' ? l.x : l.x - w;
  return { x0, x1: x0 + w, y0: l.y - 0.8 * fs, y1: l.y + 0.25 * fs };
}

test('a lone site is labelled to the right of its dot', () => {
  const [l] = placeLabels([{ x: 10, y: 10, text: 'graz' }], R);
  assert.ok(l);
  assert.equal(l.anchor, 'start');
  assert.ok(l.x > 10);
});

test('sites at nearly the same spot get labels that do not overlap each other or the dots', () => {
  // Doorn, Twente and Enschede at fleet zoom: Twente and Enschede are 0.1 units apart
  const pts: LabelPoint[] = [
    { x: 10, y: 10, text: 'doorn' },
    { x: 14.2, y: 9.4, text: 'twente' },
    { x: 14.3, y: 9.45, text: 'enschede' },
  ];
  const placed = placeLabels(pts, R);
  const boxes = placed.map((l, i) => {
    assert.ok(l, `${pts[i]?.text} has a label`);
    return box(pts[i] as LabelPoint, l);
  });
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i] as ReturnType<typeof box>;
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j] as ReturnType<typeof box>;
      assert.ok(!(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1), `labels ${i} and ${j} overlap`);
    }
    for (const [j, p] of pts.entries()) {
      if (j === i) continue;
      const inside = p.x + R > a.x0 && p.x - R < a.x1 && p.y + R > a.y0 && p.y - R < a.y1;
      assert.ok(!inside, `label of ${pts[i]?.text} covers the dot of ${p.text}`);
    }
  }
});

test('a label with no free spot is left out rather than printed over another', () => {
  const pts = Array.from({ length: 8 }, () => ({ x: 5, y: 5, text: 'same-place' }));
  const placed = placeLabels(pts, R);
  assert.ok(placed[0]);
  assert.ok(placed.some((l) => l === undefined));
});
