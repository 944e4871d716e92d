/**
 * Turns the uploaded snippets of a localization into a fix with @heimdall/intel, as
 * `heimdall localize` does with recordings: TDOA when every snippet comes from a node with a
 * TDOA-grade clock (and there are at least 3), else received power (at least 4). With `auto`, a
 * TDOA attempt that fails (e.g. no correlation peak) falls back to power when there are enough nodes.
 */
import { UserError } from '@heimdall/errors';
import { localizePowerFromSnippets, localizeTdoa, type Fix, type TdoaSnippet } from '@heimdall/intel';
import type { StoredSnippet } from '../repositories/localization.repository.ts';
import { startWorker, workerScript } from '../worker-thread.ts';
import { MIN_POWER_NODES, MIN_TDOA_NODES, TDOA_CLOCKS } from './choose-nodes.ts';

export interface SolveRequest {
  readonly freqHz: number;
  readonly bandwidthHz: number;
  readonly method: 'auto' | 'tdoa' | 'power';
}

/** A node's clock source as @heimdall/intel names it (PPS is taken from GPS). */
function intelClock(source: string): string {
  return source === 'pps' ? 'gps' : source;
}

/** Decodes a little-endian cf32 body into interleaved floats (copied: the bytes may be unaligned). */
export function decodeCf32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

export function toTdoaSnippets(snippets: readonly StoredSnippet[]): TdoaSnippet[] {
  return snippets.map((s) => ({
    name: s.nodeId,
    position: { latitude: s.latitude, longitude: s.longitude, altitude: s.altitudeM },
    iq: decodeCf32(s.data),
    sampleRate: s.sampleRateHz,
    centerFrequency: s.centerHz,
    startNs: s.captureTimeNs,
    timestampResolutionNs: 1,
    clockSource: intelClock(s.clockSource),
  }));
}

function byPower(snippets: readonly TdoaSnippet[], req: SolveRequest): Fix {
  return localizePowerFromSnippets(snippets, { frequency: req.freqHz, bandwidth: req.bandwidthHz });
}

/** The fix; throws a UserError saying why there is none. */
export function solveFix(stored: readonly StoredSnippet[], req: SolveRequest): Fix {
  const snippets = toTdoaSnippets(stored);
  const timed = stored.every((s) => TDOA_CLOCKS.has(s.clockSource));
  const tdoa = () => localizeTdoa(snippets, { frequency: req.freqHz, bandwidth: req.bandwidthHz });
  if (req.method === 'tdoa') return tdoa();
  if (req.method === 'power') return byPower(snippets, req);
  if (timed && snippets.length >= MIN_TDOA_NODES) {
    try {
      return tdoa();
    } catch (e) {
      if (!(e instanceof UserError) || snippets.length < MIN_POWER_NODES) throw e;
    }
  }
  if (snippets.length < MIN_POWER_NODES)
    throw new UserError(
      `${snippets.length} snippets are too few: TDOA needs ${MIN_TDOA_NODES} from GPS-timed nodes, power ${MIN_POWER_NODES}`,
      { fix: 'ask more nodes, or nodes with GPS-disciplined clocks' },
    );
  return byPower(snippets, req);
}

/** What the localization worker gets, and what it answers. */
export interface SolveJob {
  readonly snippets: readonly StoredSnippet[];
  readonly request: SolveRequest;
}

export type SolveOutcome =
  | { readonly fix: Fix; readonly error?: undefined }
  | { readonly error: string; readonly fix?: string | undefined; readonly user: boolean };

const SCRIPT = workerScript(import.meta.url, 'solve-worker');

/**
 * {@link solveFix} in a worker thread (on this thread when the worker script is missing). Rejects
 * with a UserError when there is no fix, as solveFix throws.
 */
export async function solveFixInWorker(stored: readonly StoredSnippet[], req: SolveRequest): Promise<Fix> {
  if (SCRIPT === undefined) return solveFix(stored, req);
  const job: SolveJob = { snippets: stored, request: req };
  const worker = startWorker(SCRIPT, job);
  try {
    const outcome = await new Promise<SolveOutcome>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the localization worker exited (code ${code})`)));
    });
    if (outcome.error === undefined) return outcome.fix;
    if (outcome.user)
      throw new UserError(outcome.error, outcome.fix === undefined ? {} : { fix: outcome.fix });
    throw new Error(outcome.error);
  } finally {
    await worker.terminate();
  }
}
