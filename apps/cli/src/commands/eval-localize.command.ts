/**
 * `heimdall eval localize SCENARIO --trials N`: measures localization against ground truth. Each
 * trial puts one noise-like emitter at a random place among the scenario's nodes, lets the
 * simulator record the same moment at every node (true delays, per-capture clock jitter, thermal
 * noise, ADC), localizes it by TDOA and by received power, and scores the error and whether the
 * 95 % ellipse holds the truth.
 */
import { loadScenario } from '@heimdall/agent';
import { UserError } from '@heimdall/errors';
import {
  bandPowerDb,
  EnuFrame,
  insideEllipse,
  localizePower,
  localizeTdoa,
  type Fix,
  type TdoaSnippet,
} from '@heimdall/intel';
import {
  compileScene,
  emitterSchema,
  parseScenario,
  SimReceiver,
  tdoa20kmScenarioText,
  type Scene,
} from '@heimdall/sim';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { writeOut } from '../output.ts';

const BUILTIN: Readonly<Record<string, string>> = { 'tdoa-20km': tdoa20kmScenarioText };

const help = `usage: heimdall eval localize SCENARIO --trials N [options]

Runs simulated localization trials with known emitter positions and prints the error
distribution (median, 90th percentile) and how often the 95 % ellipse contains the truth, for
TDOA (GPS-synced nodes) and for received power. Each trial places one noise-like emitter of the
given bandwidth uniformly at random in the nodes' bounding box, sets its power so that the median
node sees the given SNR, and records the same moment at every node.

SCENARIO is a scenario file (its nodes are used; its emitters are not) or the built-in
tdoa-20km (five GPS nodes over about 20 km, 433.92 MHz, 250 kS/s).

options:
  --trials N         number of trials (default 100)
  --bandwidth B      signal bandwidth in Hz (default 100k)
  --snr DB           SNR at the median node in dB (default 10)
  --seconds S        snippet length (default 0.02)
  --offset F         signal centre relative to the nodes' tuning in Hz (default 20k)
  --seed N           trial seed (default 1)
  --json             print the summary as JSON

example:
  heimdall eval localize tdoa-20km --trials 200`;

interface Summary {
  readonly trials: number;
  readonly median_m: number;
  readonly p90_m: number;
  readonly ellipse_coverage: number;
  readonly failed: number;
}

export const evalLocalizeCommand: Command = {
  name: 'eval localize',
  summary: 'score localization on simulated trials: error distribution and ellipse coverage',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, evalLocalizeCommand, {
      trials: { type: 'string' },
      bandwidth: { type: 'string' },
      snr: { type: 'string' },
      seconds: { type: 'string' },
      offset: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!args) return 0;
    const { values, positionals } = args;
    const name = positionals[0];
    if (name === undefined || positionals.length > 1)
      throw new UsageError('eval localize needs one SCENARIO (a file or tdoa-20km)');
    const trials = parseQuantity('trials', values.trials) ?? 100;
    if (!Number.isInteger(trials) || trials < 1) throw new UsageError('--trials must be a positive integer');
    const bandwidth = parseQuantity('bandwidth', values.bandwidth) ?? 100e3;
    const snrDb = parseQuantity('snr', values.snr) ?? 10;
    const seconds = parseQuantity('seconds', values.seconds) ?? 0.02;
    const offset = parseQuantity('offset', values.offset) ?? 20e3;
    const seed = parseQuantity('seed', values.seed) ?? 1;
    if (!(bandwidth > 0) || !(seconds > 0))
      throw new UsageError('--bandwidth and --seconds must be positive');

    const text = BUILTIN[name];
    const base: Scene = text === undefined ? loadScenario(name) : compileScene(parseScenario(text, name));
    const nodes = base.spec.nodes;
    if (nodes.length < 3)
      throw new UserError(`the scenario has ${nodes.length} nodes; localization needs at least 3`, {
        source: name,
        fix: 'give a scenario with three or more nodes (four for power)',
      });
    const frame = EnuFrame.around(
      nodes.map((n) => ({ latitude: n.latitude, longitude: n.longitude, altitude: n.altitude_m })),
    );
    const enu = nodes.map((n) =>
      frame.toEnu({ latitude: n.latitude, longitude: n.longitude, altitude: n.altitude_m }),
    );
    const box = {
      e0: Math.min(...enu.map((p) => p[0])),
      e1: Math.max(...enu.map((p) => p[0])),
      n0: Math.min(...enu.map((p) => p[1])),
      n1: Math.max(...enu.map((p) => p[1])),
    };
    let spacing = 0;
    let pairs = 0;
    for (let i = 0; i < enu.length; i++)
      for (let j = i + 1; j < enu.length; j++) {
        const a = enu[i] as readonly number[];
        const b = enu[j] as readonly number[];
        spacing += Math.hypot((a[0] as number) - (b[0] as number), (a[1] as number) - (b[1] as number));
        pairs++;
      }
    spacing /= pairs;
    const first = nodes[0];
    if (!first) throw new UsageError('the scenario has no nodes');
    const centre = first.center_frequency;
    const rate = first.sample_rate;
    const samples = Math.round(seconds * rate);

    const results = { tdoa: new Outcomes(), power: new Outcomes() };
    const progress = ctx.progress('trials', trials, 'trials');
    let rnd = (seed >>> 0) * 2654435761 + 1;
    const uniform = (): number => {
      rnd = (rnd * 1103515245 + 12345) % 2147483648;
      return rnd / 2147483648;
    };
    for (let t = 0; t < trials && !ctx.signal.aborted; t++) {
      const east = box.e0 + uniform() * (box.e1 - box.e0);
      const north = box.n0 + uniform() * (box.n1 - box.n0);
      const altitude = frame.origin.altitude;
      const truth = frame.toGeodetic([east, north, altitude - frame.origin.altitude]);
      const emitter = (powerDbm: number) =>
        emitterSchema.parse({
          name: `target-${seed}-${t}`,
          latitude: truth.latitude,
          longitude: truth.longitude,
          altitude_m: truth.altitude,
          frequency: centre + offset,
          power_dbm: powerDbm,
          modulation: { type: 'noise', bandwidth },
        });
      // Scale the power so that the median node sees the wanted SNR.
      const probe = compileScene({ ...base.spec, emitters: [emitter(0)], anomalies: [] });
      const snrs = nodes
        .map(
          (n) =>
            new SimReceiver(probe, n.name, { centerFrequency: centre, sampleRate: rate }).heard()[0]?.snrDb,
        )
        .filter((s): s is number => s !== undefined)
        .sort((a, b) => a - b);
      const mid = snrs[snrs.length >> 1];
      if (mid === undefined) throw new UserError('no node hears the trial emitter', { source: name });
      const scene = compileScene({
        ...base.spec,
        emitters: [emitter(Math.min(snrDb - mid, 100))],
        anomalies: [],
      });
      const startTime = 1 + t * 0.5;
      const startNs = BigInt(scene.startMs) * 1_000_000n + BigInt(Math.round(startTime * 1e9));
      const snippets = nodes.map((n): TdoaSnippet => {
        const rx = new SimReceiver(scene, n.name, {
          centerFrequency: centre,
          sampleRate: rate,
          startTime,
          capture: t,
        });
        const iq = new Float32Array(2 * samples);
        rx.readCf32(iq);
        return {
          name: n.name,
          position: { latitude: n.latitude, longitude: n.longitude, altitude: n.altitude_m },
          iq,
          sampleRate: rate,
          centerFrequency: centre,
          startNs,
          timestampResolutionNs: 1,
          clockSource: n.clock,
        };
      });
      const opts = { emitterAltitude: truth.altitude };
      results.tdoa.add(frame, truth, () =>
        localizeTdoa(snippets, { frequency: centre + offset, bandwidth, ...opts }),
      );
      if (snippets.length >= 4)
        results.power.add(frame, truth, () =>
          localizePower(
            snippets.map((s) => ({
              name: s.name,
              position: s.position,
              powerDb: bandPowerDb(s.iq, rate, offset - bandwidth / 2, offset + bandwidth / 2),
            })),
            {
              ...opts,
              shadowingDb:
                base.spec.propagation.shadowing_sigma_db > 0 ? base.spec.propagation.shadowing_sigma_db : 1,
            },
          ),
        );
      progress.update(t + 1);
    }
    progress.done();
    const summary = {
      scenario: name,
      nodes: nodes.length,
      mean_spacing_m: Math.round(spacing),
      bandwidth_hz: bandwidth,
      snr_db: snrDb,
      tdoa: results.tdoa.summary(),
      power: results.power.summary(),
    };
    await writeOut(ctx, undefined, values.json === true ? `${JSON.stringify(summary)}\n` : report(summary));
    return 0;
  },
};

class Outcomes {
  private readonly errors: number[] = [];
  private inside = 0;
  private failed = 0;

  add(
    frame: EnuFrame,
    truth: { latitude: number; longitude: number; altitude: number },
    fix: () => Fix,
  ): void {
    let f: Fix;
    try {
      f = fix();
    } catch (e) {
      if (e instanceof UserError) {
        this.failed++;
        return;
      }
      throw e;
    }
    const p = frame.toEnu(f.position);
    const q = frame.toEnu(truth);
    const de = p[0] - q[0];
    const dn = p[1] - q[1];
    this.errors.push(Math.hypot(de, dn));
    if (insideEllipse(de, dn, f.covariance)) this.inside++;
  }

  summary(): Summary {
    const e = [...this.errors].sort((a, b) => a - b);
    const at = (q: number): number => e[Math.min(e.length - 1, Math.floor(q * e.length))] ?? Number.NaN;
    return {
      trials: e.length + this.failed,
      median_m: round(at(0.5)),
      p90_m: round(at(0.9)),
      ellipse_coverage: e.length === 0 ? Number.NaN : round(this.inside / e.length, 3),
      failed: this.failed,
    };
  }
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function report(s: {
  scenario: string;
  nodes: number;
  mean_spacing_m: number;
  tdoa: Summary;
  power: Summary;
}): string {
  const line = (label: string, r: Summary): string =>
    `${label.padEnd(6)} ${String(r.trials).padStart(6)} ${r.median_m.toFixed(1).padStart(10)} ${r.p90_m
      .toFixed(1)
      .padStart(10)} ${(r.ellipse_coverage * 100).toFixed(1).padStart(12)} % ${String(r.failed).padStart(7)}`;
  return [
    `${s.scenario}: ${s.nodes} nodes, mean spacing ${s.mean_spacing_m} m`,
    `method trials   median_m      p90_m  in 95% ellipse  failed`,
    line('tdoa', s.tdoa),
    line('power', s.power),
    '',
  ].join('\n');
}
