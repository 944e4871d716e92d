/** Builds the waveform for a scenario modulation (one instance per link: instances cache state). */
import type { Modulation } from '../scenario.schema.ts';
import { AmWaveform } from './am.ts';
import { CwWaveform } from './cw.ts';
import { NbfmWaveform, WbfmWaveform } from './fm.ts';
import { fskOccupied, FskWaveform } from './fsk.ts';
import { NoiseWaveform, SweepWaveform } from './jammer.ts';
import { LoraWaveform } from './lora.ts';
import { OfdmWaveform } from './ofdm.ts';
import { pskOccupied, PskWaveform } from './psk.ts';
import { RadarWaveform } from './radar.ts';
import { SsbWaveform } from './ssb.ts';
import type { Waveform, WaveformContext } from './waveform.ts';

export type { Waveform } from './waveform.ts';

export function createWaveform(m: Modulation, ctx: WaveformContext): Waveform {
  switch (m.type) {
    case 'cw':
      return new CwWaveform(m.keying, m.message, m.wpm);
    case 'am':
      return new AmWaveform(ctx.key, m.audio, m.depth, m.audio_bandwidth);
    case 'wbfm':
      return new WbfmWaveform(ctx.key, m.audio, m.deviation, m.stereo);
    case 'nbfm':
      return new NbfmWaveform(ctx.key, m.audio, m.deviation, m.ctcss);
    case 'ssb':
      return new SsbWaveform(ctx.key, m.audio, m.sideband);
    case 'fsk':
      return new FskWaveform(ctx.key, m.symbol_rate, m.deviation, m.levels, m.bt, ctx.sampleRate, ctx.kernel);
    case 'psk':
      return new PskWaveform(ctx.key, m.symbol_rate, m.order, m.rolloff, ctx.sampleRate, ctx.kernel);
    case 'ofdm':
      return new OfdmWaveform(
        ctx.key,
        m.bandwidth,
        m.subcarriers,
        m.guard_fraction,
        ctx.sampleRate,
        ctx.kernel,
      );
    case 'lora':
      return new LoraWaveform(ctx.key, m.spreading_factor, m.bandwidth);
    case 'radar':
      return new RadarWaveform(m.pulse_width_s, m.pri_s, m.chirp_bandwidth);
    case 'noise':
      return new NoiseWaveform(ctx.key, m.bandwidth);
    case 'sweep':
      return new SweepWaveform(m.span, m.period_s);
  }
}

/** Occupied band of a modulation relative to its carrier, without building a full instance. */
export function occupiedBand(m: Modulation): readonly [number, number] {
  if (m.type === 'ofdm') return [-m.bandwidth / 2, m.bandwidth / 2];
  // data modulations: without building their pulse tables
  if (m.type === 'psk') return pskOccupied(m.symbol_rate, m.rolloff);
  if (m.type === 'fsk') return fskOccupied(m.symbol_rate, m.deviation);
  return createWaveform(m, { key: 0, sampleRate: 1 }).occupied;
}
