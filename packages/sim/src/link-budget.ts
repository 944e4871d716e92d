/**
 * The link budget of one emitter at one node, every term in the open so tests and truth records
 * can check it:
 *
 *   received power [dBm] = tx power + antenna gain toward the node - path loss - shadowing
 *   received power [dBFS] = received power [dBm] + receiver gain - ADC full scale [dBm]
 *   thermal noise [dBm]   = -174 + 10 log10(sample rate) + noise figure   (over the whole band)
 *   noise at the ADC [dBFS] = thermal noise [dBm] + gain - ADC full scale [dBm]
 *                             (+) the receiver's own noise after the gain, adc_noise_dbfs_hz + 10 log10(rate)
 */
import { bearing, distance, SPEED_OF_LIGHT } from './geo.ts';
import { pathLoss, shadowing } from './propagation.ts';
import type { Scene, SceneEmitter } from './scene.ts';
import type { Antenna, NodeSpec } from './scenario.schema.ts';

export interface LinkBudget {
  readonly emitter: string;
  readonly node: string;
  readonly distanceM: number;
  /** Propagation delay, seconds. */
  readonly delayS: number;
  /** Bearing from the emitter to the node, degrees. */
  readonly bearingDeg: number;
  readonly txPowerDbm: number;
  /** Antenna gain toward the node (peak gain for rotating antennas). */
  readonly antennaGainDb: number;
  readonly pathLossDb: number;
  readonly shadowingDb: number;
  readonly rxPowerDbm: number;
}

/** Relative gain (dB, <= 0) of a beam `offDeg` away from its axis: -12 (off/bw)^2, floored. */
export function beamGainDb(offDeg: number, beamwidthDeg: number, floorDb: number): number {
  const x = offDeg / beamwidthDeg;
  return Math.max(floorDb, -12 * x * x);
}

/** Smallest angle between two bearings, degrees in [0, 180]. */
export function angleBetween(a: number, b: number): number {
  const d = Math.abs(((((a - b) % 360) + 540) % 360) - 180);
  return d;
}

function staticAntennaGain(antenna: Antenna, bearingDeg: number): number {
  const p = antenna.pattern;
  if (p.type === 'sector') {
    return (
      antenna.gain_dbi +
      beamGainDb(angleBetween(bearingDeg, p.azimuth_deg), p.beamwidth_deg, -p.front_to_back_db)
    );
  }
  return antenna.gain_dbi;
}

export function linkBudget(scene: Scene, emitter: SceneEmitter, node: NodeSpec): LinkBudget {
  const rx = { latitude: node.latitude, longitude: node.longitude, altitude: node.altitude_m };
  const d = distance(emitter.position, rx);
  const brg = bearing(emitter.position, rx);
  const pl = pathLoss(emitter.propagation, d, emitter.frequency);
  const sh = shadowing(emitter.propagation, scene.seed, emitter.name, node.name);
  const g = staticAntennaGain(emitter.antenna, brg);
  return {
    emitter: emitter.name,
    node: node.name,
    distanceM: d,
    delayS: d / SPEED_OF_LIGHT,
    bearingDeg: brg,
    txPowerDbm: emitter.txPowerDbm,
    antennaGainDb: g,
    pathLossDb: pl,
    shadowingDb: sh,
    rxPowerDbm: emitter.txPowerDbm + g - pl - sh,
  };
}

/** Thermal noise power over the whole sampled band, dBm at the antenna port. */
export function thermalNoiseDbm(sampleRate: number, noiseFigureDb: number): number {
  return -174 + 10 * Math.log10(sampleRate) + noiseFigureDb;
}

/**
 * Total noise at the ADC over the sampled band, dBFS: thermal noise through the gain, plus the
 * receiver's own noise after the gain (`adc_noise_dbfs_hz`, which does not scale with gain).
 */
export function receiverNoiseDbfs(
  node: Pick<NodeSpec, 'noise_figure_db' | 'adc_full_scale_dbm' | 'adc_noise_dbfs_hz'>,
  sampleRate: number,
  gainDb: number,
): number {
  const thermal = dbmToDbfs(
    thermalNoiseDbm(sampleRate, node.noise_figure_db),
    gainDb,
    node.adc_full_scale_dbm,
  );
  if (node.adc_noise_dbfs_hz === undefined) return thermal;
  const post = node.adc_noise_dbfs_hz + 10 * Math.log10(sampleRate);
  return 10 * Math.log10(10 ** (thermal / 10) + 10 ** (post / 10));
}

/** dBm at the antenna port to dBFS at the ADC. */
export function dbmToDbfs(dbm: number, gainDb: number, fullScaleDbm: number): number {
  return dbm + gainDb - fullScaleDbm;
}
