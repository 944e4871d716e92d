/** Nanosecond timestamps (frames) to and from the API's ISO 8601 text (microsecond precision). */

/** `2026-06-01T12:00:00.123456Z` from ns since the Unix epoch (truncated to the microsecond). */
export function nsToIso(ns: bigint): string {
  const ms = ns >= 0n ? ns / 1_000_000n : -((-ns + 999_999n) / 1_000_000n);
  const us = (((ns / 1000n) % 1000n) + 1000n) % 1000n;
  return `${new Date(Number(ms)).toISOString().slice(0, -1)}${us.toString().padStart(3, '0')}Z`;
}

/** ns since the Unix epoch of an ISO 8601 time with an offset (fraction kept to the microsecond). */
export function isoToNs(iso: string): bigint {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${iso}`);
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const subMsUs = frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0;
  return BigInt(ms) * 1_000_000n + BigInt(subMsUs) * 1000n;
}
