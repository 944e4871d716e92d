/**
 * The world outline for the map, with no network: Natural Earth countries at 1:110m from the
 * world-atlas package (bundled), converted with topojson-client and projected equirectangular
 * (x = longitude, y = -latitude, scaled): simple, exact for picking nodes, fine at fleet scale.
 */
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import countries from 'world-atlas/countries-110m.json';

export const MAP_WIDTH = 1000;
export const MAP_HEIGHT = 500;

export function project(lon: number, lat: number): [number, number] {
  return [((lon + 180) / 360) * MAP_WIDTH, ((90 - lat) / 180) * MAP_HEIGHT];
}

type Ring = readonly (readonly number[])[];

function ringPath(ring: Ring): string {
  let d = '';
  let prevLon: number | undefined;
  for (const p of ring) {
    const lon = p[0] ?? 0;
    const [x, y] = project(lon, p[1] ?? 0);
    // a jump across the antimeridian starts a new sub-path instead of a line across the map
    const jump = prevLon !== undefined && Math.abs(lon - prevLon) > 180;
    d += `${d === '' || jump ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    prevLon = lon;
  }
  return `${d}Z`;
}

let cached: string | undefined;

/** One SVG path of every country outline. */
export function worldPath(): string {
  if (cached !== undefined) return cached;
  const topo = countries as unknown as Topology<{ countries: GeometryCollection }>;
  const fc = feature(topo, topo.objects.countries);
  const parts: string[] = [];
  for (const f of fc.features) {
    const g = f.geometry;
    if (g === null) continue;
    if (g.type === 'Polygon') for (const r of g.coordinates) parts.push(ringPath(r));
    else if (g.type === 'MultiPolygon')
      for (const poly of g.coordinates) for (const r of poly) parts.push(ringPath(r));
  }
  cached = parts.join('');
  return cached;
}
