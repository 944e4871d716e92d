/**
 * Welch PSD: Heimdall's whole-process `heimdall psd` and its in-memory kernel, next to the FFTW
 * and scipy reference programs of ../shared/bench run on the same file in the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '@heimdall/config';
import { benchWelchKernel } from '../../packages/dsp/src/welch.bench.ts';
import { median, printTable } from './table.ts';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'apps/cli/dist/heimdall.js');
const SAMPLE_RATE = 10e6;

/** A cf32 file of `count` samples: two tones in complex Gaussian noise, deterministic. */
export function makeCf32File(path: string, count: number): string {
  if (existsSync(path) && statSync(path).size === count * 8) return path;
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  const block = 1 << 20;
  const buf = new Float32Array(block * 2);
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed + 0.5) / 4294967296;
  };
  for (let done = 0; done < count; done += block) {
    const n = Math.min(block, count - done);
    for (let i = 0; i < n; i++) {
      const t = done + i;
      const r = Math.sqrt(-2 * Math.log(rnd())) * 0.01;
      const th = 2 * Math.PI * rnd();
      const p1 = 2 * Math.PI * 0.1234 * t;
      const p2 = 2 * Math.PI * -0.3 * t;
      buf[2 * i] = r * Math.cos(th) + 0.5 * Math.cos(p1) + 0.05 * Math.cos(p2);
      buf[2 * i + 1] = r * Math.sin(th) + 0.5 * Math.sin(p1) + 0.05 * Math.sin(p2);
    }
    writeSync(fd, buf, 0, n * 8);
  }
  closeSync(fd);
  return path;
}

interface Run {
  seconds: number;
  maxRssMb: number;
}

/** Runs `heimdall psd` as a user would and reads wall time and peak RSS from /usr/bin/time. */
function timePsd(file: string, fft: number, runs: number): Run {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        '%e %M',
        process.execPath,
        cli,
        'psd',
        file,
        '--rate',
        String(SAMPLE_RATE),
        '--fft',
        String(fft),
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, HEIMDALL_PROGRESS: 'off' } },
    );
    if (r.status !== 0) throw new Error(`heimdall psd failed: ${r.stderr}`);
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    const [secs, kb] = last.split(' ').map(Number);
    results.push({ seconds: secs ?? NaN, maxRssMb: (kb ?? NaN) / 1024 });
  }
  return {
    seconds: median(results.map((r) => r.seconds)),
    maxRssMb: Math.max(...results.map((r) => r.maxRssMb)),
  };
}

interface Reference {
  fftw_s: number;
  fftw_msps: number;
  scipy_s: number;
  scipy_msps: number;
}

function reference(file: string, fft: number, runs: number): Reference {
  const benchDir = join(dirname(loadConfig().sharedDataDir), 'bench');
  const out = execFileSync(
    'bash',
    [join(benchDir, 'reference.sh'), file, String(SAMPLE_RATE), String(fft), String(runs)],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Reference;
}

export async function runWelchBench(): Promise<void> {
  const dir = join(tmpdir(), 'heimdall-bench');
  const samples = 25_000_000; // 200 MB of cf32, the whole-process case
  const big = makeCf32File(join(dir, `two-tones-${samples}.cf32`), samples);
  const small = makeCf32File(join(dir, `two-tones-2500000.cf32`), 2_500_000);
  const rows: string[][] = [];
  for (const fft of [1024, 4096, 65536]) {
    const ref = reference(big, fft, 3);
    const ours = timePsd(big, fft, 3);
    const kernel = await benchWelchKernel({ fftSize: fft, samples: 1 << 23, precision: 'double' });
    const single = await benchWelchKernel({ fftSize: fft, samples: 1 << 23, precision: 'single' });
    const ms = (s: number) => (samples / s / 1e6).toFixed(1);
    rows.push([
      String(fft),
      `${ours.seconds.toFixed(2)} s (${ms(ours.seconds)} MS/s)`,
      `${ref.fftw_s.toFixed(2)} s (${ref.fftw_msps.toFixed(1)})`,
      `${ref.scipy_s.toFixed(2)} s (${ref.scipy_msps.toFixed(1)})`,
      `${(ours.seconds / ref.fftw_s).toFixed(2)}x`,
      `${(ref.scipy_s / ours.seconds).toFixed(1)}x`,
      `${kernel.msps.toFixed(1)} / ${single.msps.toFixed(1)}`,
      ours.maxRssMb.toFixed(0),
    ]);
  }
  console.log(
    `whole process on ${samples / 1e6} M cf32 samples (200 MB), median of 3; kernel: in memory, one core, float64 (the psd default, scipy-exact) / float32`,
  );
  printTable(
    [
      'N',
      'heimdall psd',
      'FFTW',
      'scipy',
      'heimdall/FFTW',
      'scipy/heimdall',
      'kernel MS/s f64 / f32',
      'peak RSS MB',
    ],
    rows,
  );
  const smallRun = timePsd(small, 4096, 1);
  const bigRun = timePsd(big, 4096, 1);
  console.log(
    `memory: peak RSS ${smallRun.maxRssMb.toFixed(0)} MB on 20 MB, ${bigRun.maxRssMb.toFixed(0)} MB on 200 MB (flat = constant memory)`,
  );
}
