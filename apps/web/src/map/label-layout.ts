/**
 * Where the map puts node names so that they do not print over each other or over other nodes'
 * dots: sites a few kilometres apart (the demo's Twente and Enschede) share a spot at fleet zoom.
 * Greedy, in the order given: each label takes the first free spot of right, left, above, below
 * (right and left of the dot first, as a reader expects); a label with no free spot is left out,
 * and the page keeps the name in the dot's tooltip. Sizes are in map units, so the layout is
 * computed again only when the zoom (the dot radius) changes, not while panning.
 */

export interface LabelPoint {
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

export interface PlacedLabel {
  /** Baseline position of the text. */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'end';
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Font size of a label for dot radius `r` (the page draws names at this size). */
export const labelFontSize = (r: number): number => r * 2.2;

/** Average glyph width as a share of the font size (system-ui, lower case). */
const CHAR_WIDTH = 0.6;

const overlaps = (a: Rect, b: Rect): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** One placement per point (undefined: no free spot), for dots of radius `r`. */
export function placeLabels(points: readonly LabelPoint[], r: number): (PlacedLabel | undefined)[] {
  const fs = labelFontSize(r);
  const dots: Rect[] = points.map((p) => ({ x0: p.x - r, y0: p.y - r, x1: p.x + r, y1: p.y + r }));
  const taken: Rect[] = [];
  return points.map((p, i) => {
    const w = p.text.length * CHAR_WIDTH * fs;
    const candidates: PlacedLabel[] = [
      { x: p.x + r * 1.5, y: p.y + r / 2, anchor: 'start' },
      { x: p.x - r * 1.5, y: p.y + r / 2, anchor: 'end' },
      { x: p.x + r, y: p.y - r * 1.3, anchor: 'start' },
      { x: p.x + r, y: p.y + r * 1.3 + 0.8 * fs, anchor: 'start' },
      { x: p.x - r, y: p.y - r * 1.3, anchor: 'end' },
      { x: p.x - r, y: p.y + r * 1.3 + 0.8 * fs, anchor: 'end' },
    ];
    for (const c of candidates) {
      const x0 = c.anchor === 'start' ? c.x : c.x - w;
      const box = { x0, y0: c.y - 0.8 * fs, x1: x0 + w, y1: c.y + 0.25 * fs };
      const free =
        taken.every((t) => !overlaps(t, box)) && dots.every((d, j) => j === i || !overlaps(d, box));
      if (free) {
        taken.push(box);
        return c;
      }
    }
    return undefined;
  });
}
