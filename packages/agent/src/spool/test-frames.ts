/**
 * Test-only frame generator for the spool and uplink tests: real spectrum frames (they encode and
 * the server stores them), each with a distinct capture time so a test can tell them apart.
 */
import type { OutgoingFrame } from '../edge.contract.ts';

/** Spectrum frame number `i` of a 1 MHz band at 100 MHz with `bins` one-byte bins. */
export function testFrame(i: number, bins = 256): OutgoingFrame {
  const codes = new Uint8Array(bins);
  for (let b = 0; b < bins; b++) codes[b] = (i * 7 + b) & 0xff;
  return {
    kind: 'spectrum',
    captureTimeNs: BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n + BigInt(i) * 100_000_000n,
    centerHz: 100e6,
    sampleRateHz: 1e6,
    fftSize: bins,
    refDb: -120,
    stepDb: 0.5,
    bins: codes,
  };
}
