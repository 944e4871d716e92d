/**
 * Localization fixes on the map: a marker at the fix, its 95 % error ellipse (traced in metres and
 * converted to degrees at the fix, see ellipse.ts) and thin lines to the nodes whose captures made
 * it. Strokes do not scale with the zoom, so a fix reads the same on the world and on a town.
 */
import type { Localization } from '../api/locate.ts';
import { ellipsePath, ellipseRing } from './ellipse.ts';
import { project } from './world.ts';

export interface FixLayerProps {
  /** Completed fixes to draw (others are skipped); the focused one is drawn on top. */
  readonly fixes: readonly Localization[];
  /** Map position of every located node, by id. */
  readonly nodes: ReadonlyMap<string, readonly [number, number]>;
  readonly focusedId: string | undefined;
  /** Marker radius in map units (follows the zoom like the node dots). */
  readonly r: number;
  onFocus(id: string): void;
}

function located(l: Localization): l is Localization & { lat: number; lon: number } {
  return l.status === 'completed' && l.lat !== null && l.lon !== null;
}

export function FixLayer(props: FixLayerProps) {
  const drawn = props.fixes.filter(located);
  // the focused fix last: SVG paints in document order
  drawn.sort((a, b) => Number(a.id === props.focusedId) - Number(b.id === props.focusedId));
  const r = props.r;
  return (
    <g className="fixes">
      {drawn.map((l) => {
        const [x, y] = project(l.lon, l.lat);
        const focused = l.id === props.focusedId;
        return (
          <g
            key={l.id}
            className={`fix${focused ? ' focused' : ''}`}
            data-testid="fix"
            data-id={l.id}
            role="button"
            aria-label={`fix at ${l.lat.toFixed(3)}, ${l.lon.toFixed(3)} (${l.method ?? '?'})`}
            onClick={() => props.onFocus(l.id)}
          >
            <title>
              {`${(l.freq_hz / 1e6).toFixed(4)} MHz: ${l.lat.toFixed(4)}, ${l.lon.toFixed(4)} by ${l.method ?? '?'}${
                l.quality ? ` (${l.quality})` : ''
              }`}
            </title>
            {l.used_node_ids.map((id) => {
              const p = props.nodes.get(id);
              if (p === undefined) return null;
              return (
                <line
                  key={id}
                  className="fix-link"
                  data-testid="fix-node-line"
                  x1={x}
                  y1={y}
                  x2={p[0]}
                  y2={p[1]}
                  vectorEffect="non-scaling-stroke"
                />
              );
            })}
            {l.ellipse !== null && (
              <path
                className="fix-ellipse"
                data-testid="fix-ellipse"
                d={ellipsePath(l.lat, l.lon, l.ellipse)}
                vectorEffect="non-scaling-stroke"
              />
            )}
            <path
              className="fix-marker"
              data-testid="fix-marker"
              d={`M${x},${y - r * 1.4}L${x + r * 1.4},${y}L${x},${y + r * 1.4}L${x - r * 1.4},${y}Z`}
              vectorEffect="non-scaling-stroke"
            />
          </g>
        );
      })}
    </g>
  );
}

/** The map box (x, y, width) that shows the fix, its nodes and as much of its ellipse as is sane. */
export function fixBox(
  l: Localization,
  nodes: ReadonlyMap<string, readonly [number, number]>,
  maxWidth: number,
): { x: number; y: number; w: number } | undefined {
  if (l.lat === null || l.lon === null) {
    const pts = l.node_ids.flatMap((id) => {
      const p = nodes.get(id);
      return p === undefined ? [] : [p];
    });
    return pts.length === 0 ? undefined : boxOf(pts, maxWidth);
  }
  const pts: (readonly [number, number])[] = [project(l.lon, l.lat)];
  // the whole ellipse where it is small enough to matter (boxOf caps the width anyway)
  if (l.ellipse !== null)
    for (const [lon, lat] of ellipseRing(l.lat, l.lon, l.ellipse, 24)) pts.push(project(lon, lat));
  for (const id of l.used_node_ids) {
    const p = nodes.get(id);
    if (p !== undefined) pts.push(p);
  }
  return boxOf(pts, maxWidth);
}

function boxOf(pts: readonly (readonly [number, number])[], maxWidth: number) {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const w = Math.min(
    maxWidth,
    Math.max(2, (Math.max(...xs) - Math.min(...xs)) * 1.5, (Math.max(...ys) - Math.min(...ys)) * 3),
  );
  return {
    x: (Math.max(...xs) + Math.min(...xs)) / 2 - w / 2,
    y: (Math.max(...ys) + Math.min(...ys)) / 2 - w / 4,
    w,
  };
}
