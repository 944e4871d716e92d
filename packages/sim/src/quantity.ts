/**
 * Quantities written in scenario files: plain numbers in SI units, or strings with a unit or an
 * SI prefix for frequencies ("145.5 MHz", "2.4M", "12.5k") and durations ("90s", "15 min", "2h").
 */

const FREQ = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kKMG]?)(?:hz|Hz|HZ)?\s*$/;
const PREFIX: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

/** "145.5 MHz" -> 145.5e6; numbers pass through; anything else is returned unchanged. */
export function parseFrequencyLike(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = FREQ.exec(v);
  if (!m) return v;
  return Number(m[1]) * (PREFIX[m[2] ?? ''] ?? 1);
}

const DUR = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(ms|s|sec|min|m|h|d)?\s*$/;
const DUR_SCALE: Record<string, number> = { ms: 1e-3, s: 1, sec: 1, min: 60, m: 60, h: 3600, d: 86400 };

/** "15 min" -> 900; numbers pass through; anything else is returned unchanged. */
export function parseDurationLike(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = DUR.exec(v);
  if (!m) return v;
  return Number(m[1]) * (DUR_SCALE[m[2] ?? 's'] ?? 1);
}

/** 145500000 -> "145.5 MHz" for messages. */
export function formatHz(hz: number): string {
  const a = Math.abs(hz);
  if (a >= 1e9) return `${trim(hz / 1e9)} GHz`;
  if (a >= 1e6) return `${trim(hz / 1e6)} MHz`;
  if (a >= 1e3) return `${trim(hz / 1e3)} kHz`;
  return `${trim(hz)} Hz`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(6)));
}
