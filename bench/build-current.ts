/**
 * The benches that run `faxd` as a user does (bin/faxd.js, which runs the build in dist/ only
 * while it is at least as new as every source file, else the sources through tsx, several times
 * slower) must measure the build, render process bundle included (`npm run build` makes it):
 * they check before and after their run that it is current, so that an edit made meanwhile
 * cannot slip slower figures in unmarked (the soak prints its ten minutes of figures first, then
 * fails).
 */
import { renderEntry } from '../src/rendering/render-entry.js'

/** The entry of the built render process, as one file (scripts/bundle-render-process.mjs). */
const BUILT_RENDER_ENTRY = '/dist/rendering/render-process.cjs'

export function assertBuildCurrent(): void {
  const entry = renderEntry(new URL('../src/rendering/bench.ts', import.meta.url).href)
  if (!entry.pathname.endsWith(BUILT_RENDER_ENTRY)) {
    throw new Error('the build is missing or older than src/: run `npm run build` first')
  }
}
