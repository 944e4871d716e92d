/**
 * Progress for long work: a bar with rate and ETA on a terminal, plain lines (at most one every
 * few seconds) when stderr is not a terminal, nothing when quiet. Output goes to stderr so stdout
 * stays clean for data (CSV, JSON).
 */
import type { Writable } from 'node:stream';

export interface Progress {
  /** Advance to `done` units of `total` (bytes, samples, frames...). */
  update(done: number): void;
  /** Finish: clears the bar (terminal) or prints a final line (plain). */
  done(): void;
}

export type ProgressFactory = (label: string, total: number, unit: string) => Progress;

export type ProgressMode = 'bar' | 'plain' | 'off';

function fmtRate(perSec: number, unit: string): string {
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(1)} G${unit}/s`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)} M${unit}/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k${unit}/s`;
  return `${perSec.toFixed(0)} ${unit}/s`;
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function createProgressFactory(
  mode: ProgressMode,
  out: Writable & { columns?: number },
  now: () => number = () => performance.now(),
): ProgressFactory {
  return (label, total, unit) => {
    if (mode === 'off' || total <= 0) return { update() {}, done() {} };
    const start = now();
    let last = mode === 'plain' ? start : -Infinity;
    let current = 0;
    const render = (final: boolean) => {
      const t = now();
      const interval = mode === 'bar' ? 100 : 5000;
      if (!final && t - last < interval) return;
      last = t;
      const elapsed = (t - start) / 1000;
      const rate = elapsed > 0 ? current / elapsed : 0;
      const frac = Math.min(1, current / total);
      const eta = rate > 0 ? (total - current) / rate : Infinity;
      const stats = `${(frac * 100).toFixed(0).padStart(3)}% ${fmtRate(rate, unit)} ETA ${fmtDuration(eta)}`;
      if (mode === 'bar') {
        const width = Math.max(10, Math.min(40, (out.columns ?? 80) - label.length - stats.length - 6));
        const filled = Math.round(frac * width);
        out.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats}`);
      } else {
        out.write(`${label}: ${stats}\n`);
      }
    };
    return {
      update(done) {
        current = done;
        render(false);
      },
      done() {
        if (mode === 'bar') out.write('\r\x1b[2K');
        else if (now() - start > 2000) {
          current = total;
          render(true);
        }
      },
    };
  };
}
