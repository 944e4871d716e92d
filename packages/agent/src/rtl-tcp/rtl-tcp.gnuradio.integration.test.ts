/**
 * A real peer: GNU Radio's gr-osmosdr `rtl_tcp=` source (Debian packages gnuradio and gr-osmosdr)
 * connects to our rtl_tcp server, tunes it and captures a second of samples; the scenario's CW
 * tone must be where the scenario puts it. Skips, saying why, when GNU Radio is not installed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Welch } from '@heimdall/dsp';
import { compileScene, SimReceiver, validateScenario } from '@heimdall/sim';
import { SimSource } from '../sim/sim-source.ts';
import { RtlTcpServer } from './rtl-tcp.server.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('./gnuradio-capture.py', import.meta.url).pathname;

function gnuRadioMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import osmosdr; from gnuradio import gr, blocks'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error !== undefined) return `${PYTHON} not found`;
  if (r.status !== 0)
    return `GNU Radio / gr-osmosdr not importable (apt-get install gnuradio gr-osmosdr): ${r.stderr.trim().split('\n').pop() ?? ''}`;
  return undefined;
}

const missing = gnuRadioMissing();

test(
  'GNU Radio (gr-osmosdr rtl_tcp source) tunes the simulated receiver and finds the tone',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const scene = compileScene(
      validateScenario({
        seed: 99,
        nodes: [{ name: 'gr', latitude: 52.2, longitude: 6.9, center_frequency: 100e6, gain_db: 20 }],
        emitters: [
          {
            name: 'tone',
            latitude: 52.21,
            longitude: 6.91,
            frequency: 145.2e6,
            power_w: 0.5,
            modulation: 'cw',
          },
          {
            name: 'other',
            latitude: 52.25,
            longitude: 6.95,
            frequency: 144.8e6,
            power_w: 5,
            modulation: 'nbfm',
          },
        ],
      }),
    );
    const server = new RtlTcpServer({ createSource: () => new SimSource(new SimReceiver(scene, 'gr')) });
    const port = await server.listen(0);
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-gr-'));
    const out = join(dir, 'capture.cf32');
    const rate = 1_024_000;
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(PYTHON, [SCRIPT, String(port), '145000000', String(rate), '1', out], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (b: Buffer) => (err += b.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
        child.on('error', reject);
        child.on('close', (c) => {
          clearTimeout(timer);
          if (c !== 0) process.stderr.write(err);
          resolve(c);
        });
      });
      assert.equal(code, 0, 'the GNU Radio flowgraph failed');
      const bytes = readFileSync(out);
      assert.equal(bytes.length, rate * 8, 'GNU Radio did not capture a full second');
      const w = new Welch({ fftSize: 8192, format: 'cf32_le' });
      // skip the first 0.2 s: the stream before the client's tuning commands took effect
      w.push(new Uint8Array(bytes.buffer, bytes.byteOffset + 0.2 * rate * 8, 0.8 * rate * 8));
      const r = w.result(rate, 145e6);
      let best = 0;
      for (let i = 1; i < r.psdDb.length; i++) if ((r.psdDb[i] ?? 0) > (r.psdDb[best] ?? 0)) best = i;
      const peak = r.frequencyHz[best] ?? 0;
      assert.ok(Math.abs(peak - 145.2e6) <= rate / 8192, `tone at ${peak} Hz, expected 145.2 MHz`);
      // what gr-osmosdr sent on connect: gain mode, AGC, direct sampling, offset tuning, bias tee, rate, frequency
      const log = server.stats()[0]?.commandLog ?? [];
      for (const code of [0x03, 0x08, 0x09, 0x0a, 0x0e, 0x02, 0x01])
        assert.ok(log.includes(code), `command 0x${code.toString(16)} not seen in ${log.join(',')}`);
    } finally {
      await server.close();
    }
  },
);
