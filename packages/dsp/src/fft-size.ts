/** FFT sizes Heimdall accepts: powers of two from {@link MIN_FFT_SIZE} to {@link MAX_FFT_SIZE}. */
import { UserError } from '@heimdall/errors';

export const MIN_FFT_SIZE = 2;
export const MAX_FFT_SIZE = 1 << 20;

/** Throws a {@link UserError} naming `--fft` unless `n` is a power of two in 2..2^20. */
export function checkFftSize(n: number, field = '--fft'): void {
  const ok = Number.isInteger(n) && n >= MIN_FFT_SIZE && n <= MAX_FFT_SIZE && (n & (n - 1)) === 0;
  if (!ok) {
    throw new UserError(
      `FFT size must be a power of two from ${MIN_FFT_SIZE} to ${MAX_FFT_SIZE} (got ${n})`,
      {
        field,
        fix: 'use a power of two such as 1024 or 4096',
      },
    );
  }
}

/** log2 of a power of two. */
export function log2Int(n: number): number {
  return 31 - Math.clz32(n);
}
