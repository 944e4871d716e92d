/** Tunables of the anomaly engine, stored in each model so detection runs as training did. */
export interface EngineParams {
  /** Target channel width, Hz (bins are summed into channels of about this width). */
  readonly channelHz: number;
  /** A channel must stay beyond its normal envelope for this many consecutive frames. */
  readonly persistFrames: number;
  /** Frames over which occupancy is counted (out-of-schedule and occupancy changes). */
  readonly occupancyFrames: number;
  /** Calibrated score at which a channel counts as anomalous. */
  readonly openScore: number;
  /** ...and it must be at least this far beyond the envelope, dB. */
  readonly minExcessDb: number;
  /** An event ends after this many frames without anomalous channels. */
  readonly gapFrames: number;
  /** A raised cluster at least this wide (channels and Hz) is wideband noise (a jammer). */
  readonly wideChannels: number;
  readonly wideHz: number;
  /** Severity: high needs this score, this excess and 2 x persistFrames frames; medium the next two. */
  readonly highScore: number;
  readonly highExcessDb: number;
  readonly mediumScore: number;
  readonly mediumExcessDb: number;
  /** Baseline half-life, days. */
  readonly halfLifeDays: number;
  /** Hours with fewer frames than this use a coarser baseline (hour of day, then all hours). */
  readonly minHourFrames: number;
  /** An hour of the week seen in fewer different weeks than this uses the hour of day. */
  readonly minHourWeeks: number;
}

export const DEFAULT_ENGINE_PARAMS: EngineParams = {
  channelHz: 12_500,
  persistFrames: 3,
  occupancyFrames: 12,
  openScore: 0.999,
  minExcessDb: 3,
  gapFrames: 1,
  wideChannels: 8,
  wideHz: 150_000,
  highScore: 0.9999,
  highExcessDb: 10,
  mediumScore: 0.999,
  mediumExcessDb: 6,
  halfLifeDays: 30,
  minHourFrames: 30,
  minHourWeeks: 2,
};
