/**
 * A small dense autoencoder over one node's channel-power frames (channels -> 32 -> 8 -> 32 ->
 * channels, tanh hidden layers, linear output), trained in TypeScript with Adam on mini-batches.
 * Its input is a frame's levels minus the baseline's median for that channel and hour, in units of
 * 10 dB and clipped, so it learns which channels move together (a station's sidebands, a band
 * that is busy as a whole) rather than absolute levels. A frame it cannot reconstruct (a wideband
 * block, a pattern of channels never seen together) has a large reconstruction error: that error
 * is a score, calibrated like the others on held-out normal frames.
 *
 * Deterministic: the seed fixes the initial weights, the sample order and the early-stop split.
 */
import { prng } from '../prng.ts';

/** Layer widths between the input and output (the input/output width is the channel count). */
export const AUTOENCODER_HIDDEN: readonly number[] = [32, 8, 32];

/** Input scaling: dB per unit, and the clip range in units (-20 dB .. +30 dB). */
const DB_PER_UNIT = 10;
const CLIP_LOW = -2;
const CLIP_HIGH = 3;

export interface AutoencoderMetrics {
  /** Mean squared reconstruction error per channel (units of 10 dB, squared) on the training split, last epoch kept. */
  readonly trainLoss: number;
  /** The same on the held-out split (used to stop early). */
  readonly heldOutLoss: number;
  /** Held-out loss of predicting every frame as the training mean: the bar the network must beat. */
  readonly meanPredictorLoss: number;
  /** Epochs run (the weights are those of the best held-out epoch). */
  readonly epochs: number;
  /** Frames trained on and held out. */
  readonly trainFrames: number;
  readonly heldOutFrames: number;
}

/** Trained weights: for each layer, weights (out x in, row-major) then biases, all layers in order. */
export interface AutoencoderWeights {
  /** Widths from input to output, e.g. [192, 32, 8, 32, 192]. */
  readonly sizes: readonly number[];
  readonly weights: Float32Array;
  readonly metrics: AutoencoderMetrics;
}

export interface AutoencoderTrainOptions {
  readonly seed?: number;
  /** Most frames used (spread evenly over the input); more only costs time. Default 2500. */
  readonly maxFrames?: number;
  readonly maxEpochs?: number;
  /** Stop after this many epochs without a better held-out loss. */
  readonly patience?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Fraction of the frames held out for early stopping. */
  readonly heldOutFraction?: number;
}

/** mulberry32, seeded: deterministic weights, splits and shuffles. */
function rng(seed: number): () => number {
  return prng(seed).uniform;
}

/**
 * The autoencoder's input for one frame: levels minus the hour's median, per channel, in units of
 * 10 dB, clipped to [-2, 3]; channels not measured (NaN) are 0 (as usual).
 */
export function autoencoderInput(
  levels: Float32Array,
  median: Float32Array,
  hour: number,
  hours: number,
  out: Float64Array,
): Float64Array {
  for (let c = 0; c < levels.length; c++) {
    const v = ((levels[c] as number) - (median[c * hours + hour] as number)) / DB_PER_UNIT;
    out[c] = v === v ? Math.min(CLIP_HIGH, Math.max(CLIP_LOW, v)) : 0;
  }
  return out;
}

interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  /** Offsets of the weights and biases in the flat parameter array. */
  readonly w: number;
  readonly b: number;
}

function layout(sizes: readonly number[]): { layers: Layer[]; total: number } {
  const layers: Layer[] = [];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l] as number;
    const nOut = sizes[l + 1] as number;
    layers.push({ nIn, nOut, w: off, b: off + nIn * nOut });
    off += nIn * nOut + nOut;
  }
  return { layers, total: off };
}

/** Forward pass; fills `acts[l + 1]` from `acts[l]`. Hidden layers tanh, the output linear. */
function forward(params: ArrayLike<number>, layers: readonly Layer[], acts: Float64Array[]): void {
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l] as Layer;
    const x = acts[l] as Float64Array;
    const y = acts[l + 1] as Float64Array;
    const last = l === layers.length - 1;
    for (let o = 0; o < L.nOut; o++) {
      let s = params[L.b + o] as number;
      const row = L.w + o * L.nIn;
      for (let i = 0; i < L.nIn; i++) s += (params[row + i] as number) * (x[i] as number);
      y[o] = last ? s : Math.tanh(s);
    }
  }
}

function activations(sizes: readonly number[]): Float64Array[] {
  return sizes.map((n) => new Float64Array(n));
}

/** Mean squared error per channel of one reconstruction. */
function mse(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = (y[i] as number) - (x[i] as number);
    s += d * d;
  }
  return s / x.length;
}

/** Trains on autoencoder inputs (see {@link autoencoderInput}); frames in any order. */
export function trainAutoencoder(
  inputs: readonly Float64Array[],
  opts: AutoencoderTrainOptions = {},
): AutoencoderWeights {
  const channels = inputs[0]?.length ?? 0;
  const sizes = [channels, ...AUTOENCODER_HIDDEN, channels];
  const { layers, total } = layout(sizes);
  const rand = rng(opts.seed ?? 1);
  // evenly spread subsample, then a seeded shuffle and split
  const maxFrames = Math.max(2, opts.maxFrames ?? 2500);
  const step = Math.max(1, inputs.length / maxFrames);
  const picked: Float64Array[] = [];
  for (let k = 0; k < inputs.length && picked.length < maxFrames; k += step) {
    picked.push(inputs[Math.floor(k)] as Float64Array);
  }
  for (let i = picked.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = picked[i] as Float64Array;
    picked[i] = picked[j] as Float64Array;
    picked[j] = t;
  }
  const nHeld = Math.max(1, Math.round(picked.length * (opts.heldOutFraction ?? 0.2)));
  const held = picked.slice(0, nHeld);
  const train = picked.slice(nHeld);
  if (train.length === 0) train.push(...held);

  // Glorot-uniform initial weights, zero biases
  const params = new Float64Array(total);
  for (const L of layers) {
    const a = Math.sqrt(6 / (L.nIn + L.nOut));
    for (let i = 0; i < L.nIn * L.nOut; i++) params[L.w + i] = (2 * rand() - 1) * a;
  }
  const grad = new Float64Array(total);
  const m1 = new Float64Array(total);
  const m2 = new Float64Array(total);
  const lr = opts.learningRate ?? 3e-3;
  const beta1 = 0.9;
  const beta2 = 0.999;
  let t = 0;
  const batch = opts.batchSize ?? 32;
  const acts = activations(sizes);
  const deltas = activations(sizes);

  const loss = (set: readonly Float64Array[], p: ArrayLike<number>): number => {
    let s = 0;
    for (const x of set) {
      (acts[0] as Float64Array).set(x);
      forward(p, layers, acts);
      s += mse(x, acts[acts.length - 1] as Float64Array);
    }
    return s / Math.max(1, set.length);
  };
  const mean = new Float64Array(channels);
  for (const x of train) for (let c = 0; c < channels; c++) mean[c] = (mean[c] as number) + (x[c] as number);
  for (let c = 0; c < channels; c++) mean[c] = (mean[c] as number) / train.length;
  let meanLoss = 0;
  for (const x of held) meanLoss += mse(x, mean);
  meanLoss /= held.length;

  let best = Infinity;
  let bestParams = Float64Array.from(params);
  let bestTrain = Infinity;
  let sinceBest = 0;
  let epochs = 0;
  const order = Array.from(train.keys());
  const maxEpochs = opts.maxEpochs ?? 40;
  const patience = opts.patience ?? 3;
  for (let epoch = 0; epoch < maxEpochs; epoch++) {
    epochs++;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const tmp = order[i] as number;
      order[i] = order[j] as number;
      order[j] = tmp;
    }
    let trainSum = 0;
    for (let start = 0; start < order.length; start += batch) {
      const end = Math.min(order.length, start + batch);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const x = train[order[k] as number] as Float64Array;
        (acts[0] as Float64Array).set(x);
        forward(params, layers, acts);
        const out = acts[acts.length - 1] as Float64Array;
        const dOut = deltas[deltas.length - 1] as Float64Array;
        trainSum += mse(x, out);
        for (let c = 0; c < channels; c++) dOut[c] = (2 * ((out[c] as number) - (x[c] as number))) / channels;
        for (let l = layers.length - 1; l >= 0; l--) {
          const L = layers[l] as Layer;
          const xin = acts[l] as Float64Array;
          const dy = deltas[l + 1] as Float64Array;
          const dx = deltas[l] as Float64Array;
          dx.fill(0);
          for (let o = 0; o < L.nOut; o++) {
            const g = dy[o] as number;
            if (g === 0) continue;
            grad[L.b + o] = (grad[L.b + o] as number) + g;
            const row = L.w + o * L.nIn;
            for (let i = 0; i < L.nIn; i++)
              grad[row + i] = (grad[row + i] as number) + g * (xin[i] as number);
            // the input layer needs no delta of its own
            if (l > 0)
              for (let i = 0; i < L.nIn; i++) dx[i] = (dx[i] as number) + g * (params[row + i] as number);
          }
          // through the tanh of the layer below (the input layer has none)
          if (l > 0)
            for (let i = 0; i < L.nIn; i++) dx[i] = (dx[i] as number) * (1 - (xin[i] as number) ** 2);
        }
      }
      // Adam on the batch-mean gradient
      t++;
      const n = end - start;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let i = 0; i < total; i++) {
        const g = (grad[i] as number) / n;
        const a = beta1 * (m1[i] as number) + (1 - beta1) * g;
        const b = beta2 * (m2[i] as number) + (1 - beta2) * g * g;
        m1[i] = a;
        m2[i] = b;
        params[i] = (params[i] as number) - (lr * (a / c1)) / (Math.sqrt(b / c2) + 1e-8);
      }
    }
    const heldLoss = loss(held, params);
    if (heldLoss < best * (1 - 1e-3)) {
      best = heldLoss;
      bestParams = Float64Array.from(params);
      bestTrain = trainSum / order.length;
      sinceBest = 0;
    } else if (++sinceBest >= patience) break;
  }
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  return {
    sizes,
    weights: Float32Array.from(bestParams),
    metrics: {
      trainLoss: round(bestTrain),
      heldOutLoss: round(best),
      meanPredictorLoss: round(meanLoss),
      epochs,
      trainFrames: train.length,
      heldOutFrames: held.length,
    },
  };
}

/** Reconstructs frames with trained weights: per-channel squared errors and their mean. */
export class AutoencoderScorer {
  private readonly weights: Float32Array;
  private readonly layers: Layer[];
  private readonly acts: Float64Array[];
  /** Squared reconstruction error per channel of the last frame scored. */
  readonly channelError: Float64Array;

  constructor(ae: AutoencoderWeights) {
    this.weights = ae.weights;
    this.layers = layout(ae.sizes).layers;
    this.acts = activations(ae.sizes);
    this.channelError = new Float64Array(ae.sizes[0] ?? 0);
  }

  /** Mean squared reconstruction error per channel of one input (see {@link autoencoderInput}). */
  error(input: Float64Array): number {
    (this.acts[0] as Float64Array).set(input);
    forward(this.weights, this.layers, this.acts);
    const out = this.acts[this.acts.length - 1] as Float64Array;
    let s = 0;
    for (let c = 0; c < input.length; c++) {
      const d = (out[c] as number) - (input[c] as number);
      this.channelError[c] = d * d;
      s += d * d;
    }
    return s / Math.max(1, input.length);
  }
}

/**
 * Calibration of the reconstruction error on held-out normal frames: the error's distribution
 * (quantiles by rank for the body, the largest values exactly for the tail), so a frame's score is
 * 1 - the fraction of normal frames with at least its error. Frames, not episodes: the error is
 * never zero, so there are no runs to count.
 */
export interface ErrorCalibration {
  readonly frames: number;
  /** Errors at evenly spaced ranks, ascending (at most {@link BODY}). */
  readonly body: readonly number[];
  /** The largest errors, ascending (at most {@link TAIL}). */
  readonly top: readonly number[];
}

const BODY = 256;
const TAIL = 64;

export function buildErrorCalibration(errors: readonly number[]): ErrorCalibration {
  const s = [...errors].sort((a, b) => a - b);
  const n = s.length;
  const k = Math.min(n, BODY);
  const body: number[] = [];
  for (let i = 0; i < k; i++) body.push(s[Math.round((i * (n - 1)) / Math.max(1, k - 1))] as number);
  const r = (x: number): number => Math.round(x * 1e6) / 1e6;
  return { frames: n, body: body.map(r), top: s.slice(Math.max(0, n - TAIL)).map(r) };
}

/** Fraction of normal frames with an error of at least `error` (exponential beyond the largest). */
export function errorTail(cal: ErrorCalibration, error: number): number {
  const n = cal.frames + 1;
  const top = cal.top;
  const max = top.length === 0 ? 0 : (top[top.length - 1] as number);
  if (error > max) {
    const mid = top.length === 0 ? 0 : (top[Math.floor((top.length - 1) / 2)] as number);
    const scale = Math.max(1e-6, max - mid);
    return Math.exp(-(error - max) / scale) / n;
  }
  if (top.length > 0 && error > (top[0] as number)) {
    let count = 0;
    for (let i = top.length - 1; i >= 0 && (top[i] as number) >= error; i--) count++;
    return Math.max(count, 1) / n;
  }
  let count = 0;
  for (let i = cal.body.length - 1; i >= 0 && (cal.body[i] as number) >= error; i--) count++;
  return Math.max(count / Math.max(1, cal.body.length), top.length / n);
}

/** Calibrated score of a reconstruction error, in [0, 1]. */
export function calibrateError(cal: ErrorCalibration, error: number): number {
  return Math.max(0, 1 - errorTail(cal, error));
}
