/**
 * Positions on the WGS84 ellipsoid. Distances are straight lines between Earth-centred (ECEF)
 * points, so delays by distance are physically right to well below a nanosecond.
 */
import type { Meters } from '@heimdall/dsp';

export interface GeoPosition {
  /** Degrees north. */
  readonly latitude: number;
  /** Degrees east. */
  readonly longitude: number;
  /** Metres above the ellipsoid. */
  readonly altitude: number;
}

/** Speed of light in vacuum, m/s. */
export const SPEED_OF_LIGHT = 299_792_458;

const A = 6_378_137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const DEG = Math.PI / 180;

/** Earth-centred, Earth-fixed coordinates in metres. */
export function toEcef(p: GeoPosition): [number, number, number] {
  const lat = p.latitude * DEG;
  const lon = p.longitude * DEG;
  const s = Math.sin(lat);
  const n = A / Math.sqrt(1 - E2 * s * s);
  const r = (n + p.altitude) * Math.cos(lat);
  return [r * Math.cos(lon), r * Math.sin(lon), (n * (1 - E2) + p.altitude) * s];
}

/** Straight-line distance in metres. */
export function distance(a: GeoPosition, b: GeoPosition): Meters {
  const [ax, ay, az] = toEcef(a);
  const [bx, by, bz] = toEcef(b);
  return Math.hypot(ax - bx, ay - by, az - bz) as Meters;
}

/** Initial great-circle bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearing(a: GeoPosition, b: GeoPosition): number {
  const la = a.latitude * DEG;
  const lb = b.latitude * DEG;
  const dl = (b.longitude - a.longitude) * DEG;
  const y = Math.sin(dl) * Math.cos(lb);
  const x = Math.cos(la) * Math.sin(lb) - Math.sin(la) * Math.cos(lb) * Math.cos(dl);
  const deg = Math.atan2(y, x) / DEG;
  return (deg + 360) % 360;
}
