/**
 * Generation speed: simulated mega-samples per second on one core for a 2.4 MS/s node hearing
 * 20 emitters that all transmit all the time (the worst case: nothing is skipped), cu8 output.
 * Run by the repository's `npm run bench`. Real time is 2.4 MS/s; the goal is 10x (24 MS/s).
 */
import { compileScene, type Scene } from './scene.ts';
import { SimReceiver } from './receiver.ts';
import { validateScenario } from './scenario.ts';
import { loadBuiltinScenario } from './demo-scenario.ts';

const MODULATIONS: readonly unknown[] = [
  { type: 'nbfm', audio: 'voice' },
  { type: 'nbfm', audio: 'voice', ctcss: 88.5 },
  { type: 'nbfm', audio: 'tone' },
  { type: 'nbfm', audio: 'voice', deviation: 5000 },
  'cw',
  { type: 'cw', keying: 'morse', message: 'DB0TW JO32KF' },
  'cw',
  { type: 'ssb', sideband: 'usb' },
  { type: 'ssb', sideband: 'lsb' },
  { type: 'ssb', sideband: 'usb', audio: 'music' },
  { type: 'fsk', symbol_rate: 1200, deviation: 3500 },
  { type: 'fsk', symbol_rate: 9600, deviation: 3000, levels: 4 },
  { type: 'psk', symbol_rate: 9600, order: 4 },
  { type: 'psk', symbol_rate: 2400, order: 8 },
  { type: 'lora', spreading_factor: 8, bandwidth: 125000 },
  { type: 'am', audio: 'voice', audio_bandwidth: 3000 },
  { type: 'wbfm', stereo: true },
  { type: 'ofdm', bandwidth: 200000, subcarriers: 64 },
  { type: 'noise', bandwidth: 25000 },
  { type: 'radar', pulse_width_s: 2e-6, pri_s: 1e-3 },
];

/** The benchmark scene: one node at 145 MHz, 20 emitters spread over its 2.4 MHz. */
export function benchScene(): Scene {
  return compileScene(
    validateScenario({
      name: 'bench',
      seed: 1,
      nodes: [
        { name: 'bench', latitude: 52.24, longitude: 6.85, center_frequency: 145e6, sample_rate: 2.4e6 },
      ],
      emitters: MODULATIONS.map((modulation, i) => ({
        name: `e${i}`,
        latitude: 52.24 + 0.01 * (i + 1),
        longitude: 6.85 + 0.013 * (i % 5),
        frequency: 145e6 - 1.05e6 + i * 110e3,
        power_dbm: 20 + (i % 4) * 5,
        modulation,
      })),
    }),
  );
}

/**
 * Generates `seconds` of simulated signal in `trials` runs and returns the best speed in
 * mega-samples per second (best of several: other work on the machine only ever slows a run).
 */
export function benchSimulator(seconds = 2, trials = 5): number {
  const rx = new SimReceiver(benchScene(), 'bench');
  if (rx.heard().length !== 20) throw new Error(`bench scene hears ${rx.heard().length} emitters, not 20`);
  const block = new Uint8Array(2 * 65536);
  for (let i = 0; i < 20; i++) rx.readCu8(block); // warm up the JIT
  const blocks = Math.max(1, Math.round((seconds * rx.sampleRate) / 65536));
  let best = 0;
  for (let t = 0; t < trials; t++) {
    const start = performance.now();
    for (let i = 0; i < blocks; i++) rx.readCu8(block);
    const elapsed = (performance.now() - start) / 1000;
    best = Math.max(best, (blocks * 65536) / elapsed / 1e6);
  }
  return best;
}

/** The same measurement for a node of the built-in demo scenario at its default tuning. */
export function benchDemoNode(node: string, seconds = 2, trials = 3): { msps: number; emitters: number } {
  const demo = loadBuiltinScenario('demo');
  if (demo === undefined) throw new Error('no demo scenario');
  const rx = new SimReceiver(compileScene(demo), node, { startTime: 600 });
  const block = new Uint8Array(2 * 65536);
  for (let i = 0; i < 10; i++) rx.readCu8(block);
  const blocks = Math.max(1, Math.round((seconds * rx.sampleRate) / 65536));
  let best = 0;
  for (let t = 0; t < trials; t++) {
    const start = performance.now();
    for (let i = 0; i < blocks; i++) rx.readCu8(block);
    best = Math.max(best, (blocks * 65536) / ((performance.now() - start) / 1000) / 1e6);
  }
  return { msps: best, emitters: rx.heard().length };
}
