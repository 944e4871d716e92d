/**
 * The spectrum line above the waterfall, on a 2D canvas: current frame, peak hold, average, the
 * noise floor estimate, detections as shaded spans, a level grid and the frequency axis. Redrawn
 * once per animation frame at most (a few thousand line segments: cheap on any machine).
 */
import { NO_DATA } from './resample.ts';

export interface PlotView {
  readonly f0: number;
  readonly f1: number;
  readonly minDb: number;
  readonly maxDb: number;
}

export interface PlotData {
  readonly current: Float32Array;
  readonly peak: Float32Array | undefined;
  readonly average: Float32Array | undefined;
  readonly noiseFloorDb: number;
  readonly detections: readonly { readonly lowHz: number; readonly highHz: number; readonly label: string }[];
  readonly cursorX: number | undefined;
}

export interface PlotColors {
  readonly background: string;
  readonly grid: string;
  readonly text: string;
  readonly current: string;
  readonly peak: string;
  readonly average: string;
  readonly floor: string;
  readonly detection: string;
}

export function formatHz(hz: number, digits = 3): string {
  const a = Math.abs(hz);
  if (a >= 1e9) return `${(hz / 1e9).toFixed(digits + 1)} GHz`;
  if (a >= 1e6) return `${(hz / 1e6).toFixed(digits)} MHz`;
  if (a >= 1e3) return `${(hz / 1e3).toFixed(digits - 1)} kHz`;
  return `${hz.toFixed(0)} Hz`;
}

/** A tick step of 1, 2 or 5 times a power of ten giving about `count` ticks over `span`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/**
 * Where to draw a label of `textWidth` px meant to start `pad` px right of `x`, so that it stays
 * inside a canvas `width` px wide: the last frequency tick and a detection at the band's top edge
 * would otherwise be cut off (their label moves left of the mark instead).
 */
export function labelLeft(x: number, textWidth: number, width: number, pad = 3): number {
  if (x + pad + textWidth <= width) return Math.max(0, x + pad);
  return Math.max(0, Math.min(x - pad, width) - textWidth);
}

function line(
  ctx: CanvasRenderingContext2D,
  v: Float32Array,
  w: number,
  h: number,
  view: PlotView,
  color: string,
): void {
  const sx = w / v.length;
  const span = view.maxDb - view.minDb;
  ctx.strokeStyle = color;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < v.length; i++) {
    const d = v[i] as number;
    if (d <= NO_DATA) {
      pen = false;
      continue;
    }
    const x = (i + 0.5) * sx;
    const y = h - ((d - view.minDb) / span) * h;
    if (pen) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
}

export function drawSpectrum(
  canvas: HTMLCanvasElement,
  view: PlotView,
  data: PlotData,
  colors: PlotColors,
): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const w = canvas.width;
  const h = canvas.height;
  const axis = 18;
  const ph = h - axis;
  ctx.fillStyle = colors.background;
  ctx.fillRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  // level grid
  const dbStep = niceStep(view.maxDb - view.minDb, 5);
  ctx.fillStyle = colors.text;
  ctx.strokeStyle = colors.grid;
  for (let d = Math.ceil(view.minDb / dbStep) * dbStep; d <= view.maxDb; d += dbStep) {
    const y = ph - ((d - view.minDb) / (view.maxDb - view.minDb)) * ph;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(w, y);
    ctx.stroke();
    if (y > 12 && y < ph - 2) ctx.fillText(`${d.toFixed(0)} dB`, 4, y - 2);
  }
  // frequency axis
  const fStep = niceStep(view.f1 - view.f0, Math.max(2, Math.floor(w / 140)));
  let tickEnd = -Infinity;
  for (let f = Math.ceil(view.f0 / fStep) * fStep; f <= view.f1; f += fStep) {
    const x = ((f - view.f0) / (view.f1 - view.f0)) * w;
    ctx.strokeStyle = colors.grid;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, ph);
    ctx.stroke();
    ctx.fillStyle = colors.text;
    const label = formatHz(f, fStep < 1e4 ? 4 : 3);
    const tw = ctx.measureText(label).width;
    const lx = labelLeft(x, tw, w);
    // a last label moved left of its tick may meet the one before: then only the grid line shows
    if (lx < tickEnd) continue;
    ctx.fillText(label, lx, h - 5);
    tickEnd = lx + tw + 6;
  }
  // detections, left to right; a label that would cover the previous one is left out (the band
  // stays marked), so neighbouring signals do not print over each other
  const marks = [...data.detections].sort((a, b) => a.lowHz - b.lowHz);
  let labelEnd = -Infinity;
  for (const d of marks) {
    const x0 = ((d.lowHz - view.f0) / (view.f1 - view.f0)) * w;
    const x1 = ((d.highHz - view.f0) / (view.f1 - view.f0)) * w;
    if (x1 < 0 || x0 > w) continue;
    ctx.fillStyle = colors.detection;
    ctx.globalAlpha = 0.22;
    ctx.fillRect(x0, 0, Math.max(2, x1 - x0), ph);
    ctx.globalAlpha = 1;
    const tw = ctx.measureText(d.label).width;
    const lx = labelLeft(x0, tw, w, 2);
    if (lx < labelEnd) continue;
    ctx.fillText(d.label, lx, 12);
    labelEnd = lx + tw + 4;
  }
  if (Number.isFinite(data.noiseFloorDb)) {
    const y = ph - ((data.noiseFloorDb - view.minDb) / (view.maxDb - view.minDb)) * ph;
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = colors.floor;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(w, y);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, w, ph);
  ctx.clip();
  if (data.average !== undefined) line(ctx, data.average, w, ph, view, colors.average);
  if (data.peak !== undefined) line(ctx, data.peak, w, ph, view, colors.peak);
  ctx.lineWidth = 1.5;
  line(ctx, data.current, w, ph, view, colors.current);
  ctx.restore();
  if (data.cursorX !== undefined) {
    ctx.strokeStyle = colors.text;
    ctx.beginPath();
    ctx.moveTo(data.cursorX * w, 0);
    ctx.lineTo(data.cursorX * w, ph);
    ctx.stroke();
  }
}
