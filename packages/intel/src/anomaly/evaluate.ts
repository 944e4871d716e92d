/**
 * Scores events against ground truth. Time is cut into windows; a window that overlaps an injected
 * anomaly is a positive for it, scored by the strongest event that overlaps both the window and
 * the anomaly (in time and, within a guard, in frequency); a window far from every anomaly is a
 * negative, scored by the strongest event in it (0 when none). From these: ROC-AUC per kind
 * (positives of that kind against all negatives; ties count half), and the share of injected
 * anomalies caught at the threshold that 1 % of negative windows exceed.
 */
import type { AnomalyEvent, AnomalyKind } from './types.ts';

export interface TruthAnomaly {
  readonly kind: AnomalyKind;
  readonly startMs: number;
  readonly endMs: number;
  readonly freqLowHz: number;
  readonly freqHighHz: number;
}

export interface EvaluateOptions {
  readonly periodStartMs: number;
  readonly periodEndMs: number;
  /** Window length (default 5 min). */
  readonly windowMs?: number;
  /** Windows this close to an anomaly are neither positive nor negative (default 2 min). */
  readonly slackMs?: number;
  /** Frequency tolerance when matching events to an anomaly's band (default 25 kHz). */
  readonly guardHz?: number;
  /** False-alarm rate for the detection figure (default 0.01). */
  readonly falseAlarmRate?: number;
}

export interface KindResult {
  readonly kind: AnomalyKind;
  readonly injected: number;
  /** Caught at the 1 % false-alarm threshold. */
  readonly detected: number;
  readonly detectionRate: number;
  readonly auc: number;
  /** Caught anomalies whose best event named the right kind. */
  readonly kindCorrect: number;
}

export interface EvaluationResult {
  readonly kinds: readonly KindResult[];
  readonly overall: { readonly auc: number; readonly detectionRate: number; readonly injected: number };
  readonly negativeWindows: number;
  readonly threshold: number;
  /** Events that overlap no anomaly, per day. */
  readonly falseEventsPerDay: number;
}

function overlaps(e: AnomalyEvent, t0: number, t1: number): boolean {
  return e.startMs < t1 && e.endMs > t0;
}

/** P(positive > negative) + P(tie) / 2. */
export function rocAuc(pos: readonly number[], neg: readonly number[]): number {
  if (pos.length === 0 || neg.length === 0) return NaN;
  const n = [...neg].sort((a, b) => a - b);
  let sum = 0;
  for (const p of pos) {
    let lo = 0;
    let hi = n.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if ((n[m] as number) < p) lo = m + 1;
      else hi = m;
    }
    const below = lo;
    let eqEnd = lo;
    while (eqEnd < n.length && n[eqEnd] === p) eqEnd++;
    sum += below + (eqEnd - below) / 2;
  }
  return sum / (pos.length * n.length);
}

export function evaluateEvents(
  events: readonly AnomalyEvent[],
  truths: readonly TruthAnomaly[],
  o: EvaluateOptions,
): EvaluationResult {
  const W = o.windowMs ?? 300_000;
  const slack = o.slackMs ?? 120_000;
  const guard = o.guardHz ?? 25_000;
  const far = o.falseAlarmRate ?? 0.01;
  const matches = (e: AnomalyEvent, t: TruthAnomaly): boolean =>
    e.freqLowHz <= t.freqHighHz + guard && e.freqHighHz >= t.freqLowHz - guard;

  const neg: number[] = [];
  for (let w = o.periodStartMs; w + W <= o.periodEndMs; w += W) {
    const near = truths.some((t) => t.startMs < w + W + slack && t.endMs > w - slack);
    if (near) continue;
    let s = 0;
    for (const e of events) if (overlaps(e, w, w + W)) s = Math.max(s, e.score);
    neg.push(s);
  }
  const sortedNeg = [...neg].sort((a, b) => b - a);
  const threshold = sortedNeg[Math.floor(far * sortedNeg.length)] ?? 0;

  const byKind = new Map<
    AnomalyKind,
    { pos: number[]; injected: number; detected: number; correct: number }
  >();
  for (const t of truths) {
    const k = byKind.get(t.kind) ?? { pos: [], injected: 0, detected: 0, correct: 0 };
    byKind.set(t.kind, k);
    k.injected++;
    let best: AnomalyEvent | undefined;
    const first = o.periodStartMs + Math.floor((t.startMs - o.periodStartMs) / W) * W;
    for (let w = first; w < t.endMs; w += W) {
      // windows that share at least 30 s with the anomaly (clock errors shift truth by seconds)
      if (Math.min(w + W, t.endMs) - Math.max(w, t.startMs) < 30_000) continue;
      const a = Math.max(w, t.startMs);
      const b = Math.min(w + W, t.endMs + slack);
      let s = 0;
      for (const e of events) {
        if (overlaps(e, a, b) && matches(e, t)) {
          s = Math.max(s, e.score);
          if (best === undefined || e.score > best.score) best = e;
        }
      }
      k.pos.push(s);
    }
    if (best !== undefined && best.score > threshold) {
      k.detected++;
      if (best.kind === t.kind) k.correct++;
    }
  }
  const kinds: KindResult[] = [...byKind].map(([kind, k]) => ({
    kind,
    injected: k.injected,
    detected: k.detected,
    detectionRate: k.detected / k.injected,
    auc: rocAuc(k.pos, neg),
    kindCorrect: k.correct,
  }));
  const allPos = [...byKind.values()].flatMap((k) => k.pos);
  const injected = truths.length;
  const detected = kinds.reduce((s, k) => s + k.detected, 0);
  const days = (o.periodEndMs - o.periodStartMs) / 86_400_000;
  const falseEvents = events.filter(
    (e) => !truths.some((t) => e.startMs < t.endMs + slack && e.endMs > t.startMs - slack && matches(e, t)),
  ).length;
  return {
    kinds,
    overall: {
      auc: rocAuc(allPos, neg),
      detectionRate: injected === 0 ? NaN : detected / injected,
      injected,
    },
    negativeWindows: neg.length,
    threshold,
    falseEventsPerDay: days > 0 ? falseEvents / days : 0,
  };
}
