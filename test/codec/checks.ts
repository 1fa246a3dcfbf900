/**
 * Checks that take any Bitmap, so that pages rendered from fixtures can be run through the same
 * tests as the procedural ones: the round trip through every coding scheme, and the set-up for
 * running libtiff's tools on our files (temporary directories, running a tool and failing
 * clearly when it is missing).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Bitmap } from '../../src/codec/bitmap.js'
import { type DecodeResult } from '../../src/codec/decoded-rows.js'
import { decodeMh, decodeMr, encodeMh, encodeMr } from '../../src/codec/t4.js'
import { decodeMmr, encodeMmr } from '../../src/codec/t6.js'
import { differenceOf } from './pages.js'

/** The coding schemes and settings every page goes through. */
export const SCHEMES: readonly {
  name: string
  encode: (bitmap: Bitmap) => Uint8Array
  decode: (data: Uint8Array, width: number) => DecodeResult
}[] = [
  { name: 'MH', encode: (b) => encodeMh(b), decode: (d, width) => decodeMh(d, { width }) },
  ...[1, 2, 4, 8, 1000].map((k) => ({
    name: `MR K=${k}`,
    encode: (b: Bitmap) => encodeMr(b, { k }),
    decode: (d: Uint8Array, width: number) => decodeMr(d, { width }),
  })),
  { name: 'MMR', encode: (b) => encodeMmr(b), decode: (d, width) => decodeMmr(d, { width }) },
]

/** Encodes the page with every scheme and asserts that decoding gives it back exactly. */
export function assertRoundTrips(name: string, bitmap: Bitmap): void {
  for (const scheme of SCHEMES) {
    const data = scheme.encode(bitmap)
    const result = scheme.decode(data, bitmap.width)
    const where = `${name}, ${scheme.name}`
    assert.equal(differenceOf(result.bitmap, bitmap), '', where)
    assert.equal(result.end, 'marker', `${where}: ends with RTC/EOFB`)
    assert.equal(result.bytesUsed, data.length, `${where}: reads the whole stream`)
    assert.equal(result.badRows, 0, where)
  }
}

export interface ToolResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command-line tool; a tool that cannot be started fails the test, it never skips. */
export function runTool(tool: string, args: readonly string[]): ToolResult {
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (result.error !== undefined) {
    assert.fail(`${tool} could not run (${result.error.message}); install libtiff-tools`)
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Runs a tool and asserts that it exits 0 and writes nothing to stderr. */
export function runToolCleanly(tool: string, args: readonly string[]): ToolResult {
  const result = runTool(tool, args)
  assert.equal(result.status, 0, `${tool} ${args.join(' ')} exits 0: ${result.stderr}`)
  assert.equal(result.stderr, '', `${tool} ${args.join(' ')} writes no warning or error`)
  return result
}

/** A fresh temporary directory; call the returned function to remove it. */
export function temporaryDirectory(): { path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'faxd-codec-'))
  return {
    path: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
