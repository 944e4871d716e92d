/**
 * Quantization of PSD values in dB to small integers: `db = refDb + q * stepDb`, with `q` a u8
 * (0..255) or a u16 (0..65535). At 0.5 dB steps a u8 spans 127.5 dB, more than the dynamic range of
 * an 8-bit receiver, so a 4096-bin frame is 4 KiB on the wire instead of 16 KiB of float32.
 *
 * Error bound: for a value inside the representable range `[refDb, refDb + max * stepDb]`,
 * `|dequantize(quantize(x)) - x| <= stepDb / 2`. Values below are stored as 0, above as `max`,
 * NaN as 0 (treated as "no power"). These functions allocate nothing when given `out`.
 */

/** Largest code of each bin width. */
export const QUANT_MAX_U8 = 255;
export const QUANT_MAX_U16 = 65535;

/** Default step: 0.5 dB, below the frame-to-frame noise of a Welch estimate. */
export const DEFAULT_STEP_DB = 0.5;

function quantizeInto(
  psdDb: Float32Array,
  stepDb: number,
  refDb: number,
  out: Uint8Array | Uint16Array,
  max: number,
): void {
  const inv = 1 / stepDb;
  for (let i = 0; i < psdDb.length; i++) {
    const q = Math.round(((psdDb[i] as number) - refDb) * inv);
    // NaN fails both comparisons and lands on 0.
    out[i] = q > 0 ? (q < max ? q : max) : 0;
  }
}

function checkQuant(stepDb: number, refDb: number): void {
  if (!(stepDb > 0) || !Number.isFinite(stepDb))
    throw new RangeError(`stepDb must be a positive finite number (got ${stepDb})`);
  if (!Number.isFinite(refDb)) throw new RangeError(`refDb must be finite (got ${refDb})`);
}

/** Quantizes to one byte per bin. `out` (same length) is reused when given. */
export function quantizeDb(
  psdDb: Float32Array,
  stepDb: number,
  refDb: number,
  out: Uint8Array = new Uint8Array(psdDb.length),
): Uint8Array {
  checkQuant(stepDb, refDb);
  if (out.length < psdDb.length) throw new RangeError(`out holds ${out.length} bins, need ${psdDb.length}`);
  quantizeInto(psdDb, stepDb, refDb, out, QUANT_MAX_U8);
  return out;
}

/** Quantizes to two bytes per bin, for fine steps or a dynamic range above 127 dB. */
export function quantizeDb16(
  psdDb: Float32Array,
  stepDb: number,
  refDb: number,
  out: Uint16Array = new Uint16Array(psdDb.length),
): Uint16Array {
  checkQuant(stepDb, refDb);
  if (out.length < psdDb.length) throw new RangeError(`out holds ${out.length} bins, need ${psdDb.length}`);
  quantizeInto(psdDb, stepDb, refDb, out, QUANT_MAX_U16);
  return out;
}

/** Back to dB: `refDb + q * stepDb` for each code. `out` (same length) is reused when given. */
export function dequantizeDb(
  codes: Uint8Array | Uint16Array,
  stepDb: number,
  refDb: number,
  out: Float32Array = new Float32Array(codes.length),
): Float32Array {
  if (out.length < codes.length) throw new RangeError(`out holds ${out.length} bins, need ${codes.length}`);
  for (let i = 0; i < codes.length; i++) out[i] = refDb + (codes[i] as number) * stepDb;
  return out;
}

/**
 * A reference level for a frame: its lowest finite value rounded down to a whole step, so no bin of
 * this frame is clamped at the bottom (bins more than `max * stepDb` above it clamp at the top).
 * Returns `fallbackDb` when the frame holds no finite value.
 */
export function referenceDbFor(psdDb: Float32Array, stepDb: number, fallbackDb = -200): number {
  let min = Infinity;
  for (let i = 0; i < psdDb.length; i++) {
    const v = psdDb[i] as number;
    if (v < min) min = v;
  }
  return Number.isFinite(min) ? Math.floor(min / stepDb) * stepDb : fallbackDb;
}
