/**
 * Model files: JSON with the histograms as base64 little-endian float32, a format name and
 * version. The level histogram (per channel, hour of the week and level bin) is mostly zeros (a
 * channel's level in one hour spans a few bins of the axis), so it is stored sparse: the indices
 * of its non-zero counts (uint32) and those counts, which keeps files several times smaller. Reading checks both and every field it needs, so a file from another version or
 * another program is refused with a clear error instead of giving strange scores.
 */
import { UserError } from '@heimdall/errors';
import { CENTROID_BINS, HOURS_OF_WEEK } from './baseline.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type AnomalyModel } from './model.ts';

function toBase64(a: Float32Array | Uint32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(s);
}

function bytesOf(s: string): ArrayBuffer {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length - (bin.length % 4));
  for (let i = 0; i < bytes.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

function fromBase64(s: string): Float32Array {
  return new Float32Array(bytesOf(s));
}

/** A mostly-zero histogram as its non-zero entries. */
interface SparseHistogram {
  readonly length: number;
  readonly index: string;
  readonly values: string;
}

function toSparse(a: Float32Array): SparseHistogram {
  let nonZero = 0;
  for (const v of a) if (v !== 0) nonZero++;
  const index = new Uint32Array(nonZero);
  const values = new Float32Array(nonZero);
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    if (v === 0) continue;
    index[k] = i;
    values[k++] = v;
  }
  return { length: a.length, index: toBase64(index), values: toBase64(values) };
}

/** The dense histogram, or undefined when the entries do not fit (a damaged file). */
function fromSparse(raw: unknown): Float32Array | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { length, index, values } = raw as Record<string, unknown>;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) return undefined;
  if (typeof index !== 'string' || typeof values !== 'string') return undefined;
  const idx = new Uint32Array(bytesOf(index));
  const val = fromBase64(values);
  if (idx.length !== val.length) return undefined;
  const out = new Float32Array(length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    if (i >= length) return undefined;
    out[i] = val[k] as number;
  }
  return out;
}

/** The model as JSON text. */
export function serializeModel(model: AnomalyModel): string {
  const { hist, counts, centroidHist, weekHours, autoencoder, ...rest } = model;
  return `${JSON.stringify({
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    ...rest,
    hist: toSparse(hist),
    counts: toBase64(counts),
    centroidHist: toBase64(centroidHist),
    weekHours: toBase64(weekHours),
    autoencoder: { ...autoencoder, weights: toBase64(autoencoder.weights) },
  })}\n`;
}

function fail(source: string, field: string, problem: string, fix: string): UserError {
  return new UserError(problem, { source, field, fix });
}

/** Parses a model file's text; `source` (the path) names it in errors. */
export function parseModel(text: string, source: string): AnomalyModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw fail(
      source,
      'format',
      'is not a Heimdall anomaly model (not JSON)',
      'give a file written by heimdall anomalies train',
    );
  }
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== MODEL_FORMAT) {
    throw fail(
      source,
      'format',
      'is not a Heimdall anomaly model',
      'give a file written by heimdall anomalies train',
    );
  }
  const m = raw as Record<string, unknown>;
  if (m['version'] !== MODEL_FORMAT_VERSION) {
    throw fail(
      source,
      'version',
      `is an anomaly model of format version ${String(m['version'])}; this heimdall reads version ${MODEL_FORMAT_VERSION}`,
      'retrain it with this version: heimdall anomalies train INPUT... --out MODEL',
    );
  }
  for (const key of [
    'node',
    'plan',
    'params',
    'baselineParams',
    'calibration',
    'occupancyCalibration',
    'driftCalibration',
    'training',
    'metrics',
    'autoencoder',
  ]) {
    if (m[key] === undefined || m[key] === null) {
      throw fail(source, key, `lacks "${key}"`, 'retrain it: heimdall anomalies train INPUT... --out MODEL');
    }
  }
  const hist = fromSparse(m['hist']);
  if (
    hist === undefined ||
    typeof m['counts'] !== 'string' ||
    typeof m['centroidHist'] !== 'string' ||
    typeof m['weekHours'] !== 'string'
  ) {
    throw fail(
      source,
      'hist',
      'lacks its histograms',
      'retrain it: heimdall anomalies train INPUT... --out MODEL',
    );
  }
  const ae = m['autoencoder'] as Record<string, unknown>;
  const sizes = ae['sizes'];
  if (
    typeof ae['weights'] !== 'string' ||
    !Array.isArray(sizes) ||
    !sizes.every((x) => Number.isInteger(x) && (x as number) > 0) ||
    typeof ae['calibration'] !== 'object' ||
    ae['calibration'] === null
  ) {
    throw fail(
      source,
      'autoencoder',
      'lacks its autoencoder weights or their calibration',
      'retrain it: heimdall anomalies train INPUT... --out MODEL',
    );
  }
  const weights = fromBase64(ae['weights']);
  let params = 0;
  for (let l = 0; l + 1 < sizes.length; l++) params += ((sizes[l] as number) + 1) * (sizes[l + 1] as number);
  const model = {
    ...m,
    autoencoder: { ...ae, weights },
    hist,
    counts: fromBase64(m['counts']),
    centroidHist: fromBase64(m['centroidHist']),
    weekHours: fromBase64(m['weekHours']),
  } as unknown as AnomalyModel;
  const cells = model.plan.channels * HOURS_OF_WEEK;
  if (
    model.counts.length !== cells ||
    model.hist.length !== cells * model.baselineParams.axis.bins ||
    model.centroidHist.length !== model.plan.channels * CENTROID_BINS ||
    model.weekHours.length !== HOURS_OF_WEEK ||
    weights.length !== params ||
    sizes[0] !== model.plan.channels ||
    sizes[sizes.length - 1] !== model.plan.channels
  ) {
    throw fail(
      source,
      'hist',
      `has histograms or autoencoder weights of the wrong size for ${model.plan.channels} channels (the file is damaged)`,
      'retrain it: heimdall anomalies train INPUT... --out MODEL',
    );
  }
  return model;
}
