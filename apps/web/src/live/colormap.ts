/**
 * The waterfall colour scale: Google's Turbo (a perceptually smooth rainbow that reads well on dark
 * and light pages), from its published polynomial approximation. 256 RGBA entries.
 */
export function turboLut(): Uint8Array {
  const out = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    const r = 0.1357 + x * (4.5974 - x * (42.3277 - x * (130.5887 - x * (150.5666 - x * 58.1375))));
    const g = 0.0914 + x * (2.1856 + x * (4.8052 - x * (14.0195 - x * (4.2109 + x * 2.7747))));
    const b = 0.1067 + x * (12.5925 - x * (60.1097 - x * (109.0745 - x * (88.5066 - x * 26.8183))));
    out[i * 4] = Math.round(255 * Math.min(1, Math.max(0, r)));
    out[i * 4 + 1] = Math.round(255 * Math.min(1, Math.max(0, g)));
    out[i * 4 + 2] = Math.round(255 * Math.min(1, Math.max(0, b)));
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** CSS colour of a level on the scale (legends, history canvas). */
export function levelColor(lut: Uint8Array, t: number): [number, number, number] {
  const i = Math.max(0, Math.min(255, Math.round(t * 255))) * 4;
  return [lut[i] ?? 0, lut[i + 1] ?? 0, lut[i + 2] ?? 0];
}
