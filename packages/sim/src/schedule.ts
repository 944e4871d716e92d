/**
 * When an emitter transmits. Every schedule is a pure function of time and the emitter's key
 * (counter-based randomness), so any node, any block size and any start time see the same bursts.
 *
 * Times are simulation seconds since the scenario start. Daily profiles use local time
 * (UTC + the scenario's timezone offset) and give, per hour, the probability that an `always` or
 * `duty_cycle` emitter is on that hour (or that period), or the factor on a `poisson` burst rate.
 */
import { hash32, uniformAt } from './prng.ts';
import type { DailyProfileSpec, ProfileName, Schedule } from './scenario.schema.ts';

/** Hourly activity (local hours 0-23), 0 = silent, 1 = fully active. */
const PROFILES: Record<ProfileName, readonly number[]> = {
  flat: Array.from({ length: 24 }, () => 1),
  // amateur and utility voice: quiet nights, a busy morning, a smaller evening peak
  busy_mornings: [
    0.05, 0.03, 0.02, 0.02, 0.03, 0.1, 0.35, 0.7, 1, 1, 0.9, 0.75, 0.6, 0.55, 0.55, 0.6, 0.65, 0.7, 0.75, 0.7,
    0.5, 0.3, 0.15, 0.08,
  ],
  office_hours: [
    0.02, 0.02, 0.02, 0.02, 0.02, 0.05, 0.15, 0.5, 0.9, 1, 1, 1, 0.8, 0.9, 1, 1, 0.95, 0.7, 0.3, 0.1, 0.05,
    0.03, 0.02, 0.02,
  ],
  evenings: [
    0.3, 0.15, 0.05, 0.03, 0.03, 0.05, 0.1, 0.15, 0.2, 0.2, 0.25, 0.3, 0.3, 0.3, 0.3, 0.35, 0.45, 0.6, 0.8,
    0.95, 1, 1, 0.85, 0.55,
  ],
  // broadcasters and beacons that close down for a few hours at night
  quiet_nights: [0.6, 0.3, 0.1, 0.05, 0.1, 0.4, 0.9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.95, 0.8],
  // a band that opens around midday (sporadic-E, daytime HF): distant stations come and go
  band_opening: [
    0, 0, 0, 0, 0, 0, 0.02, 0.05, 0.1, 0.25, 0.45, 0.65, 0.8, 0.85, 0.8, 0.7, 0.55, 0.4, 0.25, 0.12, 0.05,
    0.02, 0, 0,
  ],
};

export function profileValues(spec: DailyProfileSpec | undefined): readonly number[] | undefined {
  if (spec === undefined) return undefined;
  return typeof spec === 'string' ? PROFILES[spec] : spec;
}

/** One transmission: [start, end) in simulation seconds, with a number that names it. */
export interface Burst {
  readonly start: number;
  readonly end: number;
  readonly index: number;
}

export interface ScheduleRuntime {
  /**
   * The burst covering `t`: returns its index (>= 0) and leaves its bounds in
   * {@link burstStart}/{@link burstEnd}, or returns -1 when off. Allocation-free (hot path).
   */
  burstAt(t: number): number;
  readonly burstStart: number;
  readonly burstEnd: number;
  /** Earliest time > t at which a burst may start (Infinity if never). Used to skip silence. */
  nextStart(t: number): number;
  /** Bursts overlapping [t0, t1), in time order (truth records). */
  bursts(t0: number, t1: number): Burst[];
}

const HOUR = 3600;

export interface ScheduleContext {
  readonly key: number;
  /** Local time offset from simulation time, seconds (start-of-scenario UTC time of day + zone). */
  readonly localOffsetS: number;
}

export function createSchedule(spec: Schedule, ctx: ScheduleContext): ScheduleRuntime {
  const profile = profileValues(spec.profile);
  switch (spec.type) {
    case 'always':
      return profile === undefined ? new AlwaysSchedule() : new HourlySchedule(ctx, profile);
    case 'duty_cycle':
      return new DutyCycleSchedule(ctx, spec.period_s, spec.on_s, spec.offset_s, profile);
    case 'poisson':
      return new PoissonSchedule(
        ctx,
        spec.rate_per_hour,
        spec.mean_duration_s,
        spec.min_duration_s ?? spec.mean_duration_s * 0.25,
        spec.max_duration_s ?? spec.mean_duration_s * 4,
        profile,
      );
  }
}

function hourValue(profile: readonly number[], ctx: ScheduleContext, t: number): number {
  const local = t + ctx.localOffsetS;
  const h = ((Math.floor(local / HOUR) % 24) + 24) % 24;
  return profile[h] ?? 1;
}

/** Linear between hour centres, for rates. */
function smoothHourValue(profile: readonly number[], ctx: ScheduleContext, t: number): number {
  const x = (t + ctx.localOffsetS) / HOUR - 0.5;
  const i = Math.floor(x);
  const f = x - i;
  const a = profile[((i % 24) + 24) % 24] ?? 1;
  const b = profile[(((i + 1) % 24) + 24) % 24] ?? 1;
  return a + (b - a) * f;
}

class AlwaysSchedule implements ScheduleRuntime {
  readonly burstStart = 0;
  readonly burstEnd = Infinity;
  burstAt(): number {
    return 0;
  }
  nextStart(): number {
    return Infinity;
  }
  bursts(): Burst[] {
    return [{ start: 0, end: Infinity, index: 0 }];
  }
}

/** On for whole local hours, each hour with the profile's probability. */
class HourlySchedule implements ScheduleRuntime {
  burstStart = 0;
  burstEnd = 0;
  constructor(
    private readonly ctx: ScheduleContext,
    private readonly profile: readonly number[],
  ) {}
  private on(h: number): boolean {
    return (
      uniformAt(this.ctx.key, h, 0x40) < hourValue(this.profile, this.ctx, h * HOUR - this.ctx.localOffsetS)
    );
  }
  private hourOf(t: number): number {
    return Math.floor((t + this.ctx.localOffsetS) / HOUR);
  }
  burstAt(t: number): number {
    const h = this.hourOf(t);
    if (!this.on(h)) return -1;
    this.burstStart = h * HOUR - this.ctx.localOffsetS;
    this.burstEnd = this.burstStart + HOUR;
    return h >= 0 ? h : -h + 0x40000000;
  }
  nextStart(t: number): number {
    const h0 = this.hourOf(t);
    for (let h = h0 + 1; h < h0 + 24 * 14; h++) if (this.on(h)) return h * HOUR - this.ctx.localOffsetS;
    return Infinity;
  }
  bursts(t0: number, t1: number): Burst[] {
    const out: Burst[] = [];
    for (let h = this.hourOf(t0); h * HOUR - this.ctx.localOffsetS < t1; h++) {
      if (this.on(h)) {
        const start = h * HOUR - this.ctx.localOffsetS;
        out.push({ start, end: start + HOUR, index: h });
      }
    }
    return out;
  }
}

class DutyCycleSchedule implements ScheduleRuntime {
  burstStart = 0;
  burstEnd = 0;
  constructor(
    private readonly ctx: ScheduleContext,
    private readonly period: number,
    private readonly onTime: number,
    private readonly offset: number,
    private readonly profile: readonly number[] | undefined,
  ) {}
  private periodOn(p: number): boolean {
    if (this.profile === undefined) return true;
    const start = this.offset + p * this.period;
    return uniformAt(this.ctx.key, p, 0x41) < hourValue(this.profile, this.ctx, start);
  }
  burstAt(t: number): number {
    const p = Math.floor((t - this.offset) / this.period);
    const start = this.offset + p * this.period;
    if (t - start >= this.onTime || !this.periodOn(p)) return -1;
    this.burstStart = start;
    this.burstEnd = start + this.onTime;
    return p >= 0 ? p : -p + 0x40000000;
  }
  nextStart(t: number): number {
    const p0 = Math.floor((t - this.offset) / this.period);
    for (let p = p0 + 1; p < p0 + 100_000; p++) if (this.periodOn(p)) return this.offset + p * this.period;
    return Infinity;
  }
  bursts(t0: number, t1: number): Burst[] {
    const out: Burst[] = [];
    for (let p = Math.floor((t0 - this.offset) / this.period); this.offset + p * this.period < t1; p++) {
      const start = this.offset + p * this.period;
      if (start + this.onTime > t0 && this.periodOn(p))
        out.push({ start, end: start + this.onTime, index: p });
    }
    return out;
  }
}

/**
 * Bursts at random times: time is cut into slots of length L with at most one burst starting in
 * each (probability rate * L, scaled by the daily profile), at a random point of the slot, with a
 * random length (exponential around the mean, clamped to [min, max]).
 */
class PoissonSchedule implements ScheduleRuntime {
  burstStart = 0;
  burstEnd = 0;
  private readonly slot: number;
  private readonly lookback: number;
  private readonly perSlot: number;
  constructor(
    private readonly ctx: ScheduleContext,
    ratePerHour: number,
    private readonly mean: number,
    private readonly min: number,
    private readonly max: number,
    private readonly profile: readonly number[] | undefined,
  ) {
    // slots short enough that one burst per slot is a fair Poisson approximation (p <= 0.25)
    this.slot = Math.min(Math.max(mean, 1), (0.25 * HOUR) / ratePerHour);
    this.perSlot = (ratePerHour * this.slot) / HOUR;
    this.lookback = Math.ceil(max / this.slot) + 1;
  }
  /** Start of the burst in slot s, or NaN; its end in this.slotEnd. */
  private slotEnd = 0;
  private slotBurst(s: number): number {
    const h = hash32(this.ctx.key, s, 0x42);
    let p = this.perSlot;
    if (this.profile !== undefined) p *= smoothHourValue(this.profile, this.ctx, s * this.slot);
    if (h / 4294967296 >= p) return NaN;
    const start = (s + uniformAt(this.ctx.key, s, 0x43)) * this.slot;
    const u = uniformAt(this.ctx.key, s, 0x44);
    const len = Math.min(this.max, Math.max(this.min, -this.mean * Math.log(1 - u)));
    this.slotEnd = start + len;
    return start;
  }
  burstAt(t: number): number {
    const s0 = Math.floor(t / this.slot);
    for (let s = s0; s >= s0 - this.lookback; s--) {
      const start = this.slotBurst(s);
      if (start <= t && t < this.slotEnd) {
        this.burstStart = start;
        this.burstEnd = this.slotEnd;
        return s >= 0 ? s : -s + 0x40000000;
      }
    }
    return -1;
  }
  nextStart(t: number): number {
    const s0 = Math.floor(t / this.slot);
    for (let s = s0; s < s0 + 200_000; s++) {
      const start = this.slotBurst(s);
      if (start > t) return start;
    }
    return Infinity;
  }
  bursts(t0: number, t1: number): Burst[] {
    const out: Burst[] = [];
    for (let s = Math.floor(t0 / this.slot) - this.lookback; s * this.slot < t1; s++) {
      const start = this.slotBurst(s);
      if (start < t1 && this.slotEnd > t0) out.push({ start, end: this.slotEnd, index: s });
    }
    return out;
  }
}
