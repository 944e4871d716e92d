/** The receiving nodes of a fix: positions in a local frame, and the checks every method needs. */
import { UserError } from '@heimdall/errors';
import { EnuFrame, type Enu, type GeoPosition } from './geodesy.ts';

export interface NodeInput {
  /** How the user knows this node (recording path or node id), used in error messages. */
  readonly name: string;
  readonly position: GeoPosition | undefined;
}

export interface NodeGeometry {
  readonly frame: EnuFrame;
  readonly enu: readonly Enu[];
  /** Mean distance between node pairs, metres. */
  readonly meanSpacing: number;
  /** Largest distance between two nodes, metres. */
  readonly maxSpacing: number;
}

/** Checks count, geolocation and collinearity; returns the nodes in a frame centred on them. */
export function nodeGeometry(nodes: readonly NodeInput[], minNodes: number, method: string): NodeGeometry {
  if (nodes.length < minNodes)
    throw new UserError(`${method} localization needs at least ${minNodes} nodes, got ${nodes.length}`, {
      fix: `capture the same transmission on ${minNodes} or more nodes at different places`,
    });
  const positions: GeoPosition[] = [];
  for (const n of nodes) {
    const p = n.position;
    if (
      p === undefined ||
      !Number.isFinite(p.latitude) ||
      !Number.isFinite(p.longitude) ||
      !Number.isFinite(p.altitude)
    )
      throw new UserError('the node position is missing, so it cannot take part in a fix', {
        source: n.name,
        field: 'captures[0].core:geolocation',
        fix: 'record with the node position: a GeoJSON point [longitude, latitude, altitude] in core:geolocation',
      });
    positions.push(p);
  }
  const frame = EnuFrame.around(positions);
  const enu = positions.map((p) => frame.toEnu(p));
  let sum = 0;
  let max = 0;
  let pairs = 0;
  for (let i = 0; i < enu.length; i++)
    for (let j = i + 1; j < enu.length; j++) {
      const a = enu[i] as Enu;
      const b = enu[j] as Enu;
      const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      if (d < 1)
        throw new UserError(
          `nodes ${nodes[i]?.name} and ${nodes[j]?.name} are at the same place (${d.toFixed(2)} m apart)`,
          { fix: 'use nodes at distinct places; one recording per node' },
        );
      sum += d;
      max = Math.max(max, d);
      pairs++;
    }
  // Collinearity: the smaller horizontal spread against the larger (principal axes).
  let me = 0;
  let mn = 0;
  for (const p of enu) {
    me += p[0] / enu.length;
    mn += p[1] / enu.length;
  }
  let see = 0;
  let sen = 0;
  let snn = 0;
  for (const p of enu) {
    see += (p[0] - me) ** 2;
    sen += (p[0] - me) * (p[1] - mn);
    snn += (p[1] - mn) ** 2;
  }
  const tr = (see + snn) / 2;
  const d = Math.sqrt(((see - snn) / 2) ** 2 + sen * sen);
  const minor = Math.sqrt(Math.max(tr - d, 0) / enu.length);
  const major = Math.sqrt((tr + d) / enu.length);
  if (minor < 0.02 * major)
    throw new UserError(
      `the nodes lie on a line (spread across it ${minor.toFixed(0)} m against ${major.toFixed(0)} m along it), so an emitter cannot be told from its mirror image`,
      { fix: 'add a node well off the line through the others' },
    );
  return { frame, enu, meanSpacing: sum / pairs, maxSpacing: max };
}
