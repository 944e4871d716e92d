import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openRecording } from '@heimdall/formats';
import { heimdall, tempDir } from '../cli-harness.ts';

const SITES = ['twente', 'enschede', 'doorn', 'hack-green', 'bratislava', 'graz', 'linkoping'];

describe('heimdall eval detect', () => {
  it('simulates the seven sites and finds every transmission at 10 dB SNR or more, and nothing else', async () => {
    const dir = tempDir('eval-detect');
    const r = await heimdall(['eval', 'detect', '--seconds', '1', '--data', dir]);
    assert.equal(r.code, 0, r.stderr);
    for (const site of SITES) {
      assert.match(r.stdout, new RegExp(`^${site}\\s`, 'm'), `no row for ${site}:\n${r.stdout}`);
      const meta = join(dir, `${site}.sigmf-meta`);
      assert.ok(existsSync(meta), `${meta} was not written`);
      const rec = openRecording(meta);
      assert.equal(rec.sampleCount, Math.round(rec.sampleRate));
      rec.close();
    }
    const m =
      /(\d+) of (\d+) transmissions at 10 dB SNR or more found; (\d+) detections match no transmission/.exec(
        r.stdout,
      );
    assert.ok(m, r.stdout);
    const [, found, expected, unmatched] = m.map(Number) as [number, number, number, number];
    assert.ok(expected >= 7, `only ${expected} transmissions expected:\n${r.stdout}`);
    assert.equal(found, expected, r.stdout);
    assert.equal(unmatched, 0, r.stdout);
  });

  it('refuses a site that is not in the demo scenario', async () => {
    const r = await heimdall(['eval', 'detect', '--nodes', 'atlantis']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no site "atlantis"/);
  });
});
