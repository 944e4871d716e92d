/**
 * Exact times across the database port. JavaScript `Date`s hold milliseconds and PostgreSQL holds
 * microseconds; frames carry nanoseconds. These helpers move microseconds as `int8` so nothing is
 * rounded on the way in or out.
 */

/** SQL for parameter `$n` holding microseconds since the Unix epoch, as a `timestamptz`. */
export function usParam(n: number): string {
  return `(timestamptz 'epoch' + $${n}::int8 * interval '1 microsecond')`;
}

/** SQL reading a `timestamptz` column as `int8` microseconds since the Unix epoch. */
export function usColumn(column: string): string {
  return `(extract(epoch from ${column}) * 1000000)::int8`;
}

/** SQL reading a `timestamptz` as ISO 8601 UTC text with microseconds (`2026-01-02T03:04:05.123456Z`). */
export function isoColumn(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export const nsToUsFloor = (ns: bigint): bigint => (ns >= 0n ? ns / 1000n : -((-ns + 999n) / 1000n));
export const nsToUsCeil = (ns: bigint): bigint => -nsToUsFloor(-ns);

/** An `int8` column value (number or bigint) as a bigint. */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new TypeError(`not an integer: ${String(v)}`);
}

/** Milliseconds of a `Date` as bigint microseconds. */
export const dateToUs = (d: Date): bigint => BigInt(d.getTime()) * 1000n;
