/** Option parsing shared by `heimdall agent`, `heimdall demo` and `heimdall eval detect`. */
import type { Location } from '@heimdall/protocol';
import { UsageError } from '../command.ts';

/** `--spool-cap 512M`: bytes, with k/M/G (or KiB/MiB/GiB) as powers of 1024. */
export function parseSize(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?[bB])?$/.exec(raw.trim());
  if (!m) throw new UsageError(`--${flag} must be a size such as 512M or 2G (got "${raw}")`);
  const unit = (m[2] ?? '').toUpperCase();
  const bytes = Math.floor(Number(m[1]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[unit] ?? 1));
  if (bytes < 64 * 1024) throw new UsageError(`--${flag} must be at least 64K (got "${raw}")`);
  return bytes;
}

/** `--nodes a,b`: site names of the built-in demo scenario (all of `sites` when absent). */
export function parseDemoSites(raw: string | undefined, sites: readonly string[]): string[] {
  if (raw === undefined) return [...sites];
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names)
    if (!sites.includes(n))
      throw new UsageError(`--nodes: no site "${n}" in the demo scenario (sites: ${sites.join(', ')})`);
  return names;
}

/** `--location 52.24,6.85[,alt]`: WGS 84 degrees (and metres). */
export function parseLocation(raw: string): Location {
  const parts = raw.split(',').map((p) => Number(p.trim()));
  const [lat, lon, alt] = parts;
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    lat === undefined ||
    lon === undefined ||
    !(Math.abs(lat) <= 90) ||
    !(Math.abs(lon) <= 180) ||
    (alt !== undefined && !Number.isFinite(alt))
  )
    throw new UsageError(`--location must be LAT,LON in degrees, e.g. 52.24,6.85 (got "${raw}")`);
  return { lat, lon, alt_m: alt ?? null };
}
