/**
 * Ground truth for a capture: every transmission and every anomaly the receiver could hear, with
 * where it sits in the recording (samples, absolute frequencies) and how strong it arrives.
 * Written next to simulated recordings as SigMF annotations and a JSON event list, so detectors
 * and anomaly models can be scored.
 */
import { createSchedule, type Burst } from './schedule.ts';
import type { SceneEmitter, TimeWindow } from './scene.ts';
import type { HeardEmitter, SimReceiver } from './receiver.ts';

export type TruthKind =
  | 'transmission'
  | 'new_emitter'
  | 'jammer'
  | 'out_of_schedule'
  | 'frequency_drift'
  | 'power_jump'
  | 'harmonics';

export interface TruthEvent {
  readonly kind: TruthKind;
  readonly emitter: string;
  readonly service: string;
  readonly modulation: string;
  /** Index in the scenario's `anomalies`, for anomaly events. */
  readonly anomaly?: number;
  readonly description: string;
  /** Position in the capture, samples. */
  readonly sampleStart: number;
  readonly sampleCount: number;
  /** Node-clock seconds since the capture started. */
  readonly startS: number;
  readonly endS: number;
  /** True carrier frequency, Hz. */
  readonly frequencyHz: number;
  /** Occupied band, absolute Hz (as transmitted). */
  readonly freqLowerHz: number;
  readonly freqUpperHz: number;
  /** Where the carrier appears in this capture: offset from the tuned centre, Hz (includes ppm error). */
  readonly basebandHz: number;
  readonly powerDbm: number;
  readonly powerDbfs: number;
  readonly snrDb: number;
  readonly distanceM: number;
  readonly delayS: number;
}

/** An annotation in the shape @heimdall/formats' SigmfWriter takes. */
export interface TruthAnnotation {
  readonly sampleStart: number;
  readonly sampleCount: number;
  readonly freqLowerEdge: number;
  readonly freqUpperEdge: number;
  readonly label: string;
  readonly generator: string;
  readonly comment: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Merges touching or overlapping intervals. */
function merge(windows: TimeWindow[]): TimeWindow[] {
  windows.sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const w of windows) {
    const last = out[out.length - 1];
    if (last !== undefined && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ start: w.start, end: w.end });
  }
  return out;
}

function clip(ws: readonly TimeWindow[], to: TimeWindow | undefined): TimeWindow[] {
  if (to === undefined) return [...ws];
  return ws
    .map((w) => ({ start: Math.max(w.start, to.start), end: Math.min(w.end, to.end) }))
    .filter((w) => w.end > w.start);
}

/** When the emitter transmits in emitter time [a, b): schedule, forced windows, active window. */
function onWindows(e: SceneEmitter, localOffsetS: number, a: number, b: number): TimeWindow[] {
  const sched = createSchedule(e.schedule, { key: e.key, localOffsetS });
  const bursts: Burst[] = sched.bursts(a, b);
  const raw: TimeWindow[] = [...bursts, ...e.forcedOn].map((w) => ({
    start: Math.max(a, w.start),
    end: Math.min(b, w.end),
  }));
  return merge(clip(raw, e.activeOnly).filter((w) => w.end > w.start));
}

/**
 * Truth for the receiver's next `samples` samples at its current settings (call before reading
 * them). Events are sorted by start.
 */
export function groundTruth(rx: SimReceiver, samples: number): TruthEvent[] {
  const localOffsetS = rx.scene.localOffsetS;
  const events: TruthEvent[] = [];
  const fs = rx.sampleRate;
  const first = rx.position;
  for (const h of rx.heard()) {
    const e = h.emitter;
    const toSample = (tau: number) => (tau - h.timing.tau0) / h.timing.tauPerSample;
    const a = h.timing.tau0 + first * h.timing.tauPerSample;
    const b = h.timing.tau0 + (first + samples) * h.timing.tauPerSample;
    const base = (kind: TruthKind, w: TimeWindow, description: string, anomaly?: number): TruthEvent => {
      const s0 = Math.max(first, Math.round(toSample(w.start)));
      const s1 = Math.min(first + samples, Math.round(toSample(w.end)));
      return {
        kind,
        emitter: e.name,
        service: e.service,
        modulation: e.modulation.type,
        ...(anomaly === undefined ? {} : { anomaly }),
        description,
        sampleStart: s0 - first,
        sampleCount: Math.max(0, s1 - s0),
        startS: (s0 - first) / fs,
        endS: (s1 - first) / fs,
        frequencyHz: e.frequency,
        freqLowerHz: e.frequency + h.occupied[0],
        freqUpperHz: e.frequency + h.occupied[1],
        basebandHz: h.basebandHz,
        powerDbm: h.budget.rxPowerDbm - h.filterLossDb,
        powerDbfs: h.powerDbfs,
        snrDb: h.snrDb,
        distanceM: h.budget.distanceM,
        delayS: h.budget.delayS,
      };
    };
    const on = onWindows(e, localOffsetS, a, b);
    if (e.createdBy === undefined) {
      for (const w of on)
        events.push(base('transmission', w, `${e.modulation.type} ${e.service} "${e.name}"`));
    }
    for (const ref of e.anomalies) {
      const w = { start: Math.max(a, ref.window.start), end: Math.min(b, ref.window.end) };
      if (w.end <= w.start) continue;
      // an anomaly shows only while the emitter transmits (harmonics, drift, power jump)
      const active = merge(clip(on, w));
      for (const part of active) {
        const ev = base(ref.type, part, ref.description, ref.index);
        events.push(adjust(ev, ref.type, e, h));
      }
    }
  }
  return events.filter((ev) => ev.sampleCount > 0).sort((x, y) => x.sampleStart - y.sampleStart);
}

/** Anomaly-specific truth: drift widens the band, a power jump changes the power. */
function adjust(ev: TruthEvent, type: TruthKind, e: SceneEmitter, h: HeardEmitter): TruthEvent {
  if (type === 'frequency_drift') {
    const drift = e.drifts.reduce((m, d) => (Math.abs(d.drift) > Math.abs(m) ? d.drift : m), 0);
    return {
      ...ev,
      freqLowerHz: ev.freqLowerHz + Math.min(0, drift),
      freqUpperHz: ev.freqUpperHz + Math.max(0, drift),
    };
  }
  if (type === 'power_jump') {
    const jump = e.powerJumps.reduce((m, j) => m + j.db, 0);
    return {
      ...ev,
      powerDbm: ev.powerDbm + jump,
      powerDbfs: ev.powerDbfs + jump,
      snrDb: h.snrDb + jump,
    };
  }
  return ev;
}

/** SigMF annotations for truth events. */
export function truthAnnotations(events: readonly TruthEvent[]): TruthAnnotation[] {
  return events.map((ev) => ({
    sampleStart: ev.sampleStart,
    sampleCount: ev.sampleCount,
    freqLowerEdge: ev.freqLowerHz,
    freqUpperEdge: ev.freqUpperHz,
    label: ev.kind === 'transmission' ? ev.modulation : ev.kind,
    generator: 'heimdall-sim',
    comment: ev.description,
    extra: {
      'heimdall:truth': true,
      'heimdall:kind': ev.kind,
      'heimdall:emitter': ev.emitter,
      'heimdall:service': ev.service,
      'heimdall:modulation': ev.modulation,
      'heimdall:power_dbfs': round(ev.powerDbfs, 2),
      'heimdall:snr_db': round(ev.snrDb, 2),
      'heimdall:distance_m': round(ev.distanceM, 1),
      'heimdall:delay_s': ev.delayS,
      ...(ev.anomaly === undefined ? {} : { 'heimdall:anomaly': ev.anomaly }),
    },
  }));
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
