/**
 * Isolation forest (Liu, Ting and Zhou, 2008): random trees that split a random feature at a
 * random value; unusual points are isolated close to the root. Score 2^(-E[h(x)] / c(psi)) in
 * (0, 1): about 0.5 for ordinary points, towards 1 for anomalies. Trees are flat arrays so a
 * forest is plain JSON. Deterministic for a seed.
 *
 * One change to the original: each split remembers the range of its feature among the training
 * points that reached it, and a point outside that range is isolated there. In the original such a
 * point follows the extreme training points down the tree, so a signal 400 kHz wide scores no
 * higher than the widest usual one.
 */
import { prng } from '../prng.ts';

export interface IsolationTree {
  /** Per node: split feature (-1 for a leaf), split value, feature range seen, children (indices), leaf size. */
  readonly feature: number[];
  readonly split: number[];
  readonly lo: number[];
  readonly hi: number[];
  readonly left: number[];
  readonly right: number[];
  readonly size: number[];
}

export interface IsolationForest {
  readonly trees: readonly IsolationTree[];
  /** Points per tree (psi). */
  readonly sampleSize: number;
  readonly features: number;
}

export interface ForestOptions {
  readonly trees?: number;
  readonly sampleSize?: number;
  readonly seed?: number;
}

/** Average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

/** mulberry32, seeded: deterministic weights, splits and shuffles. */
function rng(seed: number): () => number {
  return prng(seed).uniform;
}

export function buildIsolationForest(rows: readonly Float64Array[], o: ForestOptions = {}): IsolationForest {
  const features = rows[0]?.length ?? 0;
  const psi = Math.min(o.sampleSize ?? 256, rows.length);
  const limit = Math.ceil(Math.log2(Math.max(2, psi)));
  const random = rng(o.seed ?? 1);
  const trees: IsolationTree[] = [];
  for (let t = 0; t < (o.trees ?? 100); t++) {
    // sample without replacement (partial Fisher-Yates over indices)
    const idx = Array.from({ length: rows.length }, (_, i) => i);
    for (let i = 0; i < psi; i++) {
      const j = i + Math.floor(random() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    const tree: IsolationTree = { feature: [], split: [], lo: [], hi: [], left: [], right: [], size: [] };
    const grow = (points: number[], depth: number): number => {
      const id = tree.feature.length;
      tree.feature.push(-1);
      tree.split.push(0);
      tree.lo.push(0);
      tree.hi.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.size.push(points.length);
      if (depth >= limit || points.length <= 1) return id;
      // a random feature that still varies among these points
      const order = Array.from({ length: features }, (_, i) => i).sort(() => random() - 0.5);
      for (const f of order) {
        let lo = Infinity;
        let hi = -Infinity;
        for (const p of points) {
          const v = (rows[p] as Float64Array)[f] as number;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (!(hi > lo)) continue;
        const split = lo + random() * (hi - lo);
        const l = points.filter((p) => ((rows[p] as Float64Array)[f] as number) < split);
        const r = points.filter((p) => ((rows[p] as Float64Array)[f] as number) >= split);
        tree.feature[id] = f;
        tree.split[id] = split;
        tree.lo[id] = lo;
        tree.hi[id] = hi;
        tree.left[id] = grow(l, depth + 1);
        tree.right[id] = grow(r, depth + 1);
        return id;
      }
      return id;
    };
    grow(idx.slice(0, psi), 0);
    trees.push(tree);
  }
  return { trees, sampleSize: psi, features };
}

/** Anomaly score in (0, 1) of a point. */
export function isolationScore(forest: IsolationForest, x: Float64Array): number {
  let total = 0;
  for (const t of forest.trees) {
    let node = 0;
    let depth = 0;
    let isolated = false;
    while ((t.feature[node] as number) >= 0) {
      const v = x[t.feature[node] as number] as number;
      if (v < (t.lo[node] as number) || v > (t.hi[node] as number)) {
        isolated = true;
        break;
      }
      node = v < (t.split[node] as number) ? (t.left[node] as number) : (t.right[node] as number);
      depth++;
    }
    total += isolated ? depth + 1 : depth + averagePath(t.size[node] as number);
  }
  const mean = total / forest.trees.length;
  return 2 ** (-mean / Math.max(averagePath(forest.sampleSize), 1e-9));
}
