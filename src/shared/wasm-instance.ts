/**
 * faxd's own WebAssembly modules (compiled from wasm/ by scripts/build-wasm.mjs, held in base64 by
 * a generated module beside their host): each compiled once per thread when first used, and
 * instantiated once per memory it works in. They import nothing but `env.abort`, which
 * AssemblyScript calls only for an assertion (faxd compiles them without assertions), and, for a
 * module built to import it, `env.memory`.
 */

/**
 * The few names of WebAssembly's JavaScript interface used here: Node.js has them, and neither
 * ES2023's lib nor @types/node 20 declares them.
 */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object }
  Memory: new (descriptor: { initial: number }) => WasmMemory
}

/** A compiled module (a WebAssembly.Module). */
export interface WasmModule {
  readonly [Symbol.toStringTag]: 'WebAssembly.Module'
}

/** A WebAssembly memory: every module of faxd's exports its own, or the one it imports. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  /** Grows the memory by `pages` pages of 64 KiB (its buffer is then a new one). */
  grow(pages: number): number
}

/**
 * Where an array lies in a WebAssembly memory, for a module that works in that memory: at
 * `array.byteOffset` of `memory`, with `room` octets after the array's end that its reader may
 * use for its work (a page PDFium drew, with room for the binarizer's passes: pdf-pages.ts).
 */
export interface InWasmMemory {
  readonly memory: WasmMemory
  readonly room: number
}

/** Octets in a WebAssembly page. */
export const WASM_PAGE = 65536

/**
 * The octets at the start of a module's memory that its host must leave alone: asc, optimising
 * at -O2 or -O3, tells Binaryen they are never read or written, and Binaryen then folds the
 * constant part of an address into the load's offset as if a sum could only wrap into them.
 */
export const LOW_MEMORY_RESERVED = 1024

/** Compiles the module in `base64`. */
export function compileWasm(base64: string): WasmModule {
  return new WebAssembly.Module(
    Uint8Array.from(atob(base64), (character) => character.charCodeAt(0)),
  )
}

/**
 * Instantiates `module` (or the module in base64); its exports, as the caller describes them.
 * `memory`: the memory of a module built to import one.
 */
export function instantiateWasm<Exports extends { readonly memory: WasmMemory }>(
  module: WasmModule | string,
  name: string,
  memory?: WasmMemory,
): Exports {
  const instance = new WebAssembly.Instance(
    typeof module === 'string' ? compileWasm(module) : module,
    {
      env: {
        abort: () => {
          throw new Error(`${name} aborted`)
        },
        ...(memory === undefined ? {} : { memory }),
      },
    },
  )
  return instance.exports as Exports
}

/** A new memory of one page, for a module built to import its memory. */
export function newWasmMemory(): WasmMemory {
  return new WebAssembly.Memory({ initial: 1 })
}

/** Grows `memory` until it holds at least `octets`. */
export function ensureWasmMemory(memory: WasmMemory, octets: number): void {
  const have = memory.buffer.byteLength
  if (octets > have) {
    memory.grow(Math.ceil((octets - have) / WASM_PAGE))
  }
}
