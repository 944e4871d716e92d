import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { parseReceiverUrl } from './receiver-url.ts';

function rejects(url: string, message: RegExp, fix: RegExp): void {
  assert.throws(
    () => parseReceiverUrl(url),
    (e: unknown) => {
      assert.ok(e instanceof UserError, String(e));
      assert.match(e.message, message);
      assert.match(e.fix ?? '', fix);
      assert.equal(e.source, url);
      return true;
    },
  );
}

test('rtl-tcp URLs give host, port and the dongle settings', () => {
  const u = parseReceiverUrl('rtl-tcp://user:secret@10.0.0.5:1235?rate=2.048M&gain=30&ppm=-2&freq=145.5M');
  assert.deepEqual(
    { ...u },
    {
      kind: 'rtl-tcp',
      host: '10.0.0.5',
      port: 1235,
      sampleRate: 2.048e6,
      gainDb: 30,
      ppm: -2,
      freqHz: 145.5e6,
      stallS: 3,
      display: 'rtl-tcp://10.0.0.5:1235?rate=2.048M&gain=30&ppm=-2&freq=145.5M',
    },
  );
  const d = parseReceiverUrl('rtl-tcp://localhost');
  assert.equal(d.kind === 'rtl-tcp' && d.port, 1234);
  assert.equal(d.kind === 'rtl-tcp' && d.gainDb, 'auto');
});

test('sigmf and sim URLs', () => {
  assert.deepEqual(
    { ...parseReceiverUrl('sigmf:///data/my%20rec.sigmf-meta?speed=max&loop=1') },
    {
      kind: 'sigmf',
      path: '/data/my rec.sigmf-meta',
      speed: 'max',
      loop: true,
      display: 'sigmf:///data/my%20rec.sigmf-meta?speed=max&loop=1',
    },
  );
  const s = parseReceiverUrl('sim://demo?start=120#hack-green');
  assert.equal(s.kind, 'sim');
  assert.equal(s.kind === 'sim' && s.scenario, 'demo');
  assert.equal(s.kind === 'sim' && s.node, 'hack-green');
  assert.equal(s.kind === 'sim' && s.startS, 120);
  const f = parseReceiverUrl('sim:///srv/scenes/lab.yaml#site-a');
  assert.equal(f.kind === 'sim' && f.scenario, '/srv/scenes/lab.yaml');
});

test('bad receiver URLs name the wrong part and show an example', () => {
  rejects('not a url', /is not a receiver URL/, /rtl-tcp:\/\/127\.0\.0\.1:1234/);
  rejects('airspy://127.0.0.1:1234', /unknown receiver scheme "airspy"/, /use rtl-tcp, sigmf or sim/);
  rejects('rtl-tcp://127.0.0.1:1234?rate=fast', /rate="fast" is not a number/, /rate=2\.4M/);
  rejects('rtl-tcp://127.0.0.1:1234?rate=10M', /outside what an RTL2832 delivers/, /rate=2\.4M/);
  rejects('rtl-tcp://127.0.0.1:1234?gian=30', /unknown query parameter "gian"/, /"gain"/);
  rejects('sigmf://data/rec.sigmf-meta', /absolute path/, /three slashes/);
  rejects('sigmf:///data/rec.sigmf-meta?speed=2x', /speed=2x/, /speed=max/);
  rejects('sim://demo', /names no node/, /sim:\/\/demo#NODE/);
  rejects('sim://demo#twente?start=5', /holds a "\?"/, /before the "#"/);
});
