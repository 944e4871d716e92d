/**
 * Runs {@link TileEncoderCore} in a worker thread (tile-worker.ts), or inline when asked to (or when
 * the worker script is not there). One request at a time is all the store needs (its flushes run in
 * order); requests and drops reach the worker in the order they are made.
 * The worker is dist/tile-worker.js in the bundle (see worker-thread.ts).
 */
import type { Worker } from 'node:worker_threads';
import { OperationalError } from '@heimdall/errors';
import { startWorker, workerScript } from '../worker-thread.ts';
import {
  TileEncoderCore,
  type EncodedTile,
  type EncodeRequest,
  type TileEncoderOptions,
} from './tile-encoder.ts';

export type TileWorkerRequest =
  | {
      readonly type: 'encode';
      readonly id: number;
      readonly request: EncodeRequest;
      /** A codes buffer the worker may forget (see {@link CodesBufferCache}). */
      readonly forget: number | undefined;
    }
  | { readonly type: 'drop'; readonly bandIds: readonly string[] };

export type TileWorkerResponse =
  | { readonly id: number; readonly tiles: EncodedTile[]; readonly error?: undefined }
  | { readonly id: number; readonly error: string; readonly tiles?: undefined };

/**
 * The codes buffers a worker holds, by id, the most recently used last. Both sides keep one and
 * make the same moves: the caller sends a buffer only when its cache lacks it, and tells the
 * worker which one to forget when it evicts; a buffer a packer dropped ages out. A buffer is sent
 * once, not per batch: each arrival counts in the worker's heap as new memory.
 */
export class CodesBufferCache {
  private readonly held = new Map<number, SharedArrayBuffer | undefined>();
  constructor(private readonly capacity = 16) {}

  /** Marks `id` used; returns whether it was held, and the id evicted to make room. */
  use(id: number, buffer?: SharedArrayBuffer): { held: boolean; evicted: number | undefined } {
    const held = this.held.has(id);
    const known = this.held.get(id) ?? buffer;
    this.held.delete(id);
    this.held.set(id, known);
    let evicted: number | undefined;
    if (this.held.size > this.capacity) {
      evicted = this.held.keys().next().value as number;
      this.held.delete(evicted);
    }
    return { held, evicted };
  }

  get(id: number): SharedArrayBuffer | undefined {
    return this.held.get(id);
  }

  forget(id: number | undefined): void {
    if (id !== undefined) this.held.delete(id);
  }
}

export interface TileEncoder {
  /**
   * Starts the worker now instead of at the first batch (a server does before it takes frames:
   * a thread and its code take a moment to start, and frames would wait on it).
   */
  prepare(): Promise<void>;
  /** Encodes a batch; its codes buffer is the caller's again once this settles. */
  encode(request: EncodeRequest): Promise<EncodedTile[]>;
  drop(bandIds: readonly string[]): void;
  /** Stops the worker (pending requests fail); the encoder must not be used after. */
  close(): Promise<void>;
}

const SCRIPT = workerScript(import.meta.url, 'tile-worker');

class InlineTileEncoder implements TileEncoder {
  private readonly core: TileEncoderCore;
  constructor(options: TileEncoderOptions) {
    this.core = new TileEncoderCore(options);
  }
  prepare(): Promise<void> {
    return Promise.resolve();
  }
  encode(request: EncodeRequest): Promise<EncodedTile[]> {
    return Promise.resolve(this.core.encode(request));
  }
  drop(bandIds: readonly string[]): void {
    this.core.drop(bandIds);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class WorkerTileEncoder implements TileEncoder {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (t: EncodedTile[]) => void; reject: (e: unknown) => void }
  >();
  /** What the worker holds (its own copy makes the same moves). */
  private buffers = new CodesBufferCache();

  constructor(
    private readonly script: URL,
    private readonly options: TileEncoderOptions,
  ) {}

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const w = startWorker(this.script, this.options);
    w.unref();
    w.on('message', (m: TileWorkerResponse) => {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.error !== undefined) p.reject(new OperationalError(`encoding spectrum tiles failed: ${m.error}`));
      else p.resolve(m.tiles);
    });
    const fail = (why: string) => {
      // a dead worker is a crash of every band it held: the next request starts a fresh one
      if (this.worker === w) this.worker = undefined;
      this.buffers = new CodesBufferCache();
      for (const p of this.pending.values()) p.reject(new OperationalError(why));
      this.pending.clear();
    };
    w.on('error', (e) => fail(`the spectrum tile worker failed: ${e.message}`));
    w.on('exit', (code) => fail(`the spectrum tile worker exited (code ${code})`));
    this.worker = w;
    return w;
  }

  async prepare(): Promise<void> {
    // a round trip with nothing to encode: the worker has started and loaded its code
    const none = { count: 0, nodeIds: [], meta: new Float64Array(0), widths: new Uint8Array(0) };
    const frames = { ...none, times: new BigInt64Array(0), codesId: -1 };
    await this.encode({ frames, all: false, idleBeforeMs: -Infinity });
  }

  encode(request: EncodeRequest): Promise<EncodedTile[]> {
    const w = this.start();
    const id = this.nextId++;
    const { held, evicted } = this.buffers.use(request.frames.codesId);
    // the worker holds the buffer already, or gets it now, once
    const frames = held ? { ...request.frames, codes: undefined } : request.frames;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref(); // a batch in flight keeps the process alive
      const message: TileWorkerRequest = {
        type: 'encode',
        id,
        request: { ...request, frames },
        forget: evicted,
      };
      w.postMessage(message);
    });
  }

  drop(bandIds: readonly string[]): void {
    const message: TileWorkerRequest = { type: 'drop', bandIds };
    this.worker?.postMessage(message);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) await w.terminate();
  }
}

/** A worker-backed encoder, or an inline one when `worker` is false or the worker script is missing. */
export function createTileEncoder(options: TileEncoderOptions, worker = true): TileEncoder {
  return worker && SCRIPT !== undefined
    ? new WorkerTileEncoder(SCRIPT, options)
    : new InlineTileEncoder(options);
}
