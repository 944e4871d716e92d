/** `int8` text to a `number` when it is a safe integer, else a `bigint`: the same on both engines. */
export function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}
