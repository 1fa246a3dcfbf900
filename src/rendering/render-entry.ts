/**
 * Which file a render process starts from. Built, it is the render process as one CommonJS file,
 * render-process.cjs (scripts/bundle-render-process.mjs), beside the module that asks, while no
 * module it was made of is newer (tsc run without the bundler rewrites modules): a render
 * process loads it in a third of the time its ES modules take (docs/benchmarks.md, "The render
 * process as one file"); else render-process.js. Running from
 * the sources, it is that choice in dist/ when the build is at least as new as every source file
 * (bin/faxd.js chooses the same way), since built JavaScript starts a render in about a third of
 * the time that compiling the sources through tsx takes; else render-process.ts beside the
 * module, run through tsx.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The entry for a module at `self` (its import.meta.url) in src/rendering or dist/rendering. */
export function renderEntry(self: string): URL {
  if (!self.endsWith('.ts')) {
    return builtEntry(self)
  }
  const built = new URL('../../dist/rendering/render-process.js', self)
  const sources = fileURLToPath(new URL('..', self))
  return isBuildCurrent(fileURLToPath(built), sources)
    ? builtEntry(built)
    : new URL('./render-process.ts', self)
}

/** The bundle beside `module` while it is current, else the modules. */
function builtEntry(module: string | URL): URL {
  const bundle = new URL('./render-process.cjs', module)
  return isBundleCurrent(bundle, new URL('./render-process.inputs.json', module))
    ? bundle
    : new URL('./render-process.js', module)
}

/**
 * `bundle` exists, and so does each module it was made of (as the list at `inputs` names them,
 * relative to the bundle), none newer than it.
 */
function isBundleCurrent(bundle: URL, inputs: URL): boolean {
  const bundleMs = modifiedMs(bundle)
  if (bundleMs < 0) {
    return false
  }
  let names: unknown
  try {
    names = JSON.parse(readFileSync(fileURLToPath(inputs), 'utf8'))
  } catch {
    return false
  }
  return (
    Array.isArray(names) &&
    names.length > 0 &&
    names.every((name) => {
      if (typeof name !== 'string') {
        return false
      }
      const ms = modifiedMs(new URL(name, bundle))
      return ms >= 0 && ms <= bundleMs
    })
  )
}

/** When `file` was last modified; -1 when there is no such file. */
function modifiedMs(file: URL): number {
  return statSync(fileURLToPath(file), { throwIfNoEntry: false })?.mtimeMs ?? -1
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
