import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { openRecording } from '@heimdall/formats';
import { heimdall, tempDir } from '../cli-harness.ts';

const shared = loadConfig().sharedDataDir;
const tpmsMeta = join(shared, 'tpms-rtl433-cu8', 'g001_433.92M_250k.sigmf-meta');
const haveData = existsSync(tpmsMeta);
const skip = haveData ? false : `reference recordings not found at ${shared} (set HEIMDALL_SHARED_DATA)`;
const dir = tempDir('analyze-cli');

/** The burst starts rtl_433 and the catalog give for the TPMS recording (seconds). */
const TPMS_BURSTS = [0.29, 0.438, 0.554, 0.711];

type Json = Record<string, unknown>;

describe('heimdall analyze', () => {
  it('finds the four TPMS bursts at 433.92 MHz and writes them as SigMF annotations', { skip }, async () => {
    const out = join(dir, 'tpms.found.sigmf-meta');
    const r = await heimdall(['analyze', tpmsMeta, '--annotate', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^4 signals in /);
    const meta = JSON.parse(readFileSync(out, 'utf8')) as { global: Json; annotations: Json[] };
    const ours = meta.annotations;
    assert.equal(ours.length, 4, JSON.stringify(ours, null, 1));
    const fs = 250e3;
    for (const [i, t] of TPMS_BURSTS.entries()) {
      const a = ours[i] as Json;
      const start = (a['core:sample_start'] as number) / fs;
      assert.ok(Math.abs(start - t) < 0.005, `burst ${i} starts at ${start.toFixed(4)} s, want ${t}`);
      assert.ok((a['core:sample_count'] as number) / fs > 0.005);
      const lo = a['core:freq_lower_edge'] as number;
      const hi = a['core:freq_upper_edge'] as number;
      assert.ok(lo < 433.93e6 && hi > 433.92e6 && hi - lo < 200e3, `edges ${lo}..${hi}`);
      assert.equal(a['core:generator'], 'heimdall');
      assert.equal(typeof a['core:label'], 'string');
      assert.equal(a['heimdall:class'], a['core:label']);
      assert.ok((a['heimdall:snr_db'] as number) > 20);
      assert.equal(typeof a['heimdall:power_dbfs'], 'number');
    }
    // the written file is valid SigMF that our reader accepts (with the data beside a copy)
    copyFileSync(
      join(shared, 'tpms-rtl433-cu8', 'g001_433.92M_250k.sigmf-data'),
      join(dir, 'tpms.found.sigmf-data'),
    );
    const rec = openRecording(out);
    assert.equal(rec.annotations.length, 4);
    assert.equal(rec.sampleRate, fs);
    rec.close();
  });

  it('--json prints the same annotated metadata on stdout', { skip }, async () => {
    const out = join(dir, 'tpms.json-check.sigmf-meta');
    const a = await heimdall(['analyze', tpmsMeta, '--annotate', out, '--json']);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(JSON.parse(a.stdout), JSON.parse(readFileSync(out, 'utf8')));
  });

  it("annotating a recording's own metadata keeps the annotations it had", { skip }, async () => {
    const base = join(dir, 'own');
    copyFileSync(tpmsMeta, `${base}.sigmf-meta`);
    copyFileSync(tpmsMeta.replace(/meta$/, 'data'), `${base}.sigmf-data`);
    const before = (JSON.parse(readFileSync(`${base}.sigmf-meta`, 'utf8')) as { annotations: Json[] })
      .annotations;
    const r = await heimdall(['analyze', `${base}.sigmf-meta`, '--annotate', `${base}.sigmf-meta`]);
    assert.equal(r.code, 0, r.stderr);
    const after = (JSON.parse(readFileSync(`${base}.sigmf-meta`, 'utf8')) as { annotations: Json[] })
      .annotations;
    assert.equal(after.length, before.length + 4);
    assert.equal(after.filter((x) => x['core:generator'] === 'heimdall').length, 4);
  });

  it('finds nothing in noise', async () => {
    // complex Gaussian noise, quantized to cu8 as an RTL-SDR would deliver it
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed + 0.5) / 4294967296;
    };
    const n = 1 << 19;
    const bytes = new Uint8Array(2 * n);
    for (let i = 0; i < 2 * n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(rnd())) * 12;
      const th = 2 * Math.PI * rnd();
      bytes[i] = Math.max(0, Math.min(255, Math.round(127.5 + r * Math.cos(th))));
      bytes[i + 1] = Math.max(0, Math.min(255, Math.round(127.5 + r * Math.sin(th))));
    }
    const file = join(dir, 'noise.cu8');
    writeFileSync(file, bytes);
    const r = await heimdall(['analyze', file, '--rate', '2.4M', '--freq', '100M', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(r.stdout) as { annotations: Json[]; global: Json };
    assert.deepEqual(meta.annotations, []);
    assert.equal(meta.global['core:datatype'], 'cu8');
  });
});
