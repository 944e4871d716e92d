import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distance, ecefToGeodetic, EnuFrame, geodeticToEcef } from './geodesy.ts';

test('geodetic to ECEF matches known WGS-84 points and round-trips to a millimetre', () => {
  const [x, y, z] = geodeticToEcef({ latitude: 0, longitude: 0, altitude: 0 });
  assert.ok(Math.abs(x - 6_378_137) < 1e-6 && Math.abs(y) < 1e-6 && Math.abs(z) < 1e-6);
  const pole = geodeticToEcef({ latitude: 90, longitude: 0, altitude: 0 });
  assert.ok(Math.abs(pole[2] - 6_356_752.314245) < 1e-3);
  for (const p of [
    { latitude: 52.2215, longitude: 6.8937, altitude: 40 },
    { latitude: -33.9, longitude: 151.2, altitude: 2000 },
    { latitude: 78.2, longitude: -15.6, altitude: -30 },
  ]) {
    const back = ecefToGeodetic(geodeticToEcef(p));
    assert.ok(Math.abs(back.latitude - p.latitude) < 1e-9, `${back.latitude}`);
    assert.ok(Math.abs(back.longitude - p.longitude) < 1e-9);
    assert.ok(Math.abs(back.altitude - p.altitude) < 1e-3);
  }
});

test('ENU axes point east, north and up, and keep distances', () => {
  const origin = { latitude: 48.1, longitude: 11.5, altitude: 500 };
  const f = new EnuFrame(origin);
  const north = f.toEnu({ latitude: 48.11, longitude: 11.5, altitude: 500 });
  assert.ok(north[1] > 1100 && Math.abs(north[0]) < 1e-6);
  const east = f.toEnu({ latitude: 48.1, longitude: 11.51, altitude: 500 });
  assert.ok(east[0] > 700 && Math.abs(east[1]) < 1);
  const p = f.toGeodetic([12_345, -6_789, 12]);
  const q = f.toEnu(p);
  assert.ok(Math.abs(q[0] - 12_345) < 1e-3 && Math.abs(q[1] + 6_789) < 1e-3 && Math.abs(q[2] - 12) < 1e-3);
  assert.ok(Math.abs(distance(origin, p) - Math.hypot(12_345, 6_789, 12)) < 1e-3);
});
