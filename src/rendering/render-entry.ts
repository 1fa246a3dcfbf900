/**
 * Which file a render process starts from. Built, it is render-process.js beside the module that
 * asks. Running from the sources, it is the build in dist/ when that is at least as new as every
 * source file (bin/faxd.js chooses the same way), since built JavaScript starts a render in about
 * a third of the time that compiling the sources through tsx takes (docs/benchmarks.md); else
 * render-process.ts beside the module, run through tsx.
 */
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The entry for a module at `self` (its import.meta.url) in src/rendering or dist/rendering. */
export function renderEntry(self: string): URL {
  if (!self.endsWith('.ts')) {
    return new URL('./render-process.js', self)
  }
  const built = new URL('../../dist/rendering/render-process.js', self)
  const sources = fileURLToPath(new URL('..', self))
  return isBuildCurrent(fileURLToPath(built), sources)
    ? built
    : new URL('./render-process.ts', self)
}

/** `built` exists and no .ts file under `sources` is newer. */
function isBuildCurrent(built: string, sources: string): boolean {
  let builtMs: number
  try {
    builtMs = statSync(built).mtimeMs
  } catch {
    return false
  }
  return readdirSync(sources, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .every((name) => statSync(path.join(sources, name)).mtimeMs <= builtMs)
}
