/**
 * A localization's 95 % error ellipse on the map. The server gives it in metres (semi-axes) with
 * the major axis clockwise from north; the map is equirectangular in degrees, where a metre east is
 * worth more degrees than a metre north (by 1 / cos latitude). So the outline is traced in metres on
 * the local tangent plane at the fix and each point converted to degrees at the fix's latitude,
 * then projected: a circle in metres becomes the wide oval it really is on this projection.
 */
import { project } from './world.ts';

export interface EllipseSpec {
  readonly semi_major_m: number;
  readonly semi_minor_m: number;
  /** Major axis, degrees clockwise from north. */
  readonly orientation_deg: number;
}

/** Metres per degree of latitude and of longitude at `latDeg` (WGS 84, series to 3rd order). */
export function metresPerDegree(latDeg: number): { lat: number; lon: number } {
  const p = (latDeg * Math.PI) / 180;
  return {
    lat: 111_132.92 - 559.82 * Math.cos(2 * p) + 1.175 * Math.cos(4 * p),
    lon: Math.max(1, 111_412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p)),
  };
}

/**
 * The ellipse's outline as `[lon, lat]` points (closed by the caller), `n` of them. Latitudes are
 * clamped short of the poles: a fix with an ellipse of thousands of kilometres still draws.
 */
export function ellipseRing(lat: number, lon: number, e: EllipseSpec, n = 72): [number, number][] {
  const m = metresPerDegree(lat);
  const th = (e.orientation_deg * Math.PI) / 180;
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const along = e.semi_major_m * Math.cos(t);
    const across = e.semi_minor_m * Math.sin(t);
    // major axis at bearing th: unit (east, north) = (sin th, cos th); minor axis 90° clockwise of it
    const east = along * Math.sin(th) + across * Math.cos(th);
    const north = along * Math.cos(th) - across * Math.sin(th);
    out.push([lon + east / m.lon, Math.max(-89.9, Math.min(89.9, lat + north / m.lat))]);
  }
  return out;
}

/** The ellipse as an SVG path in map coordinates ({@link project}). */
export function ellipsePath(lat: number, lon: number, e: EllipseSpec, n = 72): string {
  return `${ellipseRing(lat, lon, e, n)
    .map(([x, y], i) => {
      const [px, py] = project(x, y);
      return `${i === 0 ? 'M' : 'L'}${px.toFixed(4)},${py.toFixed(4)}`;
    })
    .join('')}Z`;
}
