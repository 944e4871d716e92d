/**
 * A scenario compiled for generation: every emitter (including the ones anomalies add: new
 * emitters, jammers, harmonics) with its key, power, antenna, propagation model and the time
 * windows in which anomalies change it (forced on, frequency drift, power jump).
 */
import type { GeoPosition } from './geo.ts';
import { deriveKey } from './prng.ts';
import type { PathLossModel } from './propagation.ts';
import { transmitterPowerDbm } from './scenario.ts';
import type {
  Antenna,
  Modulation,
  NodeSpec,
  Propagation,
  ScenarioSpec,
  Schedule,
} from './scenario.schema.ts';
import { UserError } from '@heimdall/errors';

/** [start, end) in simulation seconds. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export interface AnomalyRef {
  /** Index in the scenario's `anomalies` list. */
  readonly index: number;
  readonly type: ScenarioSpec['anomalies'][number]['type'];
  readonly window: TimeWindow;
  /** The scenario emitter the anomaly changes, if any. */
  readonly target?: string;
  /** A one-line description for truth records. */
  readonly description: string;
}

export interface SceneEmitter {
  readonly name: string;
  readonly key: number;
  readonly position: GeoPosition;
  /** Carrier frequency, Hz. */
  readonly frequency: number;
  /** Transmitter output power, dBm. */
  readonly txPowerDbm: number;
  readonly antenna: Antenna;
  readonly propagation: PathLossModel;
  readonly modulation: Modulation;
  readonly schedule: Schedule;
  readonly service: string;
  /** Transmits only inside this window (emitters that anomalies add). */
  readonly activeOnly?: TimeWindow;
  /** Transmits inside these windows whatever its schedule says (out-of-schedule anomalies). */
  readonly forcedOn: readonly TimeWindow[];
  /** Carrier drift ramps from 0 to `drift` Hz across the window, then snaps back. */
  readonly drifts: readonly (TimeWindow & { readonly drift: number })[];
  /** Power changed by `db` inside the window. */
  readonly powerJumps: readonly (TimeWindow & { readonly db: number })[];
  /** Set when an anomaly created or changes this emitter. */
  readonly anomalies: readonly AnomalyRef[];
  /** Set for emitters an anomaly created (new emitter, jammer, harmonic). */
  readonly createdBy?: AnomalyRef;
}

export interface Scene {
  readonly spec: ScenarioSpec;
  readonly seed: number;
  /** Unix milliseconds of simulation time 0. */
  readonly startMs: number;
  /** Local time of day offset: local seconds-of-day = (t + localOffsetS) mod 86400. */
  readonly localOffsetS: number;
  readonly emitters: readonly SceneEmitter[];
  readonly anomalies: readonly AnomalyRef[];
  node(name: string): NodeSpec;
}

export function toPathLossModel(p: Propagation): PathLossModel {
  return p.model === 'free-space'
    ? { model: 'free-space', shadowingSigmaDb: p.shadowing_sigma_db }
    : {
        model: 'log-distance',
        exponent: p.exponent,
        referenceDistanceM: p.reference_distance_m,
        shadowingSigmaDb: p.shadowing_sigma_db,
      };
}

export function compileScene(spec: ScenarioSpec): Scene {
  const seed = spec.seed >>> 0;
  const startMs = Date.parse(spec.start);
  const localOffsetS = ((((startMs / 1000) % 86400) + 86400) % 86400) + spec.timezone_offset_hours * 3600;
  const base = toPathLossModel(spec.propagation);

  interface Mutable extends SceneEmitter {
    forcedOn: TimeWindow[];
    drifts: (TimeWindow & { drift: number })[];
    powerJumps: (TimeWindow & { db: number })[];
    anomalies: AnomalyRef[];
  }
  const emitters: Mutable[] = spec.emitters.map((e) => ({
    name: e.name,
    key: deriveKey(seed, `emitter:${e.name}`),
    position: { latitude: e.latitude, longitude: e.longitude, altitude: e.altitude_m },
    frequency: e.frequency,
    txPowerDbm: transmitterPowerDbm(e),
    antenna: e.antenna,
    propagation: e.propagation === undefined ? base : toPathLossModel(e.propagation),
    modulation: e.modulation,
    schedule: e.schedule,
    service: e.service,
    forcedOn: [],
    drifts: [],
    powerJumps: [],
    anomalies: [],
  }));
  const byName = new Map(emitters.map((e) => [e.name, e]));
  const added: SceneEmitter[] = [];
  const refs: AnomalyRef[] = [];

  for (const [index, a] of spec.anomalies.entries()) {
    const window = { start: a.start_s, end: a.start_s + a.duration_s };
    if (a.type === 'new_emitter' || a.type === 'jammer') {
      const e = a.type === 'new_emitter' ? a.emitter : a;
      const modulation: Modulation =
        a.type === 'new_emitter'
          ? a.emitter.modulation
          : a.mode === 'noise'
            ? { type: 'noise', bandwidth: a.bandwidth }
            : { type: 'sweep', span: a.bandwidth, period_s: a.sweep_period_s };
      const ref: AnomalyRef = {
        index,
        type: a.type,
        window,
        description:
          a.type === 'jammer'
            ? `jammer (${a.mode}) "${e.name}" at ${e.frequency} Hz`
            : `new emitter "${e.name}" (${modulation.type}) at ${e.frequency} Hz`,
      };
      refs.push(ref);
      added.push({
        name: e.name,
        key: deriveKey(seed, `anomaly:${index}:${e.name}`),
        position: { latitude: e.latitude, longitude: e.longitude, altitude: e.altitude_m },
        frequency: e.frequency,
        txPowerDbm: transmitterPowerDbm(e),
        antenna: e.antenna,
        propagation: e.propagation === undefined ? base : toPathLossModel(e.propagation),
        modulation,
        schedule: { type: 'always' },
        service: a.type === 'jammer' ? 'jammer' : e.service,
        activeOnly: window,
        forcedOn: [],
        drifts: [],
        powerJumps: [],
        anomalies: [ref],
        createdBy: ref,
      });
      continue;
    }
    const target = byName.get(a.emitter);
    if (target === undefined) {
      throw new UserError(`no emitter named "${a.emitter}"`, { field: `anomalies[${index}].emitter` });
    }
    const description =
      a.type === 'out_of_schedule'
        ? `"${a.emitter}" transmits out of schedule`
        : a.type === 'frequency_drift'
          ? `"${a.emitter}" drifts by ${a.drift} Hz`
          : a.type === 'power_jump'
            ? `"${a.emitter}" power changes by ${a.change_db} dB`
            : `"${a.emitter}" radiates harmonics ${a.orders.join(', ')} at ${a.level_dbc} dBc`;
    const ref: AnomalyRef = { index, type: a.type, window, target: a.emitter, description };
    refs.push(ref);
    target.anomalies.push(ref);
    if (a.type === 'out_of_schedule') target.forcedOn.push(window);
    else if (a.type === 'frequency_drift') target.drifts.push({ ...window, drift: a.drift });
    else if (a.type === 'power_jump') target.powerJumps.push({ ...window, db: a.change_db });
    else {
      for (const order of a.orders) {
        added.push({
          ...target,
          name: `${target.name}#h${order}`,
          frequency: target.frequency * order,
          txPowerDbm: target.txPowerDbm + a.level_dbc,
          activeOnly: window,
          forcedOn: [],
          drifts: [],
          powerJumps: [],
          anomalies: [ref],
          createdBy: ref,
        });
      }
    }
  }

  const nodes = new Map(spec.nodes.map((n) => [n.name, n]));
  return {
    spec,
    seed,
    startMs,
    localOffsetS,
    emitters: [...emitters, ...added],
    anomalies: refs,
    node(name: string): NodeSpec {
      const n = nodes.get(name);
      if (n === undefined) {
        throw new UserError(`no node named "${name}" in scenario "${spec.name}"`, {
          field: 'nodes',
          fix: `use one of ${[...nodes.keys()].join(', ')}`,
        });
      }
      return n;
    },
  };
}
