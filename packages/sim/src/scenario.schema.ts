/**
 * The scenario file format (YAML or JSON), as a zod schema. Field names are the ones users write
 * (snake_case); frequencies are Hz or strings such as "145.5 MHz"; durations are seconds or strings
 * such as "15 min". See packages/sim/README.md for every field and its default.
 */
import { z } from 'zod';
import { parseDurationLike, parseFrequencyLike } from './quantity.ts';

const hz = () => z.preprocess(parseFrequencyLike, z.number().finite().positive());
const signedHz = () => z.preprocess(parseFrequencyLike, z.number().finite());
const seconds = () => z.preprocess(parseDurationLike, z.number().finite().positive());
const nonNegSeconds = () => z.preprocess(parseDurationLike, z.number().finite().min(0));
const latitude = () => z.number().min(-90).max(90);
const longitude = () => z.number().min(-180).max(180);

export const MODULATIONS = [
  'cw',
  'am',
  'wbfm',
  'nbfm',
  'ssb',
  'fsk',
  'psk',
  'ofdm',
  'lora',
  'radar',
  'noise',
  'sweep',
] as const;
export type ModulationType = (typeof MODULATIONS)[number];

export const AUDIO_KINDS = ['voice', 'music', 'tone'] as const;

const cw = z.strictObject({
  type: z.literal('cw'),
  /** `morse` keys the carrier with `message` at `wpm`; `none` is a steady carrier. */
  keying: z.enum(['none', 'morse']).default('none'),
  message: z.string().min(1).default('VVV DE HEIMDALL'),
  wpm: z.number().min(5).max(60).default(18),
});
const am = z.strictObject({
  type: z.literal('am'),
  audio: z.enum(AUDIO_KINDS).default('music'),
  depth: z.number().gt(0).max(1).default(0.7),
  audio_bandwidth: hz().default(4500),
});
const wbfm = z.strictObject({
  type: z.literal('wbfm'),
  deviation: hz().default(75_000),
  stereo: z.boolean().default(true),
  audio: z.enum(AUDIO_KINDS).default('music'),
});
const nbfm = z.strictObject({
  type: z.literal('nbfm'),
  deviation: hz().default(2500),
  ctcss: hz().optional(),
  audio: z.enum(AUDIO_KINDS).default('voice'),
});
const ssb = z.strictObject({
  type: z.literal('ssb'),
  sideband: z.enum(['usb', 'lsb']).default('usb'),
  audio: z.enum(AUDIO_KINDS).default('voice'),
});
const fsk = z.strictObject({
  type: z.literal('fsk'),
  symbol_rate: hz().default(1200),
  deviation: hz().default(2500),
  levels: z.union([z.literal(2), z.literal(4)]).default(2),
  /** Gaussian filter bandwidth-time product (GFSK); 0 = rectangular frequency pulses. */
  bt: z.number().min(0).max(2).default(0.5),
});
const psk = z.strictObject({
  type: z.literal('psk'),
  symbol_rate: hz().default(9600),
  order: z.union([z.literal(2), z.literal(4), z.literal(8)]).default(4),
  /** Raised-cosine roll-off. */
  rolloff: z.number().min(0.05).max(1).default(0.35),
});
const ofdm = z.strictObject({
  type: z.literal('ofdm'),
  bandwidth: hz().default(1_536_000),
  subcarriers: z.number().int().min(8).max(4096).default(1536),
  guard_fraction: z.number().min(0).max(0.5).default(0.25),
});
const lora = z.strictObject({
  type: z.literal('lora'),
  spreading_factor: z.number().int().min(6).max(12).default(7),
  bandwidth: hz().default(125_000),
});
const radar = z.strictObject({
  type: z.literal('radar'),
  pulse_width_s: z.number().positive().max(1e-2).default(1e-6),
  pri_s: z.number().positive().max(1).default(1e-3),
  /** Linear FM sweep inside each pulse (0 = plain pulse). */
  chirp_bandwidth: z.preprocess(parseFrequencyLike, z.number().min(0)).default(0),
});
const noise = z.strictObject({ type: z.literal('noise'), bandwidth: hz().default(1_000_000) });
const sweep = z.strictObject({
  type: z.literal('sweep'),
  span: hz().default(2_000_000),
  period_s: seconds().default(0.01),
});

export const modulationSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { type: v } : v),
  z.discriminatedUnion('type', [cw, am, wbfm, nbfm, ssb, fsk, psk, ofdm, lora, radar, noise, sweep]),
);
export type Modulation = z.output<typeof modulationSchema>;

export const PROFILE_NAMES = [
  'flat',
  'busy_mornings',
  'office_hours',
  'evenings',
  'quiet_nights',
  'band_opening',
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

const profile = z.union([z.enum(PROFILE_NAMES), z.array(z.number().min(0).max(1)).length(24)]);
export type DailyProfileSpec = z.output<typeof profile>;

export const scheduleSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { type: v } : v),
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('always'), profile: profile.optional() }),
    z.strictObject({
      type: z.literal('duty_cycle'),
      period_s: seconds(),
      on_s: seconds(),
      offset_s: nonNegSeconds().default(0),
      profile: profile.optional(),
    }),
    z.strictObject({
      type: z.literal('poisson'),
      rate_per_hour: z.number().positive(),
      mean_duration_s: seconds(),
      min_duration_s: nonNegSeconds().optional(),
      max_duration_s: seconds().optional(),
      profile: profile.optional(),
    }),
  ]),
);
export type Schedule = z.output<typeof scheduleSchema>;

const pattern = z.preprocess(
  (v) => (typeof v === 'string' ? { type: v } : v),
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('omni') }),
    z.strictObject({
      type: z.literal('sector'),
      azimuth_deg: z.number().min(0).max(360),
      beamwidth_deg: z.number().positive().max(360),
      front_to_back_db: z.number().min(0).default(20),
    }),
    z.strictObject({
      type: z.literal('rotating'),
      period_s: seconds(),
      beamwidth_deg: z.number().positive().max(360),
      sidelobe_db: z.number().max(0).default(-25),
    }),
  ]),
);

const antenna = z.strictObject({
  gain_dbi: z.number().min(-30).max(60).default(0),
  pattern: pattern.default({ type: 'omni' }),
});
export type Antenna = z.output<typeof antenna>;

export const propagationSchema = z.discriminatedUnion('model', [
  z.strictObject({
    model: z.literal('free-space'),
    shadowing_sigma_db: z.number().min(0).max(30).default(0),
  }),
  z.strictObject({
    model: z.literal('log-distance'),
    exponent: z.number().min(1).max(6).default(2.8),
    reference_distance_m: z.number().positive().default(1000),
    shadowing_sigma_db: z.number().min(0).max(30).default(6),
  }),
]);
export type Propagation = z.output<typeof propagationSchema>;

const emitterBase = {
  name: z.string().min(1),
  latitude: latitude(),
  longitude: longitude(),
  altitude_m: z.number().min(-500).max(40_000).default(10),
  frequency: hz(),
  /** Transmitter output power in dBm (mean power while transmitting). Give this or power_w. */
  power_dbm: z.number().min(-60).max(110).optional(),
  /** Transmitter output power in watts. Give this or power_dbm. */
  power_w: z.number().positive().optional(),
  antenna: antenna.default({ gain_dbi: 0, pattern: { type: 'omni' } }),
  propagation: propagationSchema.optional(),
  /** Free text for truth records: broadcast, amateur, utility, ism, ... */
  service: z.string().default('unknown'),
};

export const emitterSchema = z.strictObject({
  ...emitterBase,
  modulation: modulationSchema,
  schedule: scheduleSchema.default({ type: 'always' }),
});
export type EmitterSpec = z.output<typeof emitterSchema>;

export const SYNC_QUALITIES = ['gps', 'ntp', 'none'] as const;
export type SyncQuality = (typeof SYNC_QUALITIES)[number];

export const nodeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  latitude: latitude(),
  longitude: longitude(),
  altitude_m: z.number().min(-500).max(10_000).default(10),
  frequency_range: z.tuple([hz(), hz()]).default([24e6, 1766e6]),
  center_frequency: hz(),
  sample_rate: hz().default(2_400_000),
  /** Rates the receiver accepts (rtl_tcp clients may only pick these). Empty = any up to max. */
  sample_rates: z.array(hz()).optional(),
  noise_figure_db: z.number().min(0).max(40).default(6),
  gain_db: z.number().min(-20).max(80).default(30),
  adc_bits: z.number().int().min(2).max(16).default(8),
  /** Input power (dBm) that reaches ADC full scale with 0 dB gain. */
  adc_full_scale_dbm: z.number().min(-100).max(30).default(-25),
  /**
   * Noise the receiver adds after its gain stage (IF amplifiers, the ADC), as a density at the ADC
   * in dBFS/Hz: the floor when the gain is turned down for strong signals (omit for none).
   */
  adc_noise_dbfs_hz: z.number().min(-200).max(-40).optional(),
  /** Frequency error of the local oscillator in parts per million. */
  ppm: z.number().min(-500).max(500).default(0),
  /** DC spike level in dBFS (omit for none). */
  dc_offset_dbfs: z.number().max(0).optional(),
  clock: z.enum(SYNC_QUALITIES).default('ntp'),
});
export type NodeSpec = z.output<typeof nodeSchema>;

const window = { start_s: nonNegSeconds(), duration_s: seconds() };

export const ANOMALY_TYPES = [
  'new_emitter',
  'jammer',
  'out_of_schedule',
  'frequency_drift',
  'power_jump',
  'harmonics',
] as const;

export const anomalySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('new_emitter'),
    ...window,
    emitter: z.strictObject({ ...emitterBase, modulation: modulationSchema }),
  }),
  z.strictObject({
    type: z.literal('jammer'),
    ...window,
    ...emitterBase,
    name: z.string().min(1).default('jammer'),
    mode: z.enum(['noise', 'sweep']).default('noise'),
    bandwidth: hz().default(1_000_000),
    sweep_period_s: seconds().default(0.01),
  }),
  z.strictObject({ type: z.literal('out_of_schedule'), ...window, emitter: z.string().min(1) }),
  z.strictObject({
    type: z.literal('frequency_drift'),
    ...window,
    emitter: z.string().min(1),
    /** Total drift reached at the end of the window (the carrier then returns). */
    drift: signedHz(),
  }),
  z.strictObject({
    type: z.literal('power_jump'),
    ...window,
    emitter: z.string().min(1),
    change_db: z.number().min(-60).max(60),
  }),
  z.strictObject({
    type: z.literal('harmonics'),
    ...window,
    emitter: z.string().min(1),
    orders: z.array(z.number().int().min(2).max(10)).min(1).default([2, 3]),
    level_dbc: z.number().max(0).default(-40),
  }),
]);
export type AnomalySpec = z.output<typeof anomalySchema>;

export const scenarioSchema = z.strictObject({
  name: z.string().default('scenario'),
  seed: z.number().int().min(0).max(4294967295),
  /** Wall-clock time of simulation time zero (ISO 8601, UTC). */
  start: z.iso.datetime({ offset: true }).default('2024-06-03T00:00:00Z'),
  /** Local time = UTC + this, for daily activity profiles. */
  timezone_offset_hours: z.number().min(-12).max(14).default(0),
  propagation: propagationSchema.default({ model: 'free-space', shadowing_sigma_db: 0 }),
  nodes: z.array(nodeSchema).min(1),
  emitters: z.array(emitterSchema).default([]),
  anomalies: z.array(anomalySchema).default([]),
});
export type ScenarioSpec = z.output<typeof scenarioSchema>;
