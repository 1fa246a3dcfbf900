/**
 * MMR coding of a page (t6.ts, encodeMmr) by the WebAssembly of wasm/mmr-encoder.ts: the same
 * steps as the MR coder's rows (two-dimensional.ts, encode2dRow, with one-dimensional.ts's runs
 * and changing-elements.ts's change lists), compiled ahead, so that a render's first pages are
 * coded as fast as its last (docs/benchmarks.md, "The binarizer and the MMR coder in
 * WebAssembly"). This lays out the module's memory, with the code tables of t4-codes.ts copied in
 * once, copies the page in and the code out. One instance per thread, made when first used.
 */
import type { WasmMemory } from '../shared/wasm-instance.js'
import { ensureWasmMemory, instantiateWasm, LOW_MEMORY_RESERVED } from '../shared/wasm-instance.js'
import type { Bitmap } from './bitmap.js'
import { MMR_ENCODER_WASM } from './mmr-encoder-wasm.js'
import type { CodeWord } from './t4-codes.js'
import {
  EOL_BITS,
  EOL_CODE,
  HORIZONTAL,
  MAKEUP,
  MAX_MAKEUP,
  PASS,
  TERMINATING,
  VERTICAL,
} from './t4-codes.js'

interface EncoderExports {
  readonly memory: WasmMemory
  encodeMmr(
    tables: number,
    page: number,
    width: number,
    height: number,
    rowBytes: number,
    ref: number,
    cur: number,
    out: number,
    capacity: number,
    eofb: number,
  ): number
}

/**
 * Where the code tables go, in the order the module reads them. Nothing of the layout lies below
 * 1024: asc (from -O2) tells Binaryen the first 1024 octets are never used, and so moves
 * constants of an address into its load's offset (`tables + d × 4` with d = −1 became a load at
 * offset 32 from an address that had wrapped past 2³², out of bounds with the tables at 0).
 */
const TABLES = LOW_MEMORY_RESERVED
/** Where the page goes: after the tables. */
const PAGE = TABLES + 1024

const packed = ({ code, bits }: CodeWord): number => (code << 4) | bits

/**
 * The code tables as wasm/mmr-encoder.ts reads them, little-endian u32s: the pass-mode,
 * horizontal-mode and EOL code words, the make-up codes a colour has and the longest make-up
 * run, then the vertical-mode codes (7), the terminating codes [colour × 64 + run] and the
 * make-up codes [colour × count + run / 64], each packed as code << 4 | length.
 */
function codeTables(): Uint8Array {
  const makeups = MAKEUP[0].length
  const words = [
    packed(PASS),
    packed(HORIZONTAL),
    (EOL_CODE << 4) | EOL_BITS,
    makeups,
    MAX_MAKEUP,
    ...VERTICAL.map(packed),
    ...TERMINATING[0],
    ...TERMINATING[1],
    ...MAKEUP[0],
    ...MAKEUP[1],
  ]
  const tables = new Uint8Array(words.length * 4)
  const view = new DataView(tables.buffer)
  words.forEach((word, index) => view.setUint32(index * 4, word, true))
  if (TABLES + tables.length > PAGE) {
    throw new Error('the MMR code tables overlap the page')
  }
  return tables
}

let encoder: EncoderExports | undefined

function mmrEncoder(): EncoderExports {
  if (encoder === undefined) {
    encoder = instantiateWasm<EncoderExports>(MMR_ENCODER_WASM, 'mmr-encoder.wasm')
    ensureWasmMemory(encoder.memory, PAGE)
    new Uint8Array(encoder.memory.buffer).set(codeTables(), TABLES)
  }
  return encoder
}

const align = (offset: number): number => (offset + 7) & ~7

/**
 * The page coded with MMR, ending with EOFB when `eofb`. The bitmap must have been checked
 * (t4.ts, checkBitmap).
 */
export function encodeMmrPage(bitmap: Bitmap, eofb: boolean): Uint8Array {
  const wasm = mmrEncoder()
  const { width, height, rowBytes, data } = bitmap
  const pageOctets = rowBytes * height
  const ref = align(PAGE + pageOctets)
  // A change list holds a change per pixel at most, then three sentinels.
  const cur = ref + (width + 4) * 4
  const out = cur + (width + 4) * 4
  // Most pages take a small share of their raw size; one that takes more (a checkerboard can
  // take six times it) is coded again with the room it asked for.
  let capacity = pageOctets + 4096
  for (;;) {
    ensureWasmMemory(wasm.memory, out + capacity)
    new Uint8Array(wasm.memory.buffer).set(data.subarray(0, pageOctets), PAGE)
    const length = wasm.encodeMmr(
      TABLES,
      PAGE,
      width,
      height,
      rowBytes,
      ref,
      cur,
      out,
      capacity,
      eofb ? 1 : 0,
    )
    if (length <= capacity) {
      return new Uint8Array(wasm.memory.buffer, out, length).slice()
    }
    capacity = length
  }
}
