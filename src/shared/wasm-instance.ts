/**
 * faxd's own WebAssembly modules (compiled from wasm/ by scripts/build-wasm.mjs, held in base64 by
 * a generated module beside their host): each instantiated once per thread, when first used. They
 * import nothing but `env.abort`, which AssemblyScript calls only for an assertion, and faxd
 * compiles them without assertions.
 */

/**
 * The few names of WebAssembly's JavaScript interface used here: Node.js has them, and neither
 * ES2023's lib nor @types/node 20 declares them.
 */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: object }
}

/** The part of an instance's exports every module of faxd's has: its memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  /** Grows the memory by `pages` pages of 64 KiB (its buffer is then a new one). */
  grow(pages: number): number
}

/** Octets in a WebAssembly page. */
export const WASM_PAGE = 65536

/**
 * The octets at the start of a module's memory that its host must leave alone: asc, optimising
 * at -O2 or -O3, tells Binaryen they are never read or written, and Binaryen then folds the
 * constant part of an address into the load's offset as if a sum could only wrap into them.
 */
export const LOW_MEMORY_RESERVED = 1024

/** Instantiates the module in `base64`; its exports, as the caller describes them. */
export function instantiateWasm<Exports extends { readonly memory: WasmMemory }>(
  base64: string,
  name: string,
): Exports {
  const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0))
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: {
      abort: () => {
        throw new Error(`${name} aborted`)
      },
    },
  })
  return instance.exports as Exports
}

/** Grows `memory` until it holds at least `octets`. */
export function ensureWasmMemory(memory: WasmMemory, octets: number): void {
  const have = memory.buffer.byteLength
  if (octets > have) {
    memory.grow(Math.ceil((octets - have) / WASM_PAGE))
  }
}
