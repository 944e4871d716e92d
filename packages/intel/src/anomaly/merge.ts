/**
 * Anomalies seen at several nodes at once are one event: events of different nodes that overlap
 * in time (within a slack) and in frequency merge into one that lists the nodes, keeps the
 * strongest score and severity, and spans the union of times and bands.
 */
import { explain } from './explain.ts';
import type { AnomalyEvent, Severity } from './types.ts';

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

export function mergeAcrossNodes(events: readonly AnomalyEvent[], slackMs = 60_000): AnomalyEvent[] {
  const sorted = [...events].sort((a, b) => a.startMs - b.startMs);
  const groups: AnomalyEvent[][] = [];
  for (const e of sorted) {
    const g = groups.find((grp) =>
      grp.some(
        (o) =>
          o.kind === e.kind &&
          !o.nodes.some((n) => e.nodes.includes(n)) &&
          e.startMs <= o.endMs + slackMs &&
          o.startMs <= e.endMs + slackMs &&
          e.freqLowHz <= o.freqHighHz &&
          o.freqLowHz <= e.freqHighHz,
      ),
    );
    if (g === undefined) groups.push([e]);
    else g.push(e);
  }
  return groups.map((g) => {
    if (g.length === 1) return g[0] as AnomalyEvent;
    const best = g.reduce((a, b) => (b.score > a.score ? b : a));
    const nodes = [...new Set(g.flatMap((e) => e.nodes))];
    const startMs = Math.min(...g.map((e) => e.startMs));
    const freqLowHz = Math.min(...g.map((e) => e.freqLowHz));
    const freqHighHz = Math.max(...g.map((e) => e.freqHighHz));
    const severity = g.reduce<Severity>((s, e) => (RANK[e.severity] > RANK[s] ? e.severity : s), 'low');
    return {
      ...best,
      node: best.node,
      nodes,
      startMs,
      endMs: Math.max(...g.map((e) => e.endMs)),
      freqLowHz,
      freqHighHz,
      severity,
      explanation: explain({
        kind: best.kind,
        nodes,
        startMs,
        freqLowHz,
        freqHighHz,
        deltaDb: best.details.deltaDb,
        baseline: best.details.baseline,
        wide: best.kind === 'wideband_noise',
      }),
    };
  });
}
