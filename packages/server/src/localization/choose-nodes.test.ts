import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseNodes, type CandidateNode } from './choose-nodes.ts';

const node = (id: string, lat: number, lon: number, clockSource: string): CandidateNode => ({
  id,
  lat,
  lon,
  clockSource,
});

// The demo's sites: three GPS clocks, two of them 3 km apart, so the GPS set lies on a line.
const demo = [
  node('twente', 52.2389, 6.8503, 'gps'),
  node('enschede', 52.2215, 6.8937, 'gps'),
  node('doorn', 52.0333, 5.35, 'ntp'),
  node('hack-green', 53.0333, -2.52, 'ntp'),
  node('bratislava', 48.1486, 17.1077, 'system'),
  node('graz', 47.0707, 15.4395, 'gps'),
  node('linkoping', 58.4108, 15.6214, 'ntp'),
];

test('GPS nodes on a line are not asked for TDOA: the choice falls back to a power fix from spread-out nodes', () => {
  const c = chooseNodes(demo, 'auto', 8);
  assert.ok(!('reason' in c), 'a choice is made');
  assert.equal(c.method, 'power');
  assert.equal(c.nodes.length, 7);
});

test('nodes that heard the band come first; TDOA when the GPS nodes among them make a triangle', () => {
  const sites = [
    node('a', 48.1, 11.5, 'gps'),
    node('b', 48.2, 11.6, 'gps'),
    node('c', 48.05, 11.7, 'gps'),
    node('far-1', 53.0, -2.5, 'gps'),
    node('far-2', 58.4, 15.6, 'gps'),
  ];
  const c = chooseNodes(sites, 'auto', 8, new Set(['a', 'b', 'c']));
  assert.ok(!('reason' in c));
  assert.equal(c.method, 'tdoa');
  assert.deepEqual(c.nodes.map((n) => n.id).sort(), ['a', 'b', 'c']);
});

test('forced TDOA with only collinear GPS nodes says why instead of scheduling a job that must fail', () => {
  const c = chooseNodes(demo, 'tdoa', 8);
  assert.ok('reason' in c);
  assert.match(c.reason, /TDOA: the nodes lie on a line/);
  assert.match(c.reason, /3 with GPS-timed clocks/);
});
