import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { SigmfWriter, writeSigmfMeta } from '@heimdall/formats';
import { EnuFrame, FIVE_NODES, ORIGIN, synthesize } from '@heimdall/intel';
import { localizeCommand } from './localize.command.ts';
import { commandContext as context } from '../command-test-kit.ts';

function datetime(ns: bigint, digits = 9): string {
  const whole = new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').slice(0, digits);
  return `${whole}${digits > 0 ? `.${frac}` : ''}Z`;
}

const FREQ = 433.92e6;
const EMITTER = [2_500, -3_000] as const;

/** Five nodes' recordings of one burst; `edit` changes one node's metadata. */
function recordings(
  dir: string,
  edit: (k: number) => { digits?: number; clock?: string; geo?: boolean } = () => ({}),
  pathLossExponent?: number,
): string[] {
  const { snippets } = synthesize({
    nodes: FIVE_NODES,
    emitter: EMITTER,
    snrDb: pathLossExponent === undefined ? 10 : 30,
    bandwidth: 100e3,
    sampleRate: 250e3,
    samples: 5000,
    clockJitter: 20e-9,
    centerFrequency: FREQ,
    offset: 20e3,
    seed: 77,
    ...(pathLossExponent === undefined ? {} : { pathLossExponent }),
  });
  return snippets.map((s, k) => {
    const e = edit(k);
    const p = s.position;
    assert.ok(p);
    const w = SigmfWriter.open(join(dir, `node${k}`), {
      format: 'cf32_le',
      sampleRate: s.sampleRate,
      centerFrequency: s.centerFrequency,
      datetime: datetime(s.startNs, e.digits ?? 9),
    });
    const bytes = new Uint8Array(s.iq.buffer, s.iq.byteOffset, s.iq.byteLength);
    w.write(bytes);
    const meta = w.close();
    const path = join(dir, `node${k}.sigmf-meta`);
    // Position and clock go into the first capture, as a node agent writes them.
    const cap = meta.captures[0];
    assert.ok(cap);
    if (e.geo !== false)
      cap.extra['core:geolocation'] = { type: 'Point', coordinates: [p.longitude, p.latitude, p.altitude] };
    cap.extra['heimdall:clock_source'] = e.clock ?? 'gps';
    writeSigmfMeta(path, meta);
    return path;
  });
}

test('localize fixes the emitter by TDOA and prints one JSON object with the ellipse', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-localize-'));
  const recs = recordings(dir);
  const c = context([
    ...recs,
    '--freq',
    '433.94M',
    '--bandwidth',
    '100k',
    '--json',
    '--altitude',
    String(ORIGIN.altitude),
  ]);
  assert.equal(await localizeCommand.run(c.ctx), 0);
  const out = JSON.parse(c.out()) as {
    lat: number;
    lon: number;
    ellipse: { semi_major_m: number; semi_minor_m: number; orientation_deg: number };
    confidence: number;
    gdop: number;
    method: string;
    quality: string;
  };
  assert.equal(out.method, 'tdoa');
  assert.equal(out.quality, 'good');
  assert.equal(out.confidence, 0.95);
  const frame = new EnuFrame(ORIGIN);
  const p = frame.toEnu({ latitude: out.lat, longitude: out.lon, altitude: ORIGIN.altitude });
  const err = Math.hypot(p[0] - EMITTER[0], p[1] - EMITTER[1]);
  assert.ok(err < 60, `error ${err.toFixed(1)} m`);
  assert.ok(out.ellipse.semi_major_m >= out.ellipse.semi_minor_m && out.ellipse.semi_major_m < 150);
  assert.ok(out.ellipse.orientation_deg >= 0 && out.ellipse.orientation_deg < 180);
  assert.ok(out.gdop > 0 && out.gdop < 3);

  const text = context([...recs, '--freq', '433.94M', '--bandwidth', '100k']);
  assert.equal(await localizeCommand.run(text.ctx), 0);
  assert.match(
    text.out(),
    /^latitude +4[78]\.\d+\nlongitude +11\.\d+\nellipse .* m x .* m .*deg from north\n/,
  );
  assert.match(text.out(), /method +tdoa\nquality +good/);
});

test('localize refuses recordings without position or with millisecond timestamps', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-localize-bad-'));
  const noGeo = recordings(dir, (k) => (k === 2 ? { geo: false } : {}));
  await assert.rejects(
    localizeCommand.run(
      context([...noGeo, '--freq', '433.94M', '--bandwidth', '100k', '--method', 'tdoa']).ctx,
    ),
    (e: unknown) => e instanceof UserError && /node2\.sigmf-meta.*core:geolocation.*fix:/.test(e.describe()),
  );
  const coarse = recordings(dir, (k) => (k === 1 ? { digits: 3 } : {}));
  await assert.rejects(
    localizeCommand.run(
      context([...coarse, '--freq', '433.94M', '--bandwidth', '100k', '--method', 'tdoa']).ctx,
    ),
    (e: unknown) => e instanceof UserError && /sub-microsecond/.test(e.message),
  );
});

test('localize falls back to received power when the clocks are not synchronized', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-localize-power-'));
  const recs = recordings(dir, () => ({ clock: 'ntp' }), 2.8);
  const c = context([...recs, '--freq', '433.94M', '--bandwidth', '100k', '--json', '--shadowing', '1']);
  assert.equal(await localizeCommand.run(c.ctx), 0);
  const out = JSON.parse(c.out()) as {
    lat: number;
    lon: number;
    method: string;
    ellipse: { semi_major_m: number };
  };
  assert.equal(out.method, 'power');
  const frame = new EnuFrame(ORIGIN);
  const p = frame.toEnu({ latitude: out.lat, longitude: out.lon, altitude: ORIGIN.altitude });
  const err = Math.hypot(p[0] - EMITTER[0], p[1] - EMITTER[1]);
  assert.ok(err < 1_000, `error ${err.toFixed(0)} m`);
  assert.ok(out.ellipse.semi_major_m > 50);
  await assert.rejects(
    localizeCommand.run(
      context([...recs, '--freq', '433.94M', '--bandwidth', '100k', '--method', 'tdoa']).ctx,
    ),
    (e: unknown) => e instanceof UserError && /clock source "ntp"/.test(e.message),
  );
});
