import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorEllipse, insideEllipse } from './fix.ts';

test('the 95 % ellipse scales the covariance by chi-square 5.991 and points clockwise from north', () => {
  const northSouth = errorEllipse(1, 0, 4);
  assert.ok(Math.abs(northSouth.semiMajor - Math.sqrt(5.991 * 4)) < 1e-9);
  assert.ok(Math.abs(northSouth.semiMinor - Math.sqrt(5.991)) < 1e-9);
  assert.ok(Math.abs(northSouth.orientationDeg) < 1e-9 || Math.abs(northSouth.orientationDeg - 180) < 1e-9);
  assert.ok(Math.abs(errorEllipse(4, 0, 1).orientationDeg - 90) < 1e-9);
  // Errors along north-east (east = north) correlated positively: major axis at 45 degrees.
  assert.ok(Math.abs(errorEllipse(2, 1.5, 2).orientationDeg - 45) < 1e-9);
  assert.ok(Math.abs(errorEllipse(2, -1.5, 2).orientationDeg - 135) < 1e-9);
  assert.equal(insideEllipse(0, 4.8, [1, 0, 0, 4]), true);
  assert.equal(insideEllipse(2.5, 0, [1, 0, 0, 4]), false);
});
