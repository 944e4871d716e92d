import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fft, Welch } from '@heimdall/dsp';
import { loadBuiltinScenario } from './demo-scenario.ts';
import { groundTruth } from './ground-truth.ts';
import { SimReceiver } from './receiver.ts';
import { validateScenario } from './scenario.ts';
import { compileScene } from './scene.ts';

const C = 299_792_458;

/** Straight-line distance between two WGS84 points, written out here independently of geo.ts. */
function ecefDistance(a: [number, number, number], b: [number, number, number]): number {
  const ecef = ([lat, lon, h]: [number, number, number]) => {
    const A = 6378137;
    const e2 = 6.69437999014e-3;
    const p = (lat * Math.PI) / 180;
    const l = (lon * Math.PI) / 180;
    const n = A / Math.sqrt(1 - e2 * Math.sin(p) ** 2);
    return [
      (n + h) * Math.cos(p) * Math.cos(l),
      (n + h) * Math.cos(p) * Math.sin(l),
      (n * (1 - e2) + h) * Math.sin(p),
    ];
  };
  const [x1, y1, z1] = ecef(a);
  const [x2, y2, z2] = ecef(b);
  return Math.hypot((x1 ?? 0) - (x2 ?? 0), (y1 ?? 0) - (y2 ?? 0), (z1 ?? 0) - (z2 ?? 0));
}

function scene(extra: Record<string, unknown>) {
  return compileScene(
    validateScenario({
      seed: 7,
      nodes: [
        { name: 'a', latitude: 52.0, longitude: 6.0, altitude_m: 10, center_frequency: 145e6, gain_db: 30 },
      ],
      ...extra,
    }),
  );
}

function psd(bytes: Uint8Array, fftSize: number, fs: number, fc: number) {
  const w = new Welch({ fftSize, format: 'cu8' });
  w.push(bytes);
  return w.result(fs, fc);
}

/** Total power (dBFS) of the PSD over [lo, hi] Hz. */
function bandPowerDb(
  r: { frequencyHz: Float64Array; psdDb: Float64Array },
  lo: number,
  hi: number,
  fs: number,
): number {
  const n = r.frequencyHz.length;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const f = r.frequencyHz[i] ?? 0;
    if (f >= lo && f <= hi) p += 10 ** ((r.psdDb[i] ?? 0) / 10) * (fs / n);
  }
  return 10 * Math.log10(p);
}

function median(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.floor(s.length / 2)] ?? 0;
}

test('same seed gives the same bytes whatever the block size; another seed does not', () => {
  const demo = loadBuiltinScenario('demo');
  assert.ok(demo);
  const read = (node: string, seed: number, block: number) => {
    const rx = new SimReceiver(compileScene({ ...demo, seed }), node, { startTime: 600 });
    const out = new Uint8Array(2 * 150_000);
    for (let done = 0; done < 150_000; done += block) {
      const n = Math.min(block, 150_000 - done);
      rx.readCu8(out.subarray(2 * done, 2 * (done + n)));
    }
    return Buffer.from(out);
  };
  // twente: voice, data, chirps, a beacon; doorn: a DAB multiplex (OFDM, every sample)
  for (const node of ['twente', 'doorn']) {
    const a = read(node, 1, 1000);
    assert.ok(a.equals(read(node, 1, 65536)), `${node}: blocks of 1000 and 65536 differ`);
    assert.ok(a.equals(read(node, 1, 4097)), `${node}: blocks of 1000 and 4097 differ`);
    assert.ok(!a.equals(read(node, 2, 65536)), `${node}: another seed gave the same samples`);
  }
});

test('a CW emitter arrives at the power and SNR its link budget gives, within 1 dB', () => {
  const tx: [number, number, number] = [52.1, 6.0, 10];
  const s = scene({
    emitters: [
      {
        name: 'cw',
        latitude: tx[0],
        longitude: tx[1],
        altitude_m: tx[2],
        frequency: 145.2e6,
        power_w: 1,
        antenna: { gain_dbi: 2 },
        modulation: 'cw',
      },
    ],
  });
  const rx = new SimReceiver(s, 'a');
  const fs = 2.4e6;
  // expected, from the scenario alone: free-space path loss, receiver gain 30 dB, full scale -25 dBm
  const d = ecefDistance([52.0, 6.0, 10], tx);
  const fspl = 20 * Math.log10((4 * Math.PI * d * 145.2e6) / C);
  const rxDbm = 30 + 2 - fspl;
  const expectedDbfs = rxDbm + 30 + 25;
  // noise: kTB with NF 6 dB, plus the 8-bit ADC's quantization noise (step 1/128 per component)
  const thermalDbfs = -174 + 10 * Math.log10(fs) + 6 + 30 + 25;
  const quant = 10 * Math.log10((2 * (1 / 128) ** 2) / 12);
  const expectedNoiseDensity =
    10 * Math.log10(10 ** (thermalDbfs / 10) + 10 ** (quant / 10)) - 10 * Math.log10(fs);

  const bytes = new Uint8Array(2 * 2_400_000);
  rx.readCu8(bytes);
  const r = psd(bytes, 4096, fs, 145e6);
  const tone = bandPowerDb(r, 145.2e6 - 5000, 145.2e6 + 5000, fs);
  const floor = median(r.psdDb);
  assert.ok(
    Math.abs(tone - expectedDbfs) < 1,
    `tone ${tone.toFixed(2)} dBFS, link budget ${expectedDbfs.toFixed(2)} dBFS`,
  );
  assert.ok(
    Math.abs(floor - expectedNoiseDensity) < 1,
    `noise density ${floor.toFixed(2)} dBFS/Hz, expected ${expectedNoiseDensity.toFixed(2)}`,
  );
  // SNR in a 1 kHz bandwidth
  const snr = tone - (floor + 30);
  const expectedSnr = expectedDbfs - (expectedNoiseDensity + 30);
  assert.ok(
    Math.abs(snr - expectedSnr) < 1,
    `SNR ${snr.toFixed(2)} dB, expected ${expectedSnr.toFixed(2)} dB`,
  );
  // and the receiver's own account agrees
  const heard = rx.heard()[0];
  assert.ok(heard !== undefined && Math.abs(heard.powerDbfs - expectedDbfs) < 0.05);
});

test('the same emitter reaches two nodes with the delay difference of their distances (TDOA), within one sample', () => {
  const tx: [number, number, number] = [52.05, 6.1, 30];
  const nodeA: [number, number, number] = [52.02, 6.12, 10];
  const nodeB: [number, number, number] = [52.25, 6.4, 10];
  const node = (name: string, p: [number, number, number]) => ({
    name,
    latitude: p[0],
    longitude: p[1],
    altitude_m: p[2],
    center_frequency: 430e6,
    gain_db: 20,
    clock: 'gps',
    adc_bits: 12,
  });
  const s = compileScene(
    validateScenario({
      seed: 3,
      nodes: [node('a', nodeA), node('b', nodeB)],
      emitters: [
        {
          name: 'wide',
          latitude: tx[0],
          longitude: tx[1],
          altitude_m: tx[2],
          frequency: 430.1e6,
          power_w: 5,
          modulation: { type: 'psk', symbol_rate: 500_000, order: 2 },
        },
      ],
    }),
  );
  const n = 1 << 16;
  const capture = (name: string) => {
    const rx = new SimReceiver(s, name, { startTime: 12.5 });
    const x = new Float32Array(2 * n);
    rx.readCf32(x);
    return x;
  };
  const a = capture('a');
  const b = capture('b');
  // circular cross-correlation via FFT on zero-padded signals: r[lag] = sum a[k] conj(b[k + lag])
  const size = 2 * n;
  const fft = new Fft(size);
  const A = new Float32Array(2 * size);
  const B = new Float32Array(2 * size);
  A.set(a);
  B.set(b);
  fft.forward(A);
  fft.forward(B);
  const R = new Float32Array(2 * size);
  for (let k = 0; k < size; k++) {
    const ar = A[2 * k] ?? 0;
    const ai = A[2 * k + 1] ?? 0;
    const br = B[2 * k] ?? 0;
    const bi = B[2 * k + 1] ?? 0;
    // conj(A) * B gives sum conj(a[k]) b[k + lag]
    R[2 * k] = ar * br + ai * bi;
    R[2 * k + 1] = ar * bi - ai * br;
  }
  fft.inverse(R);
  let best = 0;
  let bestMag = -1;
  const mag = (i: number) => Math.hypot(R[2 * ((i + size) % size)] ?? 0, R[2 * ((i + size) % size) + 1] ?? 0);
  for (let lag = -4000; lag <= 4000; lag++) {
    const m = mag(lag);
    if (m > bestMag) {
      bestMag = m;
      best = lag;
    }
  }
  const y0 = mag(best - 1);
  const y1 = mag(best);
  const y2 = mag(best + 1);
  const measured = best + (0.5 * (y0 - y2)) / (y0 - 2 * y1 + y2);
  const expected = ((ecefDistance(nodeB, tx) - ecefDistance(nodeA, tx)) / C) * 2.4e6;
  assert.ok(Math.abs(expected) > 100, 'test geometry should give a delay difference of many samples');
  assert.ok(
    Math.abs(measured - expected) < 1,
    `measured ${measured.toFixed(3)} samples, distances give ${expected.toFixed(3)} samples`,
  );
});

test('the tone appears at its offset shifted by the node ppm error, and the correction removes it', () => {
  const s = compileScene(
    validateScenario({
      seed: 1,
      nodes: [{ name: 'a', latitude: 52, longitude: 6, center_frequency: 145e6, ppm: 10, gain_db: 30 }],
      emitters: [
        { name: 'cw', latitude: 52.05, longitude: 6, frequency: 145.3e6, power_w: 1, modulation: 'cw' },
      ],
    }),
  );
  const peak = (correction: number) => {
    const rx = new SimReceiver(s, 'a');
    rx.setFrequencyCorrection(correction);
    const bytes = new Uint8Array(2 * 1_200_000);
    rx.readCu8(bytes);
    const r = psd(bytes, 65536, 2.4e6, 145e6);
    let best = 0;
    for (let i = 1; i < r.psdDb.length; i++) if ((r.psdDb[i] ?? 0) > (r.psdDb[best] ?? 0)) best = i;
    return r.frequencyHz[best] ?? 0;
  };
  const bin = 2.4e6 / 65536;
  // the LO is 10 ppm high (1450 Hz), so the tone shows 1450 Hz low
  assert.ok(Math.abs(peak(0) - (145.3e6 - 1450)) <= bin, `peak at ${peak(0)}`);
  assert.ok(Math.abs(peak(10) - 145.3e6) <= bin);
});

test('a signal above full scale clips at the ADC limits', () => {
  const s = scene({
    emitters: [
      { name: 'loud', latitude: 52.0005, longitude: 6, frequency: 145.1e6, power_w: 100, modulation: 'cw' },
    ],
  });
  const rx = new SimReceiver(s, 'a');
  const bytes = new Uint8Array(2 * 10_000);
  rx.readCu8(bytes);
  assert.ok(bytes.includes(0) && bytes.includes(255), 'no clipping seen');
});

test('a duty-cycled emitter is on exactly when the ground truth says', () => {
  const s = scene({
    emitters: [
      {
        name: 'pulsed',
        latitude: 52.05,
        longitude: 6,
        frequency: 145.1e6,
        power_w: 1,
        modulation: 'cw',
        schedule: { type: 'duty_cycle', period_s: 0.2, on_s: 0.05, offset_s: 0.03 },
      },
    ],
  });
  const rx = new SimReceiver(s, 'a');
  const fs = 2.4e6;
  const n = 1_200_000;
  const truth = groundTruth(rx, n);
  assert.equal(truth.length, 3);
  assert.equal(truth[0]?.kind, 'transmission');
  const x = new Float32Array(2 * n);
  rx.readCf32(x);
  const power = (s0: number, s1: number) => {
    let p = 0;
    for (let i = s0; i < s1; i++) p += (x[2 * i] ?? 0) ** 2 + (x[2 * i + 1] ?? 0) ** 2;
    return p / (s1 - s0);
  };
  const on = (t: number) =>
    truth.some((e) => t * fs >= e.sampleStart && t * fs < e.sampleStart + e.sampleCount);
  // 2 ms windows every 4 ms; edges ramp over one control step (under 0.5 ms), so allow 0.5 ms
  for (let t = 0.001; t < 0.5; t += 0.004) {
    const p = 10 * Math.log10(power(Math.round(t * fs), Math.round((t + 0.002) * fs)));
    const a = t - 0.0005;
    const b = t + 0.0025;
    if (on(a) && on(b))
      assert.ok(p > -40, `off at ${t.toFixed(3)} s though truth says on (${p.toFixed(1)} dBFS)`);
    if (!on(a) && !on(b) && !on(t + 0.001)) {
      assert.ok(p < -40, `on at ${t.toFixed(3)} s though truth says off (${p.toFixed(1)} dBFS)`);
    }
  }
  // the first burst leaves at 0.03 s and is stamped by the node's (ntp) clock after the path delay
  const expectedStart = 0.03 + (truth[0]?.delayS ?? 0) + rx.clockErrorS;
  assert.ok(
    Math.abs((truth[0]?.startS ?? 0) - expectedStart) < 1e-6,
    `${truth[0]?.startS} vs ${expectedStart}`,
  );
});

test('anomalies appear only in their window: a new emitter, a jammer, harmonics, a power jump', () => {
  const s = compileScene(
    validateScenario({
      seed: 5,
      nodes: [{ name: 'a', latitude: 52, longitude: 6, center_frequency: 200e6, gain_db: 20 }],
      emitters: [
        { name: 'fm', latitude: 52.05, longitude: 6, frequency: 100.1e6, power_w: 100, modulation: 'wbfm' },
      ],
      anomalies: [
        { type: 'harmonics', emitter: 'fm', start_s: 1, duration_s: 1, orders: [2], level_dbc: -30 },
        {
          type: 'new_emitter',
          start_s: 0.5,
          duration_s: 0.25,
          emitter: {
            name: 'intruder',
            latitude: 52.01,
            longitude: 6,
            frequency: 200.5e6,
            power_w: 1,
            modulation: 'fsk',
          },
        },
      ],
    }),
  );
  const fs = 2.4e6;
  const bandDb = (start: number, lo: number, hi: number) => {
    const rx = new SimReceiver(s, 'a', { startTime: start });
    const bytes = new Uint8Array(2 * 240_000);
    rx.readCu8(bytes);
    return bandPowerDb(psd(bytes, 4096, fs, 200e6), lo, hi, fs);
  };
  // the second harmonic at 200.2 MHz: only between 1 s and 2 s
  assert.ok(bandDb(1.2, 200.05e6, 200.35e6) - bandDb(0.2, 200.05e6, 200.35e6) > 20);
  assert.ok(bandDb(2.3, 200.05e6, 200.35e6) - bandDb(0.2, 200.05e6, 200.35e6) < 1);
  // the intruder at 200.5 MHz between 0.5 s and 0.75 s
  assert.ok(bandDb(0.55, 200.49e6, 200.51e6) - bandDb(0.2, 200.49e6, 200.51e6) > 20);
  const rx = new SimReceiver(s, 'a');
  const kinds = groundTruth(rx, 3 * fs).map((e) => e.kind);
  assert.deepEqual([...new Set(kinds)].sort(), ['harmonics', 'new_emitter']);
});
