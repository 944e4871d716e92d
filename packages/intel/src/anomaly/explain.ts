/** One-sentence explanations of anomalies, for people. */
import type { AnomalyKind, BaselineBucket } from './types.ts';

const PHRASE: Record<AnomalyKind, string> = {
  new_emitter: 'new emitter',
  missing_emitter: 'missing emitter',
  power_jump: 'power change',
  frequency_drift: 'frequency drift',
  wideband_noise: 'wideband noise or jammer',
  occupancy_change: 'unusual activity',
  out_of_schedule: 'transmission out of its usual schedule',
};

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function formatMhz(hz: number): string {
  return `${(hz / 1e6).toFixed(hz >= 1e9 ? 4 : 3)} MHz`;
}

export interface ExplainInput {
  readonly kind: AnomalyKind;
  readonly nodes: readonly string[];
  readonly startMs: number;
  readonly freqLowHz: number;
  readonly freqHighHz: number;
  readonly deltaDb: number;
  /** The bucket the usual level came from: names the weekday only when the weekly bucket was used. */
  readonly baseline: BaselineBucket;
  /** Narrow events are named by their centre, wide ones by their range. */
  readonly wide: boolean;
  /** For a carrier that moved inside its channel: how far, Hz. */
  readonly driftHz?: number;
}

/**
 * "new emitter at 433.920 MHz, 18 dB above the usual level for Tuesday 03:00 UTC at hack-green".
 */
export function explain(e: ExplainInput): string {
  const d = new Date(e.startMs);
  const hh = `${String(d.getUTCHours()).padStart(2, '0')}:00 UTC`;
  const when =
    e.baseline === 'week'
      ? `for ${DAYS[d.getUTCDay()] ?? ''} ${hh}`
      : e.baseline === 'hour'
        ? `for ${hh}`
        : 'at any hour';
  const where = e.wide
    ? `over ${formatMhz(e.freqLowHz)} to ${formatMhz(e.freqHighHz)}`
    : `at ${formatMhz((e.freqLowHz + e.freqHighHz) / 2)}`;
  const level =
    e.driftHz === undefined
      ? `${Math.round(Math.abs(e.deltaDb))} dB ${e.deltaDb >= 0 ? 'above' : 'below'} the usual level ${when}`
      : `the carrier ${(Math.abs(e.driftHz) / 1000).toFixed(1)} kHz ${e.driftHz > 0 ? 'above' : 'below'} where it usually sits`;
  const nodes =
    e.nodes.length === 1 ? `at ${e.nodes[0] ?? ''}` : `at ${e.nodes.length} nodes (${e.nodes.join(', ')})`;
  return `${PHRASE[e.kind]} ${where}, ${level} ${nodes}`;
}
