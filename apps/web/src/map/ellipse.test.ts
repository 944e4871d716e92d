import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ellipsePath, ellipseRing, metresPerDegree } from './ellipse.ts';
import { project } from './world.ts';

const LAT = 52.14;
const LON = 5.11;

test('a degree of latitude is about 111 km, a degree of longitude shrinks with cos(latitude)', () => {
  assert.ok(Math.abs(metresPerDegree(0).lat - 110_574) < 5);
  assert.ok(Math.abs(metresPerDegree(0).lon - 111_320) < 5);
  const m = metresPerDegree(60);
  assert.ok(Math.abs(m.lat - 111_412) < 5);
  assert.ok(Math.abs(m.lon - 55_800) < 20);
});

test('a north-pointing ellipse reaches its semi-major north and its semi-minor east', () => {
  const m = metresPerDegree(LAT);
  const ring = ellipseRing(LAT, LON, { semi_major_m: 20_000, semi_minor_m: 5_000, orientation_deg: 0 }, 4);
  // t = 0: the tip of the major axis; t = 90°: the end of the minor axis, clockwise (east)
  const [tip, side] = ring;
  assert.ok(tip && side);
  assert.ok(Math.abs(tip[0] - LON) < 1e-9);
  assert.ok(Math.abs((tip[1] - LAT) * m.lat - 20_000) < 1e-6);
  assert.ok(Math.abs((side[0] - LON) * m.lon - 5_000) < 1e-6);
  assert.ok(Math.abs(side[1] - LAT) < 1e-9);
});

test('an orientation of 90° turns the major axis east, where it spans more degrees than north', () => {
  const ring = ellipseRing(LAT, LON, { semi_major_m: 50_000, semi_minor_m: 10_000, orientation_deg: 90 });
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const halfLon = (Math.max(...lons) - Math.min(...lons)) / 2;
  const halfLat = (Math.max(...lats) - Math.min(...lats)) / 2;
  assert.ok(Math.abs(halfLon - 50_000 / metresPerDegree(LAT).lon) < 1e-6);
  assert.ok(Math.abs(halfLat - 10_000 / metresPerDegree(LAT).lat) < 1e-3);
  // a metre east is ~1.6 times as many degrees as a metre north at 52° N
  const circle = ellipseRing(LAT, LON, { semi_major_m: 10_000, semi_minor_m: 10_000, orientation_deg: 0 });
  const w = Math.max(...circle.map((p) => p[0])) - Math.min(...circle.map((p) => p[0]));
  const h = Math.max(...circle.map((p) => p[1])) - Math.min(...circle.map((p) => p[1]));
  assert.ok(w / h > 1.6 && w / h < 1.65, `circle aspect ${w / h}`);
});

test('a huge ellipse stays on the map vertically and the path is closed around the fix', () => {
  const ring = ellipseRing(LAT, LON, { semi_major_m: 2e7, semi_minor_m: 1e6, orientation_deg: 5 });
  for (const [, lat] of ring) assert.ok(lat <= 89.9 && lat >= -89.9);
  const d = ellipsePath(LAT, LON, { semi_major_m: 1000, semi_minor_m: 500, orientation_deg: 30 }, 8);
  assert.match(d, /^M[-\d.]+,[-\d.]+(L[-\d.]+,[-\d.]+){7}Z$/);
  const [cx, cy] = project(LON, LAT);
  const first = /^M([-\d.]+),([-\d.]+)/.exec(d);
  assert.ok(first);
  // 1 km is 1/111 of a degree, 500/180 map units a degree: the tip lies 0.025 units from the fix
  const off = Math.hypot(Number(first[1]) - cx, Number(first[2]) - cy);
  assert.ok(off > 0.02 && off < 0.03, `tip ${off} map units from the fix`);
});
