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
  return newestSourceMs(sources) <= builtMs
}

/**
 * The newest modification time of a .ts file under `folder`, walked folder by folder (as
 * bin/faxd.js does: readdirSync's own `recursive` takes twice as long).
 */
function newestSourceMs(folder: string): number {
  let newest = 0
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name)
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestSourceMs(file))
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(file).mtimeMs)
    }
  }
  return newest
}
