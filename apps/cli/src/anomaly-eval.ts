/**
 * `heimdall eval anomalies`: how well the anomaly engine finds what the simulator injects. For each
 * node: D - 1 days of normal traffic (the scenario without anomalies) train a model; the last day
 * is scored with the scenario's own anomalies moved into it plus a set injected here, several of
 * each kind (new emitter, missing emitter, power jump, frequency drift, jammer, out of schedule),
 * at times, frequencies and strengths drawn from the seed. Spectra are the simulator's PSD frames
 * (`renderPowerFrames`: link budgets and schedules, no IQ), so days take seconds.
 *
 * "Out of schedule" is judged by the schedule the model could have learnt: one is injected only
 * at an hour in which the emitter's ground truth (the training run's transmissions) was never
 * active during the training window, the hour counted as the model counts it: hour of the week
 * when the training window is two weeks or longer, else hour of the day. Both hours the 10-minute
 * transmission touches must qualify. An emitter whose schedule switches it on for random whole
 * hours at night has done so in some night hours of the training week, and keying it then is
 * its schedule, not a departure from it. Candidate emitters are taken in turn until one has such
 * an hour; none injected when no emitter has one.
 */
import {
  ANOMALY_KINDS,
  AnomalyMonitor,
  evaluateEvents,
  ModelTrainer,
  type AnomalyEvent,
  type AnomalyKind,
  type EngineParams,
  type EvaluationResult,
  type TruthAnomaly,
} from '@heimdall/intel';
import {
  compileScene,
  profileValues,
  renderPowerFrames,
  SimReceiver,
  validateScenario,
  type HeardEmitter,
  type ScenarioSpec,
  type TruthEvent,
} from '@heimdall/sim';
import { UserError } from '@heimdall/errors';

export interface AnomalyEvalOptions {
  readonly days: number;
  /** Nodes to evaluate (default: all of the scenario's). */
  readonly nodes?: readonly string[];
  /** Injected anomalies per kind per node (default 3). */
  readonly perKind?: number;
  readonly frameSeconds?: number;
  readonly params?: Partial<EngineParams>;
  readonly onNode?: (node: string, index: number, total: number) => void;
}

export interface NodeEval {
  readonly node: string;
  readonly trainSeconds: number;
  readonly events: readonly AnomalyEvent[];
  readonly truths: readonly TruthAnomaly[];
  readonly holdoutEventsPerDay: number;
}

export interface AnomalyEvalReport {
  readonly result: EvaluationResult;
  readonly nodes: readonly NodeEval[];
  readonly testStartMs: number;
  readonly testEndMs: number;
}

const DAY = 86_400;
const HOUR_S = 3600;
/** Training windows at least this long have hour-of-week baselines (see BaselineParams.minHourWeeks). */
const WEEKLY_TRAINING_S = 14 * DAY;
/** Anomalies a node hears below this SNR (dB, in their band) are not counted at that node. */
export const MIN_SNR_DB = 6;
const ANOMALY_S = 600;

/** Counter-based uniform in [0, 1) (small, deterministic). */
function rand(seed: number, a: number, b: number): number {
  let x = (seed ^ Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 7, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

type Injected = { spec: Record<string, unknown>; kind: AnomalyKind };

/**
 * Whether an emitter was on, during the training window, in the hour bucket (of the week, or of
 * the day) of every hour that [startS, endS) touches (scenario seconds).
 */
type OnInTraining = (emitter: string, startS: number, endS: number) => boolean;

/** The hour buckets (UTC hour of the week or of the day) in which each emitter transmitted in training. */
function trainingSchedule(truth: readonly TruthEvent[], startMs: number, weekly: boolean): OnInTraining {
  const span = weekly ? 168 : 24;
  const bucket = (s: number): number => {
    const ms = startMs + s * 1000;
    const hour = Math.floor(ms / (HOUR_S * 1000)) % 24;
    const day = (Math.floor(ms / (DAY * 1000)) + 4) % 7; // 1970-01-01 was a Thursday
    return weekly ? day * 24 + hour : hour;
  };
  const on = new Map<string, Uint8Array>();
  for (const ev of truth) {
    if (ev.kind !== 'transmission') continue;
    let seen = on.get(ev.emitter);
    if (seen === undefined) on.set(ev.emitter, (seen = new Uint8Array(span)));
    // a week of it covers every bucket (and bounds an always-on emitter's open-ended event)
    const end = Math.min(ev.endS, ev.startS + 7 * DAY);
    for (let s = Math.floor(ev.startS / HOUR_S) * HOUR_S; s < end; s += HOUR_S) seen[bucket(s)] = 1;
  }
  return (emitter, startS, endS) => {
    const seen = on.get(emitter);
    if (seen === undefined) return false;
    for (let s = Math.floor(startS / HOUR_S) * HOUR_S; s < endS; s += HOUR_S)
      if (seen[bucket(s)] === 1) return true;
    return false;
  };
}

/**
 * Whether the emitter is on all the time (targets for missing, power and drift anomalies: an
 * emitter that is off half the time cannot be missed by its levels).
 */
function steady(h: HeardEmitter): boolean {
  return h.emitter.schedule.type === 'always';
}

/** Start times (scenario seconds, every 15 min of the test day) at which the emitter's daily profile stays within [lo, hi]. */
function profileTimes(
  h: HeardEmitter,
  dayStart: number,
  localOffsetS: number,
  lo: number,
  hi: number,
): number[] {
  const profile = profileValues(h.emitter.schedule.profile);
  const out: number[] = [];
  for (let t = dayStart + 1800; t + ANOMALY_S < dayStart + DAY - 600; t += 900) {
    const hour = Math.floor(((((t + localOffsetS) % DAY) + DAY) % DAY) / 3600);
    const next = Math.floor(((((t + ANOMALY_S + localOffsetS) % DAY) + DAY) % DAY) / 3600);
    const a = profile?.[hour] ?? 1;
    const b = profile?.[next] ?? 1;
    if (a >= lo && a <= hi && b >= lo && b <= hi) out.push(t);
  }
  return out;
}

/** The anomalies injected at one node in the test day (scenario seconds). */
function injectAnomalies(
  spec: ScenarioSpec,
  node: string,
  dayStart: number,
  perKind: number,
  channelHz: number,
  onInTraining: OnInTraining,
): Injected[] {
  const scene = compileScene({ ...spec, anomalies: [] });
  const rx = new SimReceiver(scene, node, { startTime: dayStart });
  const heard = rx.heard().filter((h) => h.snrDb >= 12 && Math.abs(h.basebandHz) < rx.sampleRate * 0.4);
  const nodeSpec = scene.node(node);
  const seed = spec.seed ^ (node.length * 7919);
  const slots: number[] = [];
  for (let t = dayStart + 1800; t + ANOMALY_S < dayStart + DAY - 600; t += 900) slots.push(t);
  const used: number[] = [];
  // anomalies at one node stay 45 minutes apart
  const take = (pref: readonly number[] = slots): number | undefined => {
    const t = pref.find((s) => used.every((u) => Math.abs(u - s) >= 2700));
    if (t !== undefined) used.push(t);
    return t;
  };
  const out: Injected[] = [];
  const noiseDensity = rx.noiseDbfs - 10 * Math.log10(rx.sampleRate);
  // frequencies at least 60 kHz from every heard emitter, the DC spike and the band edges
  const free = (k: number): number | undefined => {
    for (let tries = 0; tries < 200; tries++) {
      const off = (rand(seed, 17 + k, tries) - 0.5) * rx.sampleRate * 0.8;
      const f = rx.centerFrequency + off;
      const clear =
        Math.abs(off) > 60_000 &&
        rx.heard().every((h) => Math.abs(h.basebandHz - off) > 60_000 + (h.occupied[1] - h.occupied[0]) / 2);
      if (clear) return Math.round(f / 1000) * 1000;
    }
    return undefined;
  };
  const near = (k: number): { latitude: number; longitude: number } => ({
    latitude: nodeSpec.latitude + (rand(seed, 31, k) - 0.5) * 0.04,
    longitude: nodeSpec.longitude + (rand(seed, 37, k) - 0.5) * 0.06,
  });
  const steadyOnes = heard.filter(steady);
  const scheduled = heard.filter((h) => h.emitter.schedule.profile !== undefined);
  for (let i = 0; i < perKind; i++) {
    // out of schedule first: it needs the quiet hours, in which the emitter was never on in training
    for (let k = 0; k < scheduled.length; k++) {
      const sched = scheduled[(i + k) % scheduled.length] as HeardEmitter;
      const name = sched.emitter.name;
      const quiet = profileTimes(sched, dayStart, scene.localOffsetS, 0, 0.05).filter(
        (t) => !onInTraining(name, t, t + ANOMALY_S),
      );
      const t = take(quiet);
      if (t === undefined) continue;
      out.push({
        kind: 'out_of_schedule',
        spec: { type: 'out_of_schedule', start_s: t, duration_s: ANOMALY_S, emitter: name },
      });
      break;
    }
    const f = free(i);
    const t1 = take();
    if (f !== undefined && t1 !== undefined) {
      const snr = 10 + 12 * rand(seed, 41, i);
      out.push({
        kind: 'new_emitter',
        spec: {
          type: 'new_emitter',
          start_s: t1,
          duration_s: ANOMALY_S,
          emitter: {
            name: `eval-new-${node}-${i}`,
            ...near(i),
            frequency: f,
            // placeholder power, set from the link budget below
            power_dbm: 0,
            modulation: i % 2 === 0 ? { type: 'nbfm' } : { type: 'fsk', symbol_rate: 4800, deviation: 3000 },
            service: 'unknown',
          },
        },
      });
      (out[out.length - 1] as Injected & { snr?: number }).snr = snr;
    }
    const fj = free(100 + i);
    const t2 = take();
    if (fj !== undefined && t2 !== undefined) {
      const bw = 200_000 + 200_000 * rand(seed, 43, i);
      const snr = 8 + 10 * rand(seed, 47, i);
      out.push({
        kind: 'wideband_noise',
        spec: {
          type: 'jammer',
          start_s: t2,
          duration_s: ANOMALY_S,
          name: `eval-jammer-${node}-${i}`,
          ...near(50 + i),
          frequency: fj,
          power_dbm: 0,
          mode: 'noise',
          bandwidth: bw,
        },
      });
      (out[out.length - 1] as Injected & { snr?: number }).snr = snr;
    }
    const target = steadyOnes[i % Math.max(1, steadyOnes.length)];
    if (target !== undefined) {
      const busy = profileTimes(target, dayStart, scene.localOffsetS, 0.95, 1);
      const t3 = take(busy);
      if (t3 !== undefined) {
        out.push({
          kind: 'missing_emitter',
          spec: {
            type: 'power_jump',
            start_s: t3,
            duration_s: ANOMALY_S,
            emitter: target.emitter.name,
            change_db: -60,
          },
        });
      }
      const t4 = take(busy);
      if (t4 !== undefined) {
        const sign = i % 2 === 0 ? 1 : -1;
        out.push({
          kind: 'power_jump',
          spec: {
            type: 'power_jump',
            start_s: t4,
            duration_s: ANOMALY_S,
            emitter: target.emitter.name,
            change_db: 10 * sign,
          },
        });
      }
      const t5 = take(busy);
      if (t5 !== undefined) {
        const width = target.occupied[1] - target.occupied[0];
        const sign = i % 2 === 0 ? 1 : -1;
        out.push({
          kind: 'frequency_drift',
          spec: {
            type: 'frequency_drift',
            start_s: t5,
            duration_s: ANOMALY_S,
            emitter: target.emitter.name,
            drift: sign * Math.max(2 * channelHz, width),
          },
        });
      }
    }
  }
  // set new emitters' and jammers' powers from their link budgets: SNR over the noise density x bandwidth
  const probe = compileScene(validateScenario({ ...spec, anomalies: out.map((o) => o.spec) }, spec.name));
  const probeRx = new SimReceiver(probe, node, { startTime: dayStart });
  for (const o of out) {
    const extra = o as Injected & { snr?: number };
    if (extra.snr === undefined) continue;
    const name =
      o.kind === 'new_emitter' ? (o.spec['emitter'] as { name: string }).name : (o.spec['name'] as string);
    const h = probeRx.heard().find((x) => x.emitter.name === name);
    if (h === undefined) continue;
    const width = Math.max(h.occupied[1] - h.occupied[0], 1000);
    const target = noiseDensity + 10 * Math.log10(width) + extra.snr;
    const change = target - h.powerDbfs;
    if (o.kind === 'new_emitter') {
      const e = o.spec['emitter'] as { power_dbm: number };
      e.power_dbm = Math.max(-60, Math.min(110, e.power_dbm + change));
    } else {
      o.spec['power_dbm'] = Math.max(-60, Math.min(110, (o.spec['power_dbm'] as number) + change));
    }
  }
  return out;
}

function truthKind(ev: TruthEvent, injected: Injected | undefined): AnomalyKind | undefined {
  if (injected !== undefined) return injected.kind;
  switch (ev.kind) {
    case 'jammer':
      return 'wideband_noise';
    case 'new_emitter':
    case 'out_of_schedule':
    case 'frequency_drift':
    case 'power_jump':
      return ev.kind;
    default:
      return undefined;
  }
}

/** Runs the evaluation (see the module comment). */
export function runAnomalyEval(spec: ScenarioSpec, o: AnomalyEvalOptions): AnomalyEvalReport {
  if (!(o.days >= 2)) {
    throw new UserError(`needs at least 2 days (got ${o.days})`, {
      field: '--days',
      fix: 'give --days 2 or more: the days before the last train the model, the last one is scored',
    });
  }
  const frameSeconds = o.frameSeconds ?? 10;
  const perKind = o.perKind ?? 3;
  const nodes = o.nodes ?? spec.nodes.map((n) => n.name);
  const trainSeconds = Math.round((o.days - 1) * DAY);
  const dayStart = trainSeconds;
  const normal = compileScene({ ...spec, anomalies: [] });
  const channelHz = o.params?.channelHz ?? 12_500;
  const results: NodeEval[] = [];
  const allEvents: AnomalyEvent[] = [];
  const allTruths: TruthAnomaly[] = [];
  const own = spec.anomalies.map((a) => ({ ...a, start_s: a.start_s + dayStart }));
  for (const [index, node] of nodes.entries()) {
    o.onNode?.(node, index, nodes.length);
    normal.node(node);
    const train = renderPowerFrames(new SimReceiver(normal, node, { startTime: 0 }), {
      seconds: trainSeconds,
      frameSeconds,
    });
    const trainer = new ModelTrainer({ node, params: { ...o.params } });
    for (const f of train.frames) trainer.push(f);
    const model = trainer.finish();

    const onInTraining = trainingSchedule(train.truth, normal.startMs, trainSeconds >= WEEKLY_TRAINING_S);
    const injected = injectAnomalies(spec, node, dayStart, perKind, channelHz, onInTraining);
    const testSpec = validateScenario(
      { ...spec, anomalies: [...own, ...injected.map((i) => i.spec)] },
      spec.name,
    );
    const test = compileScene(testSpec);
    const rx = new SimReceiver(test, node, { startTime: dayStart });
    const run = renderPowerFrames(rx, { seconds: DAY, frameSeconds });
    const monitor = new AnomalyMonitor(model, { node });
    const events: AnomalyEvent[] = [];
    for (const f of run.frames) events.push(...monitor.push(f));
    events.push(...monitor.flush());

    // one truth anomaly per scenario anomaly (bursts of a scheduled emitter merged)
    const heardSnr = new Map(rx.heard().map((h) => [h.emitter.name, h.snrDb]));
    const byIndex = new Map<number, TruthAnomaly>();
    const snrByIndex = new Map<number, number>();
    for (const ev of run.truth) {
      if (ev.anomaly === undefined || ev.kind === 'transmission') continue;
      // what the node normally hears of the emitter (truth of power changes reports the changed SNR)
      const snr = heardSnr.get(ev.emitter) ?? ev.snrDb;
      snrByIndex.set(ev.anomaly, Math.max(snrByIndex.get(ev.anomaly) ?? -Infinity, snr));
      const inj = ev.anomaly >= own.length ? injected[ev.anomaly - own.length] : undefined;
      const kind = truthKind(ev, inj);
      if (kind === undefined) continue;
      const t0 = test.startMs + (dayStart + ev.startS) * 1000;
      const t1 = test.startMs + (dayStart + ev.endS) * 1000;
      const prev = byIndex.get(ev.anomaly);
      byIndex.set(ev.anomaly, {
        kind,
        startMs: Math.min(prev?.startMs ?? t0, t0),
        endMs: Math.max(prev?.endMs ?? t1, t1),
        freqLowHz: Math.min(prev?.freqLowHz ?? ev.freqLowerHz, ev.freqLowerHz),
        freqHighHz: Math.max(prev?.freqHighHz ?? ev.freqUpperHz, ev.freqUpperHz),
      });
    }
    // anomalies the node cannot hear (far away, weaker than MIN_SNR_DB) are not counted
    for (const [index, snr] of snrByIndex) if (snr < MIN_SNR_DB) byIndex.delete(index);
    const truths = [...byIndex.values()];
    results.push({
      node,
      trainSeconds,
      events,
      truths,
      holdoutEventsPerDay: model.metrics.holdoutEventsPerDay,
    });
    allEvents.push(...events);
    allTruths.push(...truths);
  }
  const testStartMs = normal.startMs + dayStart * 1000;
  const testEndMs = testStartMs + DAY * 1000;
  // windows of different nodes are scored separately: evaluate per node, then pool the windows
  const result = poolResults(results, testStartMs, testEndMs);
  return { result, nodes: results, testStartMs, testEndMs };
}

/** Per-node evaluation pooled: each node's windows are its own (an event at one node says nothing about another). */
function poolResults(nodes: readonly NodeEval[], startMs: number, endMs: number): EvaluationResult {
  // shift each node into its own day so that one evaluation sees every node's windows separately
  const events: AnomalyEvent[] = [];
  const truths: TruthAnomaly[] = [];
  const span = endMs - startMs;
  nodes.forEach((n, i) => {
    const shift = i * span;
    for (const e of n.events) events.push({ ...e, startMs: e.startMs + shift, endMs: e.endMs + shift });
    for (const t of n.truths) truths.push({ ...t, startMs: t.startMs + shift, endMs: t.endMs + shift });
  });
  const result = evaluateEvents(events, truths, {
    periodStartMs: startMs,
    periodEndMs: startMs + nodes.length * span,
  });
  const order = new Map(ANOMALY_KINDS.map((k, i) => [k, i]));
  return {
    ...result,
    kinds: [...result.kinds].sort((a, b) => (order.get(a.kind) ?? 0) - (order.get(b.kind) ?? 0)),
  };
}
