/**
 * Loading of the WebAssembly modules that scripts/build-wasm.mjs embeds as base64 TypeScript
 * modules (`src/generated/*.wasm.ts`), so the same kernels load in Node, worker threads, the
 * browser and the bundled CLI without file paths. Each module is compiled once per thread; every
 * user makes its own instance (own memory).
 */
import { UnexpectedError } from '@heimdall/errors';

/**
 * The slice of the WebAssembly JS API used here, typed locally: the ES lib and @types/node 20 do
 * not declare it, and a global declaration would clash with lib.dom in the web app.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<object>;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes of a WebAssembly memory page. */
export const WASM_PAGE = 65536;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Grows `memory` so that bytes [0, end) exist (growth detaches views made before it). */
export function growMemory(memory: WasmMemory, end: number): void {
  const have = memory.buffer.byteLength;
  if (have < end) memory.grow(Math.ceil((end - have) / WASM_PAGE));
}

/** One embedded module: compiled on first use, null where WebAssembly (SIMD) is unavailable. */
export class EmbeddedWasm<Exports> {
  private compiled: object | null | undefined;

  /** `unavailable`: what {@link instantiate} says where the module cannot run. */
  constructor(
    private readonly base64: string,
    private readonly unavailable = 'WebAssembly SIMD is not available here',
  ) {}

  /** The compiled module, compiled synchronously on first use. */
  module(): object | null {
    if (this.compiled === undefined) {
      const bytes = decodeBase64(this.base64);
      this.compiled = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    }
    return this.compiled;
  }

  /**
   * Compiles asynchronously. Optional: the module is otherwise compiled synchronously on first
   * use, which browsers may refuse on their main thread; call this first there.
   */
  async preload(): Promise<boolean> {
    if (this.compiled === undefined) {
      const bytes = decodeBase64(this.base64);
      this.compiled = wasmApi !== undefined && wasmApi.validate(bytes) ? await wasmApi.compile(bytes) : null;
    }
    return this.compiled !== null;
  }

  get available(): boolean {
    return this.module() !== null;
  }

  /** A new instance's exports; throws an UnexpectedError where WebAssembly SIMD is not available. */
  instantiate(): Exports {
    const mod = this.module();
    if (mod === null || wasmApi === undefined) throw new UnexpectedError(this.unavailable);
    return new wasmApi.Instance(mod, {}).exports as Exports;
  }
}
