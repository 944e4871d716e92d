/**
 * Which nodes capture for a localization when the operator names none: online nodes with a
 * location, preferring those that recently detected a signal in the band; GPS-timed ones (TDOA, at
 * least 3) when there are enough and their geometry can make a fix, else any (power, at least 4);
 * and of those the most spread out, because a fix from nodes bunched together has a long, thin
 * error ellipse (high GDOP). Greedy farthest-point selection: start with the node farthest from
 * the centroid, then repeatedly add the node farthest from every node chosen. A set the solver
 * would refuse (nodes on a line, two at one place) is not asked: the next option is tried, and if
 * none is left the reason is given instead of a job that can only fail.
 */
import { isUserError } from '@heimdall/errors';
import { nodeGeometry } from '@heimdall/intel';

export interface CandidateNode {
  readonly id: string;
  readonly lat: number;
  readonly lon: number;
  /** Clock source of its latest heartbeat (`gps`, `pps`, `ptp`, `ntp`, ...). */
  readonly clockSource: string;
}

/** Clock sources precise enough for TDOA (nanosecond-class timestamps). */
export const TDOA_CLOCKS: ReadonlySet<string> = new Set(['gps', 'pps', 'ptp']);
export const MIN_TDOA_NODES = 3;
export const MIN_POWER_NODES = 4;

function xy(n: CandidateNode, lat0: number): readonly [number, number] {
  // Equirectangular metres: plenty for choosing spread-out nodes over tens of kilometres.
  return [n.lon * 111_320 * Math.cos((lat0 * Math.PI) / 180), n.lat * 110_540];
}

/** Up to `max` of `nodes`, spread out (input order breaks ties, so the choice is repeatable). */
export function spreadOut(nodes: readonly CandidateNode[], max: number): CandidateNode[] {
  if (nodes.length <= max) return [...nodes];
  const lat0 = nodes.reduce((s, n) => s + n.lat, 0) / nodes.length;
  const pts = nodes.map((n) => xy(n, lat0));
  const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const chosen: number[] = [];
  const minDist = pts.map((p) => Math.hypot(p[0] - cx, p[1] - cy));
  while (chosen.length < max) {
    let best = -1;
    for (let i = 0; i < pts.length; i++)
      if (!chosen.includes(i) && (best < 0 || (minDist[i] as number) > (minDist[best] as number))) best = i;
    chosen.push(best);
    const b = pts[best] as readonly [number, number];
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i] as readonly [number, number];
      minDist[i] =
        chosen.length === 1
          ? Math.hypot(p[0] - b[0], p[1] - b[1])
          : Math.min(minDist[i] as number, Math.hypot(p[0] - b[0], p[1] - b[1]));
    }
  }
  return chosen.map((i) => nodes[i] as CandidateNode);
}

/** Why the solver would refuse these nodes (the same checks it makes), or undefined when it would not. */
function geometryProblem(nodes: readonly CandidateNode[], min: number, method: string): string | undefined {
  try {
    nodeGeometry(
      nodes.map((n) => ({ name: n.id, position: { latitude: n.lat, longitude: n.lon, altitude: 0 } })),
      min,
      method,
    );
    return undefined;
  } catch (e) {
    if (isUserError(e)) return e.message;
    throw e;
  }
}

export type NodeChoice =
  { readonly nodes: CandidateNode[]; readonly method: 'tdoa' | 'power' } | { readonly reason: string };

/**
 * The nodes to ask, or why there are none: first among the nodes that heard the band (`hearing`,
 * their ids), then among all online ones; in each, TDOA-capable nodes first, else all of them for
 * a power-only fix. `method` forces one kind.
 */
export function chooseNodes(
  online: readonly CandidateNode[],
  method: 'auto' | 'tdoa' | 'power',
  max: number,
  hearing: ReadonlySet<string> = new Set(),
): NodeChoice {
  const heard = online.filter((n) => hearing.has(n.id));
  const pools = heard.length > 0 && heard.length < online.length ? [heard, online] : [online];
  const problems: string[] = [];
  for (const pool of pools) {
    const timed = pool.filter((n) => TDOA_CLOCKS.has(n.clockSource));
    if (method !== 'power' && timed.length >= MIN_TDOA_NODES) {
      const nodes = spreadOut(timed, max);
      const problem = geometryProblem(nodes, MIN_TDOA_NODES, 'TDOA');
      if (problem === undefined) return { nodes, method: 'tdoa' };
      problems.push(`TDOA: ${problem}`);
    }
    if (method !== 'tdoa' && pool.length >= MIN_POWER_NODES) {
      const nodes = spreadOut(pool, max);
      const problem = geometryProblem(nodes, MIN_POWER_NODES, 'power');
      if (problem === undefined) return { nodes, method: 'power' };
      problems.push(`power: ${problem}`);
    }
  }
  const timed = online.filter((n) => TDOA_CLOCKS.has(n.clockSource)).length;
  return {
    reason:
      `${online.length} online nodes have a location (${timed} with GPS-timed clocks, ${heard.length} heard the band recently): ` +
      (problems.length > 0
        ? [...new Set(problems)].join('; ')
        : `TDOA needs ${MIN_TDOA_NODES} GPS-timed nodes, power ${MIN_POWER_NODES} nodes`),
  };
}
