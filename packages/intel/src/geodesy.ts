/**
 * WGS-84 geodesy: geodetic (latitude, longitude, height above the ellipsoid) <-> Earth-centred
 * Earth-fixed (ECEF) <-> a local east-north-up (ENU) tangent frame. Localization solves in ENU
 * around the nodes, where straight-line distances equal ECEF distances exactly.
 */
import type { Meters } from '@heimdall/dsp';

export interface GeoPosition {
  /** Degrees north. */
  readonly latitude: number;
  /** Degrees east. */
  readonly longitude: number;
  /** Metres above the WGS-84 ellipsoid. */
  readonly altitude: number;
}

/** Earth-centred, Earth-fixed coordinates, metres. */
export type Ecef = readonly [x: number, y: number, z: number];
/** Local east, north, up coordinates, metres. */
export type Enu = readonly [east: number, north: number, up: number];

/** Speed of light in vacuum, m/s. */
export const SPEED_OF_LIGHT = 299_792_458;

const A = 6_378_137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const B = A * (1 - F);
const EP2 = (A * A - B * B) / (B * B);
const DEG = Math.PI / 180;

export function geodeticToEcef(p: GeoPosition): Ecef {
  const lat = p.latitude * DEG;
  const lon = p.longitude * DEG;
  const s = Math.sin(lat);
  const n = A / Math.sqrt(1 - E2 * s * s);
  const r = (n + p.altitude) * Math.cos(lat);
  return [r * Math.cos(lon), r * Math.sin(lon), (n * (1 - E2) + p.altitude) * s];
}

/** Bowring's iteration on the reduced latitude: sub-millimetre anywhere near the surface. */
export function ecefToGeodetic(e: Ecef): GeoPosition {
  const [x, y, z] = e;
  const lon = Math.atan2(y, x);
  const p = Math.hypot(x, y);
  let lat = Math.atan2(z * A, p * B);
  for (let i = 0; i < 3; i++) {
    const beta = Math.atan2(B * Math.sin(lat), A * Math.cos(lat));
    lat = Math.atan2(z + EP2 * B * Math.sin(beta) ** 3, p - E2 * A * Math.cos(beta) ** 3);
  }
  const s = Math.sin(lat);
  const n = A / Math.sqrt(1 - E2 * s * s);
  const c = Math.cos(lat);
  const altitude = Math.abs(c) > 1e-9 ? p / c - n : Math.abs(z) - B;
  return { latitude: lat / DEG, longitude: lon / DEG, altitude };
}

/** A local tangent frame: east, north, up metres from `origin`. */
export class EnuFrame {
  readonly origin: GeoPosition;
  private readonly o: Ecef;
  private readonly sinLat: number;
  private readonly cosLat: number;
  private readonly sinLon: number;
  private readonly cosLon: number;

  constructor(origin: GeoPosition) {
    this.origin = origin;
    this.o = geodeticToEcef(origin);
    this.sinLat = Math.sin(origin.latitude * DEG);
    this.cosLat = Math.cos(origin.latitude * DEG);
    this.sinLon = Math.sin(origin.longitude * DEG);
    this.cosLon = Math.cos(origin.longitude * DEG);
  }

  /** A frame at the mean position of `points` (their centroid in ECEF, brought to mean height). */
  static around(points: readonly GeoPosition[]): EnuFrame {
    let x = 0;
    let y = 0;
    let z = 0;
    let h = 0;
    for (const p of points) {
      const e = geodeticToEcef(p);
      x += e[0];
      y += e[1];
      z += e[2];
      h += p.altitude;
    }
    const n = Math.max(points.length, 1);
    const c = ecefToGeodetic([x / n, y / n, z / n]);
    return new EnuFrame({ latitude: c.latitude, longitude: c.longitude, altitude: h / n });
  }

  toEnu(p: GeoPosition): Enu {
    const [x, y, z] = geodeticToEcef(p);
    const dx = x - this.o[0];
    const dy = y - this.o[1];
    const dz = z - this.o[2];
    const { sinLat, cosLat, sinLon, cosLon } = this;
    return [
      -sinLon * dx + cosLon * dy,
      -sinLat * cosLon * dx - sinLat * sinLon * dy + cosLat * dz,
      cosLat * cosLon * dx + cosLat * sinLon * dy + sinLat * dz,
    ];
  }

  toGeodetic(enu: Enu): GeoPosition {
    const [e, n, u] = enu;
    const { sinLat, cosLat, sinLon, cosLon } = this;
    const dx = -sinLon * e - sinLat * cosLon * n + cosLat * cosLon * u;
    const dy = cosLon * e - sinLat * sinLon * n + cosLat * sinLon * u;
    const dz = cosLat * n + sinLat * u;
    return ecefToGeodetic([this.o[0] + dx, this.o[1] + dy, this.o[2] + dz]);
  }
}

/** Straight-line (chord) distance between two geodetic points. */
export function distance(a: GeoPosition, b: GeoPosition): Meters {
  const p = geodeticToEcef(a);
  const q = geodeticToEcef(b);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) as Meters;
}
